//! End-to-end tests live in tests/*.rs of this crate; this library is empty.
