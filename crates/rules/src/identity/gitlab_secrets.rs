//! `secrets-exposure` on GitLab CI: `id_tokens:` and `secrets:` under `default:`, which
//! GitLab gives every job of the pipeline (but those that opt out with `inherit:`), not
//! only the jobs that need them.
//!
//! Read from each GitLab file's own document (a root configuration or a file it
//! includes: a `default:` in an included file is the pipeline's), at the entry's key.

use tollgate_engine::Sink;
use tollgate_model::Impact;
use tollgate_scan::{FileModel, Input};
use tollgate_yaml::Node;

use crate::common::quoted;

/// Report each entry of `default: id_tokens:` and `default: secrets:` of `input`.
pub(super) fn defaults(input: &Input, out: &mut Sink<'_>) {
    let FileModel::Gitlab(m) = &*input.parsed else {
        return;
    };
    let Some(default) = m.file.document.as_ref().and_then(|d| d.get("default")) else {
        return;
    };
    for (key, what) in [("id_tokens", "ID token"), ("secrets", "secret")] {
        let Some(entries) = default.get(key).and_then(Node::as_map) else {
            continue;
        };
        for (name, _) in entries {
            let Some(n) = name.as_str() else { continue };
            out.at(&input.source, name.span)
                .message(format!(
                    "`default: {key}:` gives {what} `{}` to every job of the pipeline, not only the jobs that need it",
                    quoted(n)
                ))
                .help(format!(
                    "move `{key}:` to the jobs (or a template they extend) that use `{}`; jobs that must not have it can set `inherit: default: false`",
                    quoted(n)
                ))
                .severity(if key == "secrets" { Impact::High } else { Impact::Medium })
                .emit();
        }
    }
}
