//! What `check` shows a person: a summary first (counts by level, then by rule, most
//! severe first), then the findings and diagnostics ordered by level, identical ones
//! (same rule or code, same level, same message but for the job id it names) grouped into
//! one entry with the count and every place; and the one-line-per-finding `concise`
//! format.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use rayon::prelude::*;
use tollgate_model::{Diagnostic, Finding, Level, Severity, SourceFile};

use tollgate_report::baseline::job_masked;

use crate::human::{Human, guard_commands, line};

/// The level a diagnostic is shown and filtered at.
#[must_use]
pub fn level_of(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Note => Level::Note,
    }
}

/// What a baseline did to the run, for the summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct BaselineCounts {
    /// Findings the baseline holds (not shown, not failing).
    pub baselined: usize,
    /// Findings the baseline holds at a lower level (shown again).
    pub risen: usize,
    /// Baseline entries no finding matched any more.
    pub fixed: usize,
}

/// Everything the human listing is made of.
pub struct Listing<'a> {
    pub sources: &'a HashMap<&'a str, &'a SourceFile>,
    /// The findings reported (after the baseline), in their deterministic order.
    pub findings: &'a [&'a Finding],
    pub diagnostics: &'a [Diagnostic],
    /// `--show-level`: items below it are counted but not shown.
    pub show: Option<Level>,
    pub quiet: bool,
    pub scanned: usize,
    pub suppressed: usize,
    pub baseline: Option<BaselineCounts>,
}

/// One entry of the listing: identical findings, or identical diagnostics.
enum Group<'a> {
    Findings(Vec<&'a Finding>),
    Diagnostics(Vec<&'a Diagnostic>),
}

impl Group<'_> {
    fn level(&self) -> Level {
        match self {
            Self::Findings(f) => f[0].level,
            Self::Diagnostics(d) => level_of(d[0].severity),
        }
    }

    /// Where the first of the group is, for the order of entries within a level.
    fn first(&self) -> (&str, u32, u32) {
        match self {
            Self::Findings(f) => {
                let p = &f[0].primary;
                (&p.path, p.start.line, p.start.column)
            }
            Self::Diagnostics(d) => {
                let (path, l, c, _) = d[0].sort_key();
                (path, l, c)
            }
        }
    }

    /// `path:line:column` of every member but the first (whose excerpt is shown).
    fn other_places(&self) -> Vec<String> {
        match self {
            // A member of another job than the first's names it: the message shown is the
            // first's.
            Self::Findings(f) => f[1..]
                .iter()
                .map(|m| {
                    let p = &m.primary;
                    let mut at = format!("{}:{}:{}", line(&p.path), p.start.line, p.start.column);
                    if let Some(job) = m.job.as_deref().filter(|_| m.job != f[0].job) {
                        let _ = write!(at, " (job `{}`)", line(job));
                    }
                    at
                })
                .collect(),
            Self::Diagnostics(d) => d[1..]
                .iter()
                .map(|d| match &d.location {
                    Some(l) => format!("{}:{}:{}", line(&d.path), l.start.line, l.start.column),
                    None => line(&d.path),
                })
                .collect(),
        }
    }
}

/// Group identical items, keeping the order of their first members.
fn grouped<'a, T, K: std::hash::Hash + Eq>(
    items: impl Iterator<Item = &'a T>,
    key: impl Fn(&'a T) -> K,
) -> Vec<Vec<&'a T>>
where
    T: 'a,
{
    let mut at: HashMap<K, usize> = HashMap::new();
    let mut groups: Vec<Vec<&T>> = Vec::new();
    for item in items {
        match at.entry(key(item)) {
            std::collections::hash_map::Entry::Occupied(e) => groups[*e.get()].push(item),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(groups.len());
                groups.push(vec![item]);
            }
        }
    }
    groups
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Listing<'_> {
    fn shown(&self, level: Level) -> bool {
        self.show.is_none_or(|s| level >= s)
    }

    /// The totals line: counts by level, inputs, problems, and what was left out.
    fn totals(&self) -> String {
        let findings = self.findings;
        let count = |l| findings.iter().filter(|f| f.level == l).count();
        let mut s = format!(
            "{} finding{} ({} error{}, {} warning{}, {} note{}) in {} input{}",
            findings.len(),
            plural(findings.len()),
            count(Level::Error),
            plural(count(Level::Error)),
            count(Level::Warning),
            plural(count(Level::Warning)),
            count(Level::Note),
            plural(count(Level::Note)),
            self.scanned,
            plural(self.scanned),
        );
        let problems = self
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Note)
            .count();
        if problems > 0 {
            let _ = write!(s, "; {problems} input problem{}", plural(problems));
        }
        if self.suppressed > 0 {
            let _ = write!(s, "; {} suppressed", self.suppressed);
        }
        if let Some(b) = self.baseline {
            let _ = write!(s, "; {} in the baseline", b.baselined);
            if b.risen > 0 {
                let _ = write!(s, " ({} shown again: level rose)", b.risen);
            }
            if b.fixed > 0 {
                let _ = write!(s, "; {} baseline finding{} fixed", b.fixed, plural(b.fixed));
            }
        }
        let hidden = findings.iter().filter(|f| !self.shown(f.level)).count()
            + self
                .diagnostics
                .iter()
                .filter(|d| !self.shown(level_of(d.severity)))
                .count();
        if hidden > 0 {
            let _ = write!(s, "; {hidden} below --show-level not shown");
        }
        s.push('\n');
        s
    }

    /// The summary that leads the output: the totals, then one row per rule (and input
    /// diagnostic code) with its level and count, most severe first, then most frequent.
    fn summary(&self) -> String {
        let mut rows: BTreeMap<(std::cmp::Reverse<Level>, String), usize> = BTreeMap::new();
        for f in self.findings {
            *rows
                .entry((std::cmp::Reverse(f.level), f.rule.to_owned()))
                .or_insert(0) += 1;
        }
        for d in self.diagnostics {
            let code = format!("input::{}", d.code.as_str());
            *rows
                .entry((std::cmp::Reverse(level_of(d.severity)), code))
                .or_insert(0) += 1;
        }
        let mut rows: Vec<(Level, String, usize)> =
            rows.into_iter().map(|((l, r), n)| (l.0, r, n)).collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.cmp(&a.2)).then(a.1.cmp(&b.1)));
        let mut s = self.totals();
        if !rows.is_empty() {
            s.push('\n');
            for (level, rule, n) in rows {
                let _ = writeln!(s, "  {:<8}{n:>6}  {rule}", level.as_str());
            }
            s.push('\n');
        }
        s
    }

    /// The whole human output.
    #[must_use]
    pub fn render(&self, human: &Human) -> String {
        let mut groups: Vec<Group<'_>> = Vec::new();
        let findings = self
            .findings
            .iter()
            .copied()
            .filter(|f| self.shown(f.level));
        groups.extend(
            grouped(findings, |f| (f.rule, f.level, job_masked(f)))
                .into_iter()
                .map(Group::Findings),
        );
        let diagnostics = self.diagnostics.iter().filter(|d| {
            self.shown(level_of(d.severity)) && !(self.quiet && d.severity == Severity::Note)
        });
        groups.extend(
            grouped(diagnostics, |d| (d.code, d.severity, d.message.as_str()))
                .into_iter()
                .map(Group::Diagnostics),
        );
        groups.sort_by(|a, b| b.level().cmp(&a.level()).then(a.first().cmp(&b.first())));
        // Each entry's excerpt on its own, in parallel; joined in order.
        let rendered: Vec<String> = groups
            .par_iter()
            .map(|g| {
                let mut one = String::new();
                match g {
                    Group::Findings(f) => {
                        human.finding(
                            &mut one,
                            f[0],
                            self.sources.get(&*f[0].primary.path).copied(),
                        );
                    }
                    Group::Diagnostics(d) => {
                        human.diagnostic(
                            &mut one,
                            d[0],
                            self.sources.get(d[0].path.as_str()).copied(),
                        );
                    }
                }
                let others = g.other_places();
                if !others.is_empty() {
                    // Before the blank line that ends the entry.
                    if one.ends_with("\n\n") {
                        one.pop();
                    }
                    let mut places = format!(
                        "  {} more place{} alike:\n",
                        others.len(),
                        plural(others.len())
                    );
                    for p in others {
                        let _ = writeln!(places, "    {p}");
                    }
                    one.push_str(&guard_commands(&places));
                    one.push('\n');
                }
                one
            })
            .collect();
        let mut s = String::new();
        if !self.quiet {
            s.push_str(&self.summary());
        }
        s.reserve(rendered.iter().map(String::len).sum());
        for one in rendered {
            s.push_str(&one);
        }
        if !self.quiet {
            s.push_str(&self.totals());
        }
        s
    }
}

/// `--format concise`: one line per finding and diagnostic, in file order,
/// `path:line:column: level[rule] message`, input text escaped and no line a workflow
/// command.
#[must_use]
pub fn concise(findings: &[&Finding], diagnostics: &[&Diagnostic]) -> String {
    let mut lines: Vec<((&str, u32, u32), String)> =
        Vec::with_capacity(findings.len() + diagnostics.len());
    for f in findings {
        let p = &f.primary;
        lines.push((
            (&p.path, p.start.line, p.start.column),
            format!(
                "{}:{}:{}: {}[{}] {}\n",
                line(&p.path),
                p.start.line,
                p.start.column,
                f.level.as_str(),
                f.rule,
                line(&f.message)
            ),
        ));
    }
    for d in diagnostics {
        let (path, l, c, _) = d.sort_key();
        let at = d.location.as_ref().map_or_else(String::new, |loc| {
            format!(":{}:{}", loc.start.line, loc.start.column)
        });
        lines.push((
            (path, l, c),
            format!(
                "{}{at}: {}[input::{}] {}\n",
                line(&d.path),
                level_of(d.severity).as_str(),
                d.code.as_str(),
                line(&d.message)
            ),
        ));
    }
    // Stable: a finding and a diagnostic at one place keep the order above.
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let text: String = lines.into_iter().map(|(_, l)| l).collect();
    guard_commands(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_keep_the_order_of_their_first_members() {
        let items = ["a1", "b1", "a2", "c1", "b2"];
        let groups = grouped(items.iter(), |s| s.as_bytes()[0]);
        let firsts: Vec<Vec<&&str>> = groups;
        assert_eq!(
            firsts,
            vec![vec![&"a1", &"a2"], vec![&"b1", &"b2"], vec![&"c1"]]
        );
    }
}
