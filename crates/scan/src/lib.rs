//! Input discovery, bounded reading and parallel parsing of every file tollgate
//! understands: the first two stages of the pipeline (discover → parse).
//!
//! Each file is read once into a [`SourceFile`](tollgate_model::SourceFile) and parsed
//! once; later stages share the text and models by reference.

pub mod confine;
mod discover;
pub mod follow;
pub mod gitlab;
pub mod gitlab_glob;
pub mod identity;
mod input;
pub mod local;
mod read;
mod scan;

pub use discover::{
    Candidate, DiscoverOptions, Discovery, Root, STDIN_ARG, STDIN_DISPLAY, discover,
    repository_root,
};
pub use input::{Exclude, FileModel, Input, Script, load, parse_source};
pub use read::{ReadLimits, limit_for, read_text};
pub use scan::{Progress, Scan, ScanOptions, ScanTimings, scan, scan_discovered};
