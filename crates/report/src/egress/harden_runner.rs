//! The harden-runner form of an egress result: per job, `egress-policy: block` and an
//! `allowed-endpoints` folded block to paste under the `with:` of the step.

use std::fmt::Write as _;

use tollgate_egress::JobEgress;
use tollgate_egress::harden::listable;

use super::{at, conditional, split_for_list};
use crate::escape::visible;

/// One YAML fragment per job: `egress-policy: block` and the `allowed-endpoints` folded
/// block, indented to paste under the `with:` of a harden-runner step. Comments name the
/// job and everything the list cannot say.
#[must_use]
pub fn render(jobs: &[&JobEgress]) -> String {
    let mut out = String::new();
    for (i, job) in jobs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // harden-runner is a GitHub Action: a GitLab job's list is applied on its
        // runner's network instead (docs/ci.md).
        if job.gitlab {
            let _ = writeln!(
                out,
                "# {}: job `{}` is a GitLab CI job: harden-runner does not apply; `--format text` or `--format json` lists its hosts for the runner's firewall or proxy (docs/ci.md)",
                visible(&job.workflow),
                visible(&job.job_id)
            );
            continue;
        }
        let _ = writeln!(
            out,
            "# {}: job `{}`",
            visible(&job.workflow),
            visible(&job.job_id)
        );
        let (entries, shared) = split_for_list(job);
        for d in shared {
            let why = d.provenance.first().map_or(String::new(), |p| {
                format!(" (needed by {})", visible(&p.label))
            });
            let _ = writeln!(
                out,
                "# not listed: `{}`{why} is a wildcard over a shared hosting domain; add the exact names an audit run shows",
                visible(&d.endpoint())
            );
        }
        for u in &job.unresolved {
            let _ = writeln!(
                out,
                "# unresolved: {} ({}{})",
                visible(&u.text),
                visible(&u.label),
                u.location
                    .as_ref()
                    .map_or(String::new(), |l| format!(", {}", at(l)))
            );
        }
        for a in &job.unknown_actions {
            let _ = writeln!(out, "# network use unknown: {}", visible(&a.reference));
        }
        for (d, why) in conditional(job) {
            let _ = writeln!(
                out,
                "# conditional, not listed: {} ({})",
                visible(&d.endpoint()),
                visible(why)
            );
        }
        let (entries, odd): (Vec<_>, Vec<_>) =
            entries.into_iter().partition(|d| listable(&d.endpoint()));
        for d in odd {
            let _ = writeln!(
                out,
                "# not listed: `{}` is not a host name",
                visible(&d.endpoint())
            );
        }
        match job.incomplete() {
            Some(why) => {
                let _ = writeln!(
                    out,
                    "# incomplete: {why}; run harden-runner with `egress-policy: audit` and add what it records before blocking"
                );
            }
            None => {
                out.push_str("# complete as far as the files show: nothing is left unresolved\n")
            }
        }
        out.push_str("egress-policy: block\n");
        out.push_str("allowed-endpoints: >\n");
        for d in entries {
            let _ = writeln!(out, "  {}", d.endpoint());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_host_names_go_into_the_yaml_block() {
        assert!(listable("api.github.com:443"));
        assert!(listable("*.blob.core.windows.net:443"));
        for odd in [
            "",
            "evil.example\negress-policy: audit:443",
            "a b:443",
            "x#y:443",
            "\"q\":443",
        ] {
            assert!(!listable(odd), "{odd:?}");
        }
    }
}
