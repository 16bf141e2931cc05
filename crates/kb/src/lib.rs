//! The knowledge base: every file of `rules/data/`, compiled in and parsed once through
//! one validated loader, plus the package-manager and registry facts that are better as
//! Rust (enums the recognisers match on). Nothing else in the workspace embeds or parses
//! `rules/data/`; the shell recogniser, the lockfile resolver, the egress inference, the
//! inventory and the rules all read their domain knowledge from here, so they cannot
//! disagree.

pub mod advisories;
pub mod credentials;
mod ecosystem;
pub mod egress;
pub mod env;
pub mod fallbacks;
pub mod flags;
pub mod github;
pub mod images;
mod load;
pub mod managers;
pub mod permissions;
pub mod publishing;
pub mod registries;
pub mod scripts;
pub mod secrets;
pub mod snapshot;
pub mod toolcache;
pub mod triggers;
pub mod version;

pub use ecosystem::Ecosystem;
pub use flags::Flags;
pub use load::{KbError, Sourced};
pub use managers::Manager;

use std::sync::OnceLock;

/// One data file of `rules/data/`: its name (for errors) and its text.
#[derive(Clone, Copy, Debug)]
pub struct DataFile {
    pub name: &'static str,
    pub text: &'static str,
}

/// Every file of `rules/data/`, in a fixed order; a test loads them all.
pub const FILES: &[DataFile] = &[
    advisories::FILE,
    snapshot::FILE,
    credentials::FILE,
    egress::HOSTS_FILE,
    egress::SHARED_FILE,
    fallbacks::FILE,
    images::FILE,
    permissions::PERMISSIONS_FILE,
    permissions::CONTEXTS_FILE,
    scripts::FILE,
    toolcache::FILE,
    triggers::FILE,
    publishing::FILE,
];

/// Load a compiled-in file once. The data is checked by this crate's tests, so a failure
/// here is a build defect, never a user error: it degrades to the empty base (no
/// knowledge, every need unknown) rather than taking a run down.
fn cached<T: Default + serde::de::DeserializeOwned + Sourced>(
    cell: &'static OnceLock<T>,
    file: DataFile,
) -> &'static T {
    cell.get_or_init(|| load::load(file.name, file.text).unwrap_or_default())
}

/// Load every data file and report the first error of each; empty when all are valid.
#[must_use]
pub fn check_all() -> Vec<KbError> {
    [
        load::load::<advisories::Advisories>(advisories::FILE.name, advisories::FILE.text).err(),
        load::load::<snapshot::Snapshot>(snapshot::FILE.name, snapshot::FILE.text).err(),
        load::load::<credentials::Formats>(credentials::FILE.name, credentials::FILE.text).err(),
        load::load::<egress::Hosts>(egress::HOSTS_FILE.name, egress::HOSTS_FILE.text).err(),
        load::load::<egress::Shared>(egress::SHARED_FILE.name, egress::SHARED_FILE.text).err(),
        load::load::<fallbacks::Knowledge>(fallbacks::FILE.name, fallbacks::FILE.text).err(),
        load::load::<images::ImageInputs>(images::FILE.name, images::FILE.text).err(),
        load::load::<permissions::Permissions>(
            permissions::PERMISSIONS_FILE.name,
            permissions::PERMISSIONS_FILE.text,
        )
        .err(),
        load::load::<permissions::Contexts>(
            permissions::CONTEXTS_FILE.name,
            permissions::CONTEXTS_FILE.text,
        )
        .err(),
        load::load::<scripts::ScriptInputs>(scripts::FILE.name, scripts::FILE.text).err(),
        load::load::<toolcache::ToolCache>(toolcache::FILE.name, toolcache::FILE.text).err(),
        load::load::<triggers::Triggers>(triggers::FILE.name, triggers::FILE.text).err(),
        load::load::<publishing::Registries>(publishing::FILE.name, publishing::FILE.text).err(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `rules/data/action-advisories.toml`.
#[must_use]
pub fn action_advisories() -> &'static advisories::Advisories {
    static CELL: OnceLock<advisories::Advisories> = OnceLock::new();
    cached(&CELL, advisories::FILE)
}

/// `rules/data/action-snapshot.toml`.
#[must_use]
pub fn action_snapshot() -> &'static snapshot::Snapshot {
    static CELL: OnceLock<snapshot::Snapshot> = OnceLock::new();
    cached(&CELL, snapshot::FILE)
}

/// `rules/data/credential-formats.toml`.
#[must_use]
pub fn credential_formats() -> &'static credentials::Formats {
    static CELL: OnceLock<credentials::Formats> = OnceLock::new();
    cached(&CELL, credentials::FILE)
}

/// `rules/data/egress-hosts.toml`.
#[must_use]
pub fn egress_hosts() -> &'static egress::Hosts {
    static CELL: OnceLock<egress::Hosts> = OnceLock::new();
    cached(&CELL, egress::HOSTS_FILE)
}

/// `rules/data/egress-shared-domains.toml`.
#[must_use]
pub fn shared_domains() -> &'static egress::Shared {
    static CELL: OnceLock<egress::Shared> = OnceLock::new();
    cached(&CELL, egress::SHARED_FILE)
}

/// `rules/data/fallbacks.toml`.
#[must_use]
pub fn fallbacks() -> &'static fallbacks::Knowledge {
    static CELL: OnceLock<fallbacks::Knowledge> = OnceLock::new();
    cached(&CELL, fallbacks::FILE)
}

/// `rules/data/permissions.toml`, indexed for lookups.
#[must_use]
pub fn permissions() -> &'static permissions::Permissions {
    static CELL: OnceLock<permissions::Permissions> = OnceLock::new();
    CELL.get_or_init(|| {
        load::load::<permissions::Permissions>(
            permissions::PERMISSIONS_FILE.name,
            permissions::PERMISSIONS_FILE.text,
        )
        .unwrap_or_default()
        .indexed()
    })
}

/// `rules/data/untrusted-contexts.toml`.
#[must_use]
pub fn contexts() -> &'static permissions::Contexts {
    static CELL: OnceLock<permissions::Contexts> = OnceLock::new();
    cached(&CELL, permissions::CONTEXTS_FILE)
}

/// `rules/data/image-inputs.toml`.
#[must_use]
pub fn image_inputs() -> &'static images::ImageInputs {
    static CELL: OnceLock<images::ImageInputs> = OnceLock::new();
    cached(&CELL, images::FILE)
}

/// `rules/data/script-inputs.toml`.
#[must_use]
pub fn script_inputs() -> &'static scripts::ScriptInputs {
    static CELL: OnceLock<scripts::ScriptInputs> = OnceLock::new();
    cached(&CELL, scripts::FILE)
}

/// `rules/data/runner-tool-cache.toml`.
#[must_use]
pub fn tool_cache() -> &'static toolcache::ToolCache {
    static CELL: OnceLock<toolcache::ToolCache> = OnceLock::new();
    cached(&CELL, toolcache::FILE)
}

/// `rules/data/trusted-publishing.toml`.
#[must_use]
pub fn trusted_publishing() -> &'static publishing::Registries {
    static CELL: OnceLock<publishing::Registries> = OnceLock::new();
    cached(&CELL, publishing::FILE)
}

/// `rules/data/trigger-trust.toml`.
#[must_use]
pub fn triggers() -> &'static triggers::Triggers {
    static CELL: OnceLock<triggers::Triggers> = OnceLock::new();
    cached(&CELL, triggers::FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_loads() {
        let errors = check_all();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(FILES.len(), 13);
        assert_eq!(trusted_publishing().registry.len(), 4);
        assert!(credential_formats().format.len() >= 15);
        assert!(!tool_cache().image.is_empty());
        assert!(egress_hosts().action.len() > 40);
        assert!(shared_domains().domain.len() > 20);
        assert!(fallbacks().cache("actions/setup-node").is_some());
        assert!(permissions().action.len() >= 80);
        assert!(contexts().context.len() >= 20);
        assert!(triggers().event.len() >= 30);
        assert!(script_inputs().action.len() >= 8);
    }

    /// The hosts the fallback advice names for a setup action (what `inventory` lists as
    /// the toolchain download) are hosts the egress data gives that action too, so the
    /// two outputs cannot tell different stories about one step.
    #[test]
    fn toolchain_hosts_are_egress_hosts_of_the_same_action() {
        let hosts = egress_hosts();
        let mut problems = Vec::new();
        for t in &fallbacks().toolchain {
            let Some(a) = hosts
                .action
                .iter()
                .find(|a| a.uses.eq_ignore_ascii_case(&t.action))
            else {
                problems.push(format!("{}: no [[action]] in egress-hosts.toml", t.action));
                continue;
            };
            let mut known = hosts.expand(&a.hosts);
            known.extend(hosts.expand(&a.fallback));
            for w in &a.when {
                known.extend(hosts.expand(&w.hosts));
            }
            for h in &t.hosts {
                if !known.contains(h) {
                    problems.push(format!("{}: `{h}` not among its egress hosts", t.action));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    /// The permission entries that cite the action snapshot say what it shows: a
    /// JavaScript or docker action with no input whose default is the token needs
    /// nothing; an action with one names that input as its token input (so a step that
    /// passes another token needs none of the scopes), and it takes the default.
    #[test]
    fn permission_entries_from_the_snapshot_agree_with_it() {
        let snap = action_snapshot();
        let (mut without, mut with) = (0, 0);
        for e in &permissions().action {
            let Some(a) = snap.action.iter().find(|a| a.source == e.source) else {
                continue;
            };
            assert!(a.uses.eq_ignore_ascii_case(&e.uses), "{}", e.uses);
            if a.token_inputs.is_empty() {
                without += 1;
                assert_ne!(a.runs, "composite", "{}", e.uses);
                assert!(e.permissions.is_empty(), "{}", e.uses);
                assert!(e.when.is_empty(), "{}", e.uses);
            } else {
                with += 1;
                let input = e.token_input.as_deref().unwrap_or_default();
                assert!(
                    a.token_inputs.iter().any(|t| t == input),
                    "{}: {input}",
                    e.uses
                );
                assert!(e.token_default, "{}", e.uses);
            }
        }
        assert!(without >= 10 && with >= 20, "{without} {with}");
    }

    /// Every file of rules/data/ is one of FILES: a new file must come through the loader.
    #[test]
    fn files_cover_the_data_directory() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/data");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        on_disk.sort();
        let mut ours: Vec<String> = FILES.iter().map(|f| f.name.to_owned()).collect();
        ours.sort();
        assert_eq!(on_disk, ours);
    }
}
