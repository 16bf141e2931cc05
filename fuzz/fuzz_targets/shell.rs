//! Fuzz the shell analyser on arbitrary scripts.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tollgate_fuzz::shell(data));
