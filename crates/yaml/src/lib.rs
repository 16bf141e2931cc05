//! A YAML document tree that keeps the exact byte span of every key and value.
//!
//! Built from `saphyr-parser` events rather than through serde, because GitHub Actions
//! files are polymorphic at almost every key (`on:` is a string, a list or a map;
//! `permissions:` a string or a map; `container:` a string or a map) and every one of those
//! shapes must keep its position for diagnostics. The tree is bounded: aliases are expanded
//! by copying, and the total number of nodes after expansion and the nesting depth are
//! capped, so an alias bomb or a pathological nesting ends in a diagnostic, not in an
//! exhausted machine.
//!
//! Most CI files are plain block YAML; a parser of its own (`fast`) builds their tree
//! directly, the same tree to the byte, at a fraction of saphyr's cost, and leaves every
//! other document to saphyr.

mod build;
mod fast;
mod node;
mod scalar_map;

pub use build::{DuplicateKeys, Limits, Options, Warning, YamlError, parse, parse_with};
#[doc(hidden)]
pub use fast::check as fast_check;
pub use node::{Node, NodeKind, Scalar, Style};
pub use scalar_map::ScalarMap;

#[cfg(test)]
mod tests;
