//! The review report: one self-contained HTML page with the overview diagram, the findings
//! (filterable by rule, level and job), the inventory and the egress allow-lists.
//!
//! Self-contained and inert: the style and the script are inline, nothing is fetched, and
//! a Content-Security-Policy allows no source but the page's own script (by its SHA-256)
//! and inline styles. Every text from the input goes through [`crate::escape::html`]; the
//! script reads the table through the DOM and writes only `textContent`, `hidden` and the
//! URL fragment, so it never parses input text as markup.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use tollgate_egress::JobEgress;
use tollgate_inventory::{Dependency, Inventory, JobIdentity};
use tollgate_model::{Diagnostic, Finding, Level};

use crate::escape::html as h;
use crate::findings::RuleInfo;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");
/// `base64(sha256(SCRIPT))`, for the Content-Security-Policy. A unit test recomputes it
/// (with `openssl` where installed) and the browser test fails when the script is blocked.
const SCRIPT_SHA256: &str = "xZ9UVVeUokQ9KU8zpo/cXxnywcVmKqf7R9wXWkzLHwY=";

/// The overview diagram as the report shows it.
pub enum Diagram {
    /// SVG drawn by Graphviz from the overview's DOT.
    Svg(String),
    /// No SVG (Graphviz missing or failed): why, and the DOT source to render elsewhere.
    Unavailable { why: String, dot: String },
}

/// Everything the report shows.
pub struct Report<'a> {
    /// What was scanned, for the title (the repository, or the paths given).
    pub title: &'a str,
    pub version: &'a str,
    pub rules: &'a [RuleInfo],
    pub findings: &'a [Finding],
    pub diagnostics: &'a [Diagnostic],
    pub inventory: &'a Inventory,
    pub egress: &'a [&'a JobEgress],
    pub diagram: Diagram,
}

/// The job a finding belongs to, as the filter names it: `path: job`.
fn job_key(f: &Finding) -> Option<String> {
    f.job
        .as_deref()
        .map(|job| format!("{}: {job}", f.primary.path))
}

/// Render the report.
#[must_use]
pub fn render(r: &Report<'_>) -> String {
    let mut s = String::with_capacity(64 * 1024 + r.findings.len() * 400);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{SCRIPT_SHA256}'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>tollgate review: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        h(r.title)
    );
    header(&mut s, r);
    s.push_str("<main>\n");
    diagram(&mut s, &r.diagram);
    findings(&mut s, r);
    inventory(&mut s, r.inventory);
    egress(&mut s, r.egress);
    diagnostics(&mut s, r.diagnostics);
    let _ = write!(s, "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n");
    s
}

fn header(s: &mut String, r: &Report<'_>) {
    let t = &r.inventory.totals;
    let by_level = |l: Level| r.findings.iter().filter(|f| f.level == l).count();
    let _ = write!(
        s,
        "<header>\n<h1>tollgate review: {}</h1>\n<div class=\"muted\">tollgate {}</div>\n\
         <nav><a href=\"#overview\">Overview</a><a href=\"#findings\">Findings</a>\
         <a href=\"#inventory\">Inventory</a><a href=\"#egress\">Egress</a>\
         <a href=\"#diagnostics\">Diagnostics</a></nav>\n<div class=\"cards\">\n",
        h(r.title),
        h(r.version)
    );
    let cards: [(&str, usize); 10] = [
        ("errors", by_level(Level::Error)),
        ("warnings", by_level(Level::Warning)),
        ("notes", by_level(Level::Note)),
        ("workflows", t.workflows),
        ("jobs", t.jobs),
        ("external dependencies", t.external),
        ("unpinned dependencies", t.unpinned),
        ("jobs with a write token", t.jobs_writing),
        ("jobs holding secrets", t.jobs_with_secrets),
        ("hosts reached", t.hosts),
    ];
    for (label, n) in cards {
        let _ = writeln!(s, "<div class=\"card\"><b>{n}</b>{label}</div>");
    }
    s.push_str("</div>\n</header>\n");
}

fn diagram(s: &mut String, d: &Diagram) {
    s.push_str("<section id=\"overview\">\n<h2>Overview</h2>\n");
    s.push_str(
        "<p class=\"muted\">Events, workflows and jobs (with what each holds) and the external \
         dependencies they fetch, grouped. Red: risk; orange: needs a look; green: pinned or \
         with a fallback. Hover a node for details.</p>\n",
    );
    match d {
        Diagram::Svg(svg) => {
            // Graphviz writes an XML prolog and a DOCTYPE before the element; inline SVG
            // starts at `<svg`. Its text is Graphviz's own escaping of labels tollgate
            // already escaped for DOT.
            let start = svg.find("<svg").unwrap_or(svg.len());
            let _ = write!(
                s,
                "<p><button id=\"diagram-zoom\" type=\"button\">Actual size</button></p>\n\
                 <div id=\"diagram\" class=\"diagram fit\">{}</div>\n",
                &svg[start..]
            );
        }
        Diagram::Unavailable { why, dot } => {
            let _ = write!(
                s,
                "<p>The diagram is not drawn: {}.</p>\n<details><summary>Its Graphviz DOT source</summary><pre>{}</pre></details>\n",
                h(why),
                h(dot)
            );
        }
    }
    s.push_str("</section>\n");
}

/// `<option>`s for a filter: an empty "all" entry and the values with their counts.
fn options(s: &mut String, all: &str, values: &BTreeMap<String, usize>) {
    let _ = write!(s, "<option value=\"\">{all}</option>");
    for (v, n) in values {
        let _ = write!(s, "<option value=\"{0}\">{0} ({n})</option>", h(v));
    }
}

fn findings(s: &mut String, r: &Report<'_>) {
    s.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if r.findings.is_empty() {
        s.push_str("<p>No findings.</p>\n</section>\n");
        return;
    }
    let mut rules = BTreeMap::new();
    let mut levels = BTreeMap::new();
    let mut jobs = BTreeMap::new();
    for f in r.findings {
        *rules.entry(f.rule.to_owned()).or_insert(0) += 1;
        *levels.entry(f.level.as_str().to_owned()).or_insert(0) += 1;
        if let Some(j) = job_key(f) {
            *jobs.entry(j).or_insert(0) += 1;
        }
    }
    s.push_str("<div class=\"filters\">\n<label>Rule <select id=\"filter-rule\">");
    options(s, "all rules", &rules);
    s.push_str("</select></label>\n<label>Level <select id=\"filter-level\">");
    options(s, "all levels", &levels);
    s.push_str("</select></label>\n<label>Job <select id=\"filter-job\">");
    options(s, "all jobs", &jobs);
    s.push_str(
        "</select></label>\n<label>Text <input id=\"filter-text\" type=\"search\"></label>\n\
         <button id=\"filter-reset\" type=\"button\">Show all</button>\n",
    );
    let _ = writeln!(
        s,
        "<span id=\"findings-count\" class=\"muted\">{} findings</span>\n</div>",
        r.findings.len()
    );
    s.push_str(
        "<table id=\"findings-table\">\n<thead><tr><th>Level</th><th>Rule</th><th>Where</th>\
         <th>Job</th><th>Finding</th></tr></thead>\n<tbody>\n",
    );
    let help: BTreeMap<&str, &str> = r
        .rules
        .iter()
        .map(|i| (i.id.as_str(), i.help_uri.as_str()))
        .collect();
    let mut ordered: Vec<&Finding> = r.findings.iter().collect();
    ordered.sort_by(|a, b| b.level.cmp(&a.level).then(a.sort_key().cmp(&b.sort_key())));
    for f in ordered {
        let level = f.level.as_str();
        let job = job_key(f).unwrap_or_default();
        let rule = match help.get(f.rule) {
            Some(uri) if uri.starts_with("https://") => {
                format!("<a href=\"{}\">{}</a>", h(uri), h(f.rule))
            }
            _ => h(f.rule).into_owned(),
        };
        let _ = write!(
            s,
            "<tr data-rule=\"{}\" data-level=\"{level}\" data-job=\"{}\"><td class=\"level level-{level}\">{level}</td>\
             <td>{rule}</td><td><code>{}:{}:{}</code></td><td>{}</td><td>{}",
            h(f.rule),
            h(&job),
            h(&f.primary.path),
            f.primary.start.line,
            f.primary.start.column,
            f.job
                .as_deref()
                .map_or(String::new(), |j| h(j).into_owned()),
            h(&f.message),
        );
        if let Some(help) = &f.help {
            let lines: Vec<String> = help.lines().map(|l| h(l).into_owned()).collect();
            let _ = write!(
                s,
                "<details><summary>How to fix</summary>{}</details>",
                lines.join("<br>")
            );
        }
        s.push_str("</td></tr>\n");
    }
    s.push_str("</tbody>\n</table>\n</section>\n");
}

/// Cells joined by `, `, at most `max` of them.
fn list(items: &[String], max: usize) -> String {
    if items.is_empty() {
        return "—".to_owned();
    }
    let mut v: Vec<String> = items
        .iter()
        .take(max)
        .map(|i| format!("<code>{}</code>", h(i)))
        .collect();
    if items.len() > max {
        v.push(format!("and {} more", items.len() - max));
    }
    v.join(", ")
}

fn inventory(s: &mut String, inv: &Inventory) {
    s.push_str("<section id=\"inventory\">\n<h2>Inventory</h2>\n");
    gaps(s, inv);
    dependencies(s, &inv.dependencies);
    identities(s, &inv.jobs);
    s.push_str("</section>\n");
}

fn gaps(s: &mut String, inv: &Inventory) {
    s.push_str("<h3>What stops a job when it is down</h3>\n");
    let mut rows = String::new();
    for d in inv.dependencies.iter().filter(|d| d.external) {
        for u in d.uses.iter().filter(|u| u.fallbacks.is_empty()) {
            let at = u.site.as_ref().map_or_else(
                || "—".to_owned(),
                |site| format!("<code>{}:{}</code>", h(&site.path), site.start.line),
            );
            let _ = writeln!(
                rows,
                "<tr><td><code>{}</code></td><td>{}: {}</td><td>{at}</td><td>{}</td></tr>",
                h(&d.name),
                h(&u.job.workflow),
                h(&u.job.job),
                h(&u.pinning.how)
            );
        }
    }
    if rows.is_empty() {
        s.push_str("<p>Every external dependency has a cache, mirror, vendored copy or retry in every job that uses it.</p>\n");
        return;
    }
    let _ = write!(
        s,
        "<table><thead><tr><th>Dependency</th><th>Job</th><th>Introduced at</th><th>Pinned by</th></tr></thead>\n<tbody>\n{rows}</tbody></table>\n"
    );
}

fn dependencies(s: &mut String, deps: &[Dependency]) {
    s.push_str("<h3>Delivery dependencies</h3>\n");
    if deps.is_empty() {
        s.push_str("<p>None found.</p>\n");
        return;
    }
    s.push_str(
        "<table><thead><tr><th>Dependency</th><th>Kind</th><th>Hosts</th><th>Pinned</th>\
         <th>Fallback</th><th>Used by</th></tr></thead>\n<tbody>\n",
    );
    for d in deps {
        let p = d.pinning();
        let pinned = match p.pinned {
            Some(true) => format!("yes ({})", h(&p.how)),
            Some(false) => format!("<b>no</b> ({})", h(&p.how)),
            None => "n/a".to_owned(),
        };
        let mut by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for u in &d.uses {
            by.entry(u.job.workflow.as_str())
                .or_default()
                .push(u.job.job.as_str());
        }
        let used: Vec<String> = by
            .into_iter()
            .map(|(w, mut jobs)| {
                jobs.dedup();
                format!("<code>{}</code>: {}", h(w), h(&jobs.join(", ")))
            })
            .collect();
        let kind = match &d.note {
            Some(n) => format!("{} ({})", d.kind.as_str(), h(n)),
            None => d.kind.as_str().to_owned(),
        };
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td>{kind}</td><td>{}</td><td>{pinned}</td><td>{}</td><td>{}</td></tr>",
            h(&d.name),
            list(&d.hosts, 4),
            h(&crate::inventory::fallback_summary(d)),
            used.join("; ")
        );
    }
    s.push_str("</tbody></table>\n");
}

fn identities(s: &mut String, jobs: &[JobIdentity]) {
    s.push_str("<h3>Build identities</h3>\n");
    if jobs.is_empty() {
        s.push_str("<p>No jobs found.</p>\n");
        return;
    }
    s.push_str(
        "<p class=\"muted\">What each job holds and reaches, most exposed first.</p>\n\
         <table><thead><tr><th>Job</th><th>Runner</th><th>Token permissions</th><th>Secrets</th>\
         <th>OIDC</th><th>Environment</th><th>Timeout</th><th>Hosts reached</th>\
         <th>No fallback</th></tr></thead>\n<tbody>\n",
    );
    for j in jobs {
        let runner = if j.self_hosted {
            format!("<b>self-hosted</b> ({})", h(&j.runner))
        } else {
            h(&j.runner).into_owned()
        };
        let perms = if j.default_token {
            "<b>repository default</b>".to_owned()
        } else if j.permissions.is_empty() {
            "none".to_owned()
        } else {
            let v: Vec<String> = j
                .permissions
                .iter()
                .map(|p| {
                    if p.ends_with(": write") {
                        format!("<b>{}</b>", h(p))
                    } else {
                        h(p).into_owned()
                    }
                })
                .collect();
            v.join(", ")
        };
        let timeout = match (&j.timeout_minutes, j.calls_workflow) {
            (Some(t), _) => format!("{} min", h(t)),
            (None, true) => "n/a".to_owned(),
            (None, false) => format!("<b>none</b> ({})", h(j.default_timeout)),
        };
        let _ = writeln!(
            s,
            "<tr><td><code>{}: {}</code></td><td>{runner}</td><td>{perms}</td><td>{}</td><td>{}</td><td>{}</td><td>{timeout}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            h(&j.job.workflow),
            h(&j.job.job),
            list(&j.secrets, 6),
            if j.oidc { "<b>yes</b>" } else { "no" },
            j.environment
                .as_deref()
                .map_or_else(|| "—".to_owned(), |e| h(e).into_owned()),
            list(&j.hosts, 6),
            j.without_fallback
        );
    }
    s.push_str("</tbody></table>\n");
}

fn egress(s: &mut String, jobs: &[&JobEgress]) {
    s.push_str("<section id=\"egress\">\n<h2>Egress allow-lists</h2>\n");
    if jobs.is_empty() {
        s.push_str("<p>No jobs.</p>\n</section>\n");
        return;
    }
    s.push_str(
        "<p class=\"muted\">Per job, the hosts it reaches outside GitHub's own service and why, \
         and a harden-runner block to paste under the step's <code>with:</code>.</p>\n",
    );
    for job in jobs {
        let external: Vec<_> = job.external().collect();
        let state = job.incomplete().map_or_else(
            || "complete as far as the files show".to_owned(),
            |w| format!("incomplete: {}", h(&w)),
        );
        let _ = writeln!(
            s,
            "<details><summary><code>{}: {}</code>: {} hosts, {state}</summary>",
            h(&job.workflow),
            h(&job.job_id),
            external.len()
        );
        if !external.is_empty() {
            s.push_str("<table><thead><tr><th>Endpoint</th><th>Why</th></tr></thead><tbody>\n");
            for d in external {
                let mut why: Vec<String> = d
                    .provenance
                    .iter()
                    .filter(|p| !p.platform)
                    .map(|p| h(&p.label).into_owned())
                    .collect();
                why.dedup();
                let when = d
                    .condition()
                    .map_or(String::new(), |c| format!(" <i>only when {}</i>", h(c)));
                let _ = writeln!(
                    s,
                    "<tr><td><code>{}</code></td><td>{}{when}</td></tr>",
                    h(&d.endpoint()),
                    why.join("; ")
                );
            }
            s.push_str("</tbody></table>\n");
        }
        let _ = write!(
            s,
            "<pre>{}</pre>\n</details>\n",
            h(&crate::egress::harden_runner::render(&[job]))
        );
    }
    s.push_str("</section>\n");
}

fn diagnostics(s: &mut String, diagnostics: &[Diagnostic]) {
    s.push_str("<section id=\"diagnostics\">\n<h2>Diagnostics</h2>\n");
    if diagnostics.is_empty() {
        s.push_str("<p>Every file was read and understood.</p>\n</section>\n");
        return;
    }
    s.push_str("<ul>\n");
    for d in diagnostics {
        let at = d.location.as_ref().map_or_else(
            || h(&d.path).into_owned(),
            |l| format!("{}:{}:{}", h(&l.path), l.start.line, l.start.column),
        );
        let _ = writeln!(
            s,
            "<li><code>{at}</code> {}[{}]: {}</li>",
            h(d.severity.as_str()),
            h(d.code.as_str()),
            h(&d.message)
        );
    }
    s.push_str("</ul>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::print_stderr)]
    fn the_script_hash_matches_the_script() {
        use std::io::Write as _;
        use std::process::{Command, Stdio};
        let digest = Command::new("openssl")
            .args(["dgst", "-sha256", "-binary"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn();
        let Ok(mut child) = digest else {
            eprintln!("skipped: openssl is not installed");
            return;
        };
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(SCRIPT.as_bytes())
            .expect("write");
        let raw = child.wait_with_output().expect("openssl").stdout;
        let mut encode = Command::new("openssl")
            .args(["base64", "-A"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("openssl base64");
        encode
            .stdin
            .take()
            .expect("stdin")
            .write_all(&raw)
            .expect("write");
        let b64 = encode.wait_with_output().expect("openssl").stdout;
        assert_eq!(
            String::from_utf8_lossy(&b64).trim(),
            SCRIPT_SHA256,
            "report.js changed: set SCRIPT_SHA256 to the new hash"
        );
    }

    #[test]
    fn the_page_is_self_contained() {
        let inv = Inventory::default();
        let page = render(&Report {
            title: "<script>alert(1)</script>",
            version: "0",
            rules: &[],
            findings: &[],
            diagnostics: &[],
            inventory: &inv,
            egress: &[],
            diagram: Diagram::Unavailable {
                why: "no dot".to_owned(),
                dot: "digraph { a [label=\"</pre><img src=x>\"] }".to_owned(),
            },
        });
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!page.contains("<img"));
        for external in ["src=\"http", "href=\"http:", "url(", "@import"] {
            assert!(!page.contains(external), "{external}");
        }
        assert_eq!(page.matches("<script").count(), 1);
    }
}
