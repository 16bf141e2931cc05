//! The organisation inventory database: what `tollgate scan-org --db` writes.
//!
//! Each repository's facts are taken from the analyses that own them ([`facts::Facts::of`]:
//! the inventory's per-job dependencies and identities, the graph's workflows, triggers
//! and lockfile packages, the rules' findings), turned into plain rows while the
//! repository's graph is alive, and written by one [`Writer`] after the graph is
//! released. Every table is keyed by natural names (repository, workflow path, job id),
//! not by row numbers, so shard databases merge by concatenation ([`merge`]) and a merged
//! database holds the same rows as one unsharded run.

pub mod facts;
mod merge;
mod schema;
pub mod shard;
mod write;

pub use facts::{Facts, Repository};
pub use merge::{contents, merge};
pub use schema::{SCHEMA_VERSION, TABLES};
pub use write::Writer;

/// A database that cannot be created, written, read or merged.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("`{path}`: {source}")]
    Sqlite {
        path: String,
        source: rusqlite::Error,
    },
    #[error("`{path}`: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("`{path}` is not a tollgate organisation database (no schema version)")]
    NotOurs { path: String },
    #[error(
        "`{path}` has schema version {found}; this tollgate writes and merges version {expected}"
    )]
    Version {
        path: String,
        found: i64,
        expected: i64,
    },
    #[error("repository `{repository}` is in `{path}` and in an earlier database")]
    Duplicate { repository: String, path: String },
}
