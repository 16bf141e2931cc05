//! The identity rules' view of the knowledge base (`tollgate-kb`): which expression
//! contexts outsiders control (`rules/data/untrusted-contexts.toml`). What actions and
//! commands need of the token is the needs pass's (`tollgate_facts::needs`).

pub use tollgate_kb::permissions::Contexts;

/// The untrusted-context list (empty if the compiled-in data failed to load, which the
/// kb crate's tests rule out).
pub fn contexts() -> &'static Contexts {
    tollgate_kb::contexts()
}
