//! Fuzz the whole check pipeline on a generated repository: scan, rules, JSON and SARIF.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tollgate_fuzz::check(data));
