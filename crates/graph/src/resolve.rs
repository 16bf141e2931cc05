//! Resolution of local references (`./path`, `$/path`) to input files. The scan stage
//! loads referenced files it was not given; this indexes them for the graph.

use std::collections::HashMap;

use tollgate_model::FileKind;
use tollgate_scan::Input;

use crate::model::InputId;

/// What a local reference resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolution {
    Found(InputId),
    /// Not found; the normalised path that was looked for (directory for actions, file
    /// for workflows), relative to the scan root.
    Missing(String),
    /// The path climbs out of the repository (`./../x`).
    Outside,
}

/// Index of inputs by root and display path.
pub(crate) struct Resolver {
    by_path: HashMap<(usize, String), InputId>,
    /// Lockfiles and registry configs by root and directory, in input order.
    by_dir: HashMap<(usize, String), Vec<InputId>>,
    /// The kind of every input, by id.
    kinds: Vec<FileKind>,
}

/// The directory part of a display path (empty at the top).
pub(crate) fn dir_of(display: &str) -> &str {
    display.rsplit_once('/').map_or("", |(d, _)| d)
}

impl Resolver {
    /// Index the scan's inputs. The scan stage has already loaded, transitively, every
    /// local action and reusable workflow that is referenced but was not among the
    /// scanned paths, so they are all here.
    pub fn index(inputs: &[Input]) -> Self {
        let mut r = Self {
            by_path: HashMap::new(),
            by_dir: HashMap::new(),
            kinds: Vec::new(),
        };
        for (i, input) in inputs.iter().enumerate() {
            r.add(InputId(i), input);
        }
        r
    }

    fn add(&mut self, id: InputId, input: &Input) {
        if self.kinds.len() <= id.0 {
            self.kinds.resize(id.0 + 1, input.kind);
        }
        self.kinds[id.0] = input.kind;
        self.by_path
            .entry((input.root, input.source.display.clone()))
            .or_insert(id);
        if input.kind.is_lockfile() || input.kind.is_registry_config() {
            self.by_dir
                .entry((input.root, dir_of(&input.source.display).to_owned()))
                .or_default()
                .push(id);
        }
    }

    fn candidates(display: &str, path: &str, workflow: bool) -> Option<(String, Vec<String>)> {
        tollgate_scan::local::candidates(display, path, workflow)
    }

    /// Resolve a local reference made in `from`.
    pub fn resolve(&self, from: &Input, path: &str, workflow: bool) -> Resolution {
        let Some((norm, files)) = Self::candidates(&from.source.display, path, workflow) else {
            return Resolution::Outside;
        };
        files
            .into_iter()
            .find_map(|f| self.by_path.get(&(from.root, f)).copied())
            .map_or(Resolution::Missing(norm), Resolution::Found)
    }

    /// The input at a display path.
    pub fn file(&self, root: usize, path: &str) -> Option<InputId> {
        self.by_path.get(&(root, path.to_owned())).copied()
    }

    /// The kind of an input.
    pub fn kind(&self, id: InputId) -> Option<FileKind> {
        self.kinds.get(id.0).copied()
    }

    /// The lockfiles and registry configs in directory `dir` (relative to the scan root)
    /// of root `root`.
    pub fn in_dir(&self, root: usize, dir: &str) -> &[InputId] {
        self.by_dir
            .get(&(root, dir.to_owned()))
            .map_or(&[], Vec::as_slice)
    }
}
