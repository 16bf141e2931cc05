//! Renderers of an egress result (`tollgate egress`): harden-runner `with:` blocks to
//! paste ([`harden_runner`]), text for people ([`text`]) and a versioned JSON document of
//! frozen DTOs ([`json`]). The analysis is in `tollgate-egress`; these only format it.

pub mod harden_runner;
pub mod json;
pub mod text;

use tollgate_egress::{Destination, JobEgress, broad_wildcard};
use tollgate_model::Location;

use crate::escape::visible;

/// `path:line:column` of a location, input text shown on one line.
fn at(l: &Location) -> String {
    format!("{}:{}:{}", visible(&l.path), l.start.line, l.start.column)
}

/// Destinations a harden-runner list should carry as entries: everything but wildcards
/// over shared hosting domains, which are left to the user as a comment, and hosts
/// needed only under a condition (a setup action's download the runner's tool cache
/// makes unneeded), which [`conditional`] gives.
fn split_for_list(job: &JobEgress) -> (Vec<&Destination>, Vec<&Destination>) {
    job.destinations
        .iter()
        .filter(|d| d.condition().is_none())
        .partition(|d| !d.wildcard || broad_wildcard(&d.host).is_none())
}

/// Destinations needed only under a condition, with it.
fn conditional(job: &JobEgress) -> impl Iterator<Item = (&Destination, &str)> {
    job.destinations
        .iter()
        .filter_map(|d| d.condition().map(|c| (d, c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_text_is_shown_on_one_line() {
        assert_eq!(visible("ci.yml"), "ci.yml");
        assert_eq!(
            visible("a\u{1b}]52;c;AA\u{7}\n::error file=x::forged"),
            "a\\u{1b}]52;c;AA\\u{7}\\n::error file=x::forged"
        );
        assert_eq!(visible("\r\t\u{9b}\u{202e}"), "\\r\\t\\u{9b}\\u{202e}");
    }
}
