//! Fuzz the spanned YAML tree: any text ends in a tree or an error, within the limits.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tollgate_fuzz::yaml(data));
