//! `tollgate report`: the self-contained HTML review page, checked in a real headless
//! browser (Debian's Chromium): it loads with no console message, the diagram is drawn,
//! the filters hide what they should, and input text stays text.
//!
//! The browser tests skip where Chromium is not installed, unless
//! `TOLLGATE_REQUIRE_BROWSER` is set (CI sets it, so a missing browser fails there).
#![allow(clippy::print_stderr)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{tollgate, write};

/// A workflow whose findings were worked out by hand from the rules' documented levels:
/// - `unpinned-action` (error) at `actions/checkout@v4` (job `build`) and
///   `actions/setup-node@v4` (the hostile job): two tag references;
/// - `template-injection` (error): `github.event.issue.title` in `build`'s script on
///   an `issues` trigger;
/// - `remote-script-execution` (error): `curl … | sh` in the hostile job.
///
/// The second job's id and a comment are markup, to show that they stay text.
const WORKFLOW: &str = r#"name: ci
on:
  issues:
  push:
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.issue.title }}"
  "<img src=x onerror=alert(1)>":
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
      - run: curl -fsSL https://example.com/install.sh | sh  # </script><script>alert(2)</script>
"#;

/// Write the fixture repository and its report; the page's path.
fn report(dir: &Path, path_env: Option<&Path>) -> (PathBuf, String) {
    write(dir, ".github/workflows/ci.yml", WORKFLOW);
    let page = dir.join("report.html");
    let mut cmd = tollgate();
    cmd.arg("report")
        .arg(dir)
        .arg("--html")
        .arg("-o")
        .arg(&page);
    if let Some(p) = path_env {
        cmd.env("PATH", p);
    }
    let out = cmd.output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (page, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("TOLLGATE_REQUIRE_BROWSER").is_none(),
            "TOLLGATE_REQUIRE_BROWSER is set but Chromium is not installed"
        );
        eprintln!("skipped: Chromium is not installed");
    }
    found
}

/// Run headless Chromium on `page#fragment` with `action` (`--dump-dom` or
/// `--screenshot=…`): what it printed and its log (console messages included).
fn browse(browser: &Path, page: &Path, fragment: &str, action: &str) -> (String, String) {
    let profile = tempfile::tempdir().expect("profile");
    let url = format!("file://{}{fragment}", page.display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(action)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The opening tags of the findings' rows in serialized DOM, each up to its `>` outside
/// quoted attribute values.
fn rows(dom: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = dom;
    while let Some(at) = rest.find("<tr data-rule=") {
        let tag = &rest[at..];
        let mut quoted = false;
        let end = tag
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '>' && !quoted
            })
            .map_or(tag.len(), |(i, _)| i + 1);
        found.push(&tag[..end]);
        rest = &tag[end..];
    }
    found
}

/// The rows shown (not `hidden`) and their rules.
fn shown(dom: &str) -> Vec<String> {
    rows(dom)
        .into_iter()
        .filter(|t| !t.contains(" hidden"))
        .map(|t| {
            let v = &t["<tr data-rule=\"".len()..];
            v[..v.find('"').expect("closing quote")].to_owned()
        })
        .collect()
}

/// No console message (errors, CSP violations, failed loads) in Chromium's log.
fn assert_quiet(log: &str) {
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
}

#[test]
fn the_report_loads_filters_and_draws_in_a_browser() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (page, _) = report(dir.path(), None);

    let (dom, log) = browse(&browser, &page, "", "--dump-dom");
    assert_quiet(&log);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the script did not finish"
    );
    let all = shown(&dom);
    assert_eq!(all.iter().filter(|r| *r == "unpinned-action").count(), 2);
    assert_eq!(all.iter().filter(|r| *r == "template-injection").count(), 1);
    assert_eq!(
        all.iter()
            .filter(|r| *r == "remote-script-execution")
            .count(),
        1
    );
    assert!(dom.contains(&format!("{} of {} findings shown", all.len(), all.len())));
    // The input's markup stayed text: one script (the page's own), no image element.
    assert_eq!(dom.matches("<script").count(), 1);
    assert!(!dom.contains("<img"));
    if which_dot() {
        assert!(dom.contains("<div id=\"diagram\" class=\"diagram fit\"><svg"));
    }

    // A filter in the fragment is applied on load, as a shared link would be.
    let (dom, log) = browse(&browser, &page, "#rule=unpinned-action", "--dump-dom");
    assert_quiet(&log);
    assert_eq!(shown(&dom), ["unpinned-action", "unpinned-action"]);
    assert!(dom.contains(&format!("2 of {} findings shown", all.len())));

    let (dom, _) = browse(&browser, &page, "#level=error", "--dump-dom");
    let mut errors = shown(&dom);
    errors.sort();
    assert_eq!(
        errors,
        [
            "remote-script-execution",
            "template-injection",
            "unpinned-action",
            "unpinned-action"
        ]
    );

    let fragment = "#level=error&job=.github%2Fworkflows%2Fci.yml%3A%20build";
    let (dom, _) = browse(&browser, &page, fragment, "--dump-dom");
    let mut build = shown(&dom);
    build.sort();
    assert_eq!(build, ["template-injection", "unpinned-action"]);

    // A value no option has is ignored rather than hiding everything.
    let (dom, _) = browse(&browser, &page, "#rule=no-such-rule", "--dump-dom");
    assert_eq!(shown(&dom).len(), all.len());
}

fn which_dot() -> bool {
    Command::new("dot").arg("-V").output().is_ok()
}

/// The share of a screenshot's pixels that are not the page's white background, and
/// how many have the overview's workflow fill (`#c6dbef`).
fn ink(png_path: &Path) -> (f64, usize) {
    let file = std::fs::File::open(png_path).expect("screenshot");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("png");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let pixels = buf[..info.buffer_size()].chunks(channels);
    let total = (info.width * info.height) as usize;
    let (mut inked, mut workflow) = (0usize, 0usize);
    for p in pixels {
        if p[..3] != [255, 255, 255] {
            inked += 1;
        }
        if p[..3] == [0xc6, 0xdb, 0xef] {
            workflow += 1;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let share = inked as f64 / total as f64;
    (share, workflow)
}

#[test]
fn the_report_screenshot_is_not_empty() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (page, _) = report(dir.path(), None);
    let shot = dir.path().join("shot.png");
    let (_, log) = browse(
        &browser,
        &page,
        "",
        &format!("--screenshot={}", shot.display()),
    );
    assert_quiet(&log);
    let (share, workflow) = ink(&shot);
    // Measured: 35 % of this page's pixels are not white (the grey header band, the
    // diagram), none of an empty page's.
    assert!(
        share > 0.03,
        "the page looks empty: {share:.3} of pixels inked"
    );
    if which_dot() {
        assert!(
            workflow > 200,
            "the diagram's workflow node is not on screen ({workflow} pixels)"
        );
    }

    // An empty page fails the same measure.
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").expect("write");
    let blank_shot = dir.path().join("blank.png");
    browse(
        &browser,
        &blank,
        "",
        &format!("--screenshot={}", blank_shot.display()),
    );
    assert!(ink(&blank_shot).0 < 0.01);
}

#[test]
fn without_graphviz_the_report_carries_the_dot_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = tempfile::tempdir().expect("empty PATH");
    let (page, stderr) = report(dir.path(), Some(empty.path()));
    assert!(stderr.contains("the report has no diagram"), "{stderr}");
    let html = std::fs::read_to_string(page).expect("page");
    assert!(html.contains("The diagram is not drawn: Graphviz"));
    assert!(html.contains("<summary>Its Graphviz DOT source</summary><pre>digraph tollgate {"));
    // Every finding is still there, as a row.
    assert!(html.matches("<tr data-rule=\"unpinned-action\"").count() == 2);
}
