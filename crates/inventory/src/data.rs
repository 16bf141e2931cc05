//! The inventory's view of the knowledge base (`tollgate-kb`): the fallback and toolchain
//! table of `rules/data/fallbacks.toml`, which the `missing-fallback` rule reads too, so
//! adding a cache action is a one-entry change both pick up.

pub use tollgate_kb::fallbacks::Knowledge;

/// The compiled-in table (empty, "no fallback knowledge", if it failed to load, which
/// the kb crate's tests rule out).
#[must_use]
pub fn knowledge() -> &'static Knowledge {
    tollgate_kb::fallbacks()
}
