//! The pins pass: the commit each repository already records for an action's tag, from
//! its own `uses: owner/repo@<sha> # <tag>` lines, so that a `uses:` of the same action at
//! the tag can be pinned to it (`unpinned-action`'s offline fix) with one look-up instead
//! of a walk over every step for every finding.

use std::collections::HashMap;

use tollgate_gha::Step;
use tollgate_graph::Graph;
use tollgate_model::Diagnostic;
use tollgate_model::addr::is_commit_sha;
use tollgate_scan::{FileModel, Scan};

pub struct Pass;

/// `(scan root, action lowercase, tag) → commit`, the first recorded in input order.
#[derive(Debug, Default)]
pub struct RecordedPins(HashMap<(usize, String, String), String>);

impl RecordedPins {
    /// The commit a `uses:` in root `root` records for `action` at `tag`.
    #[must_use]
    pub fn get(&self, root: usize, action: &str, tag: &str) -> Option<&str> {
        self.0
            .get(&(root, action.to_ascii_lowercase(), tag.to_owned()))
            .map(String::as_str)
    }
}

/// The version a `# comment` after a pinned `uses:` names: its first word.
fn comment_version(comment: &str) -> Option<&str> {
    comment.trim_start_matches('#').split_whitespace().next()
}

fn add(map: &mut HashMap<(usize, String, String), String>, root: usize, step: &Step) {
    let (Some(text), Some(comment)) = (step.uses_text(), step.uses_comment()) else {
        return;
    };
    let (Some((action, r)), Some(tag)) = (text.value.rsplit_once('@'), comment_version(comment))
    else {
        return;
    };
    if is_commit_sha(r) {
        map.entry((root, action.to_ascii_lowercase(), tag.to_owned()))
            .or_insert_with(|| r.to_ascii_lowercase());
    }
}

impl tollgate_graph::Pass for Pass {
    fn name(&self) -> &'static str {
        "pins"
    }

    fn run(&self, scan: &Scan, graph: &mut Graph) -> Vec<Diagnostic> {
        let mut map = HashMap::new();
        for input in &scan.inputs {
            match input.parsed.as_ref() {
                FileModel::Workflow(w) => {
                    for s in w.jobs.iter().flat_map(|j| j.steps.iter()) {
                        add(&mut map, input.root, s);
                    }
                }
                FileModel::Action(a) => {
                    for s in a.steps() {
                        add(&mut map, input.root, s);
                    }
                }
                _ => {}
            }
        }
        graph.set_record(RecordedPins(map));
        Vec::new()
    }
}
