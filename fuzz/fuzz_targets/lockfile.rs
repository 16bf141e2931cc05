//! Fuzz every lockfile parser (first byte picks the format).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tollgate_fuzz::lockfile(data));
