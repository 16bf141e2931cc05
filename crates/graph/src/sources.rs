//! Where package sources are named, and how: the `resolves-from` edges into `source`
//! nodes and the [`SourceNamings`] record beside them.
//!
//! A source is one node (a registry, a git repository, an archive URL), but the places
//! that name it are many and differ in what they mean: a lockfile entry, a registry
//! configuration entry with its role (default, scoped, extra index, replacement…), an
//! `env:` variable that sets a registry, an install command's index option. As with the
//! secret hand-overs, the graph's edges stay one per (namer, source), at the first place;
//! every naming, with how, is in the record, so that a rule reports at every place and
//! the second lockfile that takes a shared package from a registry is not lost to the
//! edge deduplication.
//!
//! Lockfile entries from the ecosystem's default registry over `https://` are the bulk
//! of every lockfile and say nothing a rule asks about: they are left out of the record
//! (their edges remain).

use tollgate_lockfile::SourceRole;
use tollgate_shell::IndexKind;

use crate::graph::Graph;
use crate::model::{NodeId, Origin};

/// How a place names a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Naming {
    /// A lockfile entry: the package (the naming's `from`) resolves from the source.
    Entry,
    /// A Go module `replace old => new v…` (go.mod): the package `new` comes from the
    /// default proxy, but its code from another repository than `replaces` names.
    Fork { replaces: String },
    /// A lockfile entry taken from a local path outside the repository (`../x`,
    /// `/opt/x`): there is no source node, the path is the whole fact.
    OutsidePath { path: String },
    /// An entry of a registry configuration file, with its role.
    Config(Box<Configured>),
    /// An `env:` variable of a workflow, job or step that sets a registry
    /// (`PIP_EXTRA_INDEX_URL`, `NPM_CONFIG_REGISTRY`, `GOPROXY`, …), with the role the
    /// setting gives the source.
    Env(Box<EnvSetting>),
    /// An index option of an install command (`--index-url`, `--extra-index-url`,
    /// `--find-links`, `--registry`, `GOPROXY=` on the command line).
    Index { kind: IndexKind },
}

/// A configured source's role (`SourceRole`) and scope (npm `@scope`, Go pattern).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Configured {
    pub role: SourceRole,
    pub scope: Option<String>,
    /// A `directory:` or `local-registry:` source (cargo vendoring) inside the
    /// repository: packages from a copy kept next to the code.
    pub inside: bool,
}

/// An `env:` variable that sets a registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvSetting {
    /// The variable's name as written.
    pub var: String,
    pub role: SourceRole,
    pub scope: Option<String>,
}

/// One place that names a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceNaming {
    /// What names it: a package (lockfile entries), a registry configuration, a
    /// workflow, job or step (`env:`), or a command.
    pub from: NodeId,
    /// The source node; `None` for [`Naming::OutsidePath`].
    pub source: Option<NodeId>,
    /// The place: the lockfile entry's source field (or the entry), the configuration
    /// entry, the `env:` entry (key and value), the option's value.
    pub origin: Origin,
    pub naming: Naming,
}

/// The record the structural build leaves beside the `resolves-from` edges: every
/// naming, in input order and, within an input, in file order.
#[derive(Debug, Default)]
pub struct SourceNamings {
    namings: Vec<SourceNaming>,
}

impl SourceNamings {
    pub(crate) fn add(&mut self, naming: SourceNaming) {
        self.namings.push(naming);
    }
}

/// A naming found in a file, with its nodes as indices into the fragment.
#[derive(Clone, Debug)]
pub(crate) struct FNaming {
    pub from: usize,
    pub source: Option<usize>,
    pub origin: Origin,
    pub naming: Naming,
}

impl Graph {
    /// Every place that names a package source, in input and file order (lockfile
    /// entries from a default registry over `https://` excepted).
    #[must_use]
    pub fn source_namings(&self) -> &[SourceNaming] {
        self.record::<SourceNamings>()
            .map_or(&[], |r| r.namings.as_slice())
    }
}
