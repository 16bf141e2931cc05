//! Fuzz the GitHub Actions front end (first byte picks workflow, action, actions.lock or
//! dependabot), with every `run:` script analysed and its spans mapped back to the file.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tollgate_fuzz::gha(data));
