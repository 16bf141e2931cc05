//! The identity rules' view of the knowledge base (`tollgate-kb`): which token
//! permissions actions and commands need (`rules/data/permissions.toml`) and which
//! expression contexts outsiders control (`rules/data/untrusted-contexts.toml`).

use tollgate_gha::PermissionLevel;

pub use tollgate_kb::permissions::{
    ActionEntry, CommandEntry, Contexts, Permissions as Kb, RawPerms, When,
};

/// The permissions knowledge base (empty if the compiled-in data failed to load, which
/// the kb crate's tests rule out).
pub fn kb() -> &'static Kb {
    tollgate_kb::permissions()
}

/// The untrusted-context list (see [`kb`]).
pub fn contexts() -> &'static Contexts {
    tollgate_kb::contexts()
}

/// A level as written in the data; the loader admits no other spelling.
pub fn level(s: &str) -> Option<PermissionLevel> {
    match s {
        "read" => Some(PermissionLevel::Read),
        "write" => Some(PermissionLevel::Write),
        "none" => Some(PermissionLevel::None),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every level the loader admits maps to a `PermissionLevel`.
    #[test]
    fn levels_map() {
        for l in tollgate_kb::permissions::LEVELS {
            assert!(level(l).is_some(), "{l}");
        }
        assert_eq!(level("admin"), None);
    }
}
