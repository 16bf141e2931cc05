//! `rules/data/trigger-trust.toml`: who can fire each workflow event and whether such a
//! run gets the base repository's token and secrets.

use serde::Deserialize;

use crate::DataFile;
use crate::load::{Invalid, Sourced, cites};

pub const FILE: DataFile = DataFile {
    name: "trigger-trust.toml",
    text: include_str!("../../../rules/data/trigger-trust.toml"),
};

/// Who can cause an event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trust {
    /// Any GitHub user: an issue, a comment, a pull request from a fork, a star.
    Anyone,
    /// Someone with write (or triage) access, or an app or token they hold.
    Collaborators,
    /// Nobody: the clock.
    Scheduled,
    /// Whatever fired the calling workflow (`workflow_call`).
    Caller,
    /// An event the knowledge base does not list.
    #[default]
    Unknown,
}

impl Trust {
    /// The name in the data file and in the JSON graph.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Anyone => "anyone",
            Self::Collaborators => "collaborators",
            Self::Scheduled => "scheduled",
            Self::Caller => "caller",
            Self::Unknown => "unknown",
        }
    }
}

/// The table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Triggers {
    #[serde(default)]
    pub event: Vec<EventEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventEntry {
    pub name: String,
    pub trust: Trust,
    /// A run fired by the least trusted party above gets a token that can write and the
    /// repository's secrets.
    pub privileged: bool,
    pub source: String,
}

impl Triggers {
    /// Who can fire `event` and whether its run is privileged; an event not listed is
    /// `(Unknown, false)`.
    #[must_use]
    pub fn of(&self, event: &str) -> (Trust, bool) {
        self.event
            .iter()
            .find(|e| e.name == event)
            .map_or((Trust::Unknown, false), |e| (e.trust, e.privileged))
    }
}

impl Triggers {
    /// The position of `event` in the file, which lists the most dangerous first; an
    /// event not listed comes last.
    #[must_use]
    pub fn rank(&self, event: &str) -> usize {
        self.event
            .iter()
            .position(|e| e.name == event)
            .unwrap_or(usize::MAX)
    }
}

impl Sourced for Triggers {
    fn check(&self) -> Result<(), Invalid> {
        let mut seen = std::collections::BTreeSet::new();
        for e in &self.event {
            cites(&e.source, &e.name)?;
            if !seen.insert(e.name.as_str()) {
                return Err(Invalid::new(&e.name, format!("duplicate `{}`", e.name)));
            }
            if e.trust == Trust::Unknown {
                return Err(Invalid::new(
                    &e.name,
                    format!("`{}`: `unknown` is for events not listed", e.name),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The events the rules' severities depend on, as the table gives them.
    #[test]
    fn the_table_classifies_the_events_rules_depend_on() {
        let t = crate::triggers();
        let cases = [
            ("pull_request_target", Trust::Anyone, true),
            ("workflow_run", Trust::Anyone, true),
            ("issue_comment", Trust::Anyone, true),
            ("pull_request", Trust::Anyone, false),
            ("pull_request_review", Trust::Anyone, false),
            ("push", Trust::Collaborators, true),
            ("workflow_dispatch", Trust::Collaborators, true),
            ("schedule", Trust::Scheduled, true),
            ("workflow_call", Trust::Caller, false),
            ("no_such_event", Trust::Unknown, false),
        ];
        for (event, trust, privileged) in cases {
            assert_eq!(t.of(event), (trust, privileged), "{event}");
        }
    }
}
