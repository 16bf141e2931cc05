//! Fuzz the `${{ … }}` locator.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tollgate_fuzz::expressions(data));
