//! Small pure helpers: hosts of URLs and images, repository prefixes of paths, path
//! normalisation, `--workflow` patterns and secret references inside expressions.

use tollgate_gha::expression_spans;

pub use tollgate_model::addr::{ImageRef, host_of};

/// Whether a setup action step finds its toolchain in the job's runner tool cache and
/// downloads nothing (`rules/data/runner-tool-cache.toml`): a request through
/// `${{ matrix.x }}` hits only when every literal value of the matrix does. The inventory
/// (a cache as the download's fallback) and the egress inference (its hosts conditional)
/// both ask here.
#[must_use]
pub fn tool_cache_hit(
    job: Option<&tollgate_gha::Job>,
    step: &tollgate_gha::Step,
    action: &str,
) -> Option<tollgate_kb::toolcache::Hit> {
    let job = job?;
    let runs_on = job.runs_on.as_ref()?;
    if runs_on.group.is_some() {
        return None;
    }
    let labels: Vec<&str> = runs_on.labels.iter().map(|l| l.value.as_str()).collect();
    let kb = tollgate_kb::tool_cache();
    let entry = kb.action(action)?;
    let raw = |k: &str| step.with_value(k).map(|kv| kv.value.value.clone());
    let request = raw(&entry.version_input)?;
    let values: Vec<String> = match job.matrix.as_ref().and_then(|m| m.expand(&request)) {
        Some(vs) => vs.into_iter().map(|v| v.value).collect(),
        None => vec![request],
    };
    let mut first = None;
    for v in values {
        let hit = kb.hit(action, &labels, |k| {
            if k == entry.version_input {
                Some(v.clone())
            } else {
                raw(k)
            }
        })?;
        first.get_or_insert(hit);
    }
    first
}

/// The registry host an image reference is pulled from: the registry component when the
/// reference names one ([`ImageRef::registry`]), else Docker Hub.
#[must_use]
pub fn image_host(image: &str) -> Option<String> {
    let image = image.trim();
    let image = image.strip_prefix("docker://").unwrap_or(image);
    if image.is_empty() || image.contains("${{") || image.starts_with('$') {
        return None;
    }
    match ImageRef::parse(image).registry() {
        Some(registry) => host_of(registry),
        None => Some("docker.io".to_owned()),
    }
}

pub use tollgate_scan::local::{normalise, repo_prefix};

/// Whether a `--workflow` pattern picks the workflow at display path `path` with `name`:
/// the path (or a path suffix after a `/`), the file name, the file name without
/// `.yml`/`.yaml`, or the workflow's `name:`. A leading `./` is ignored. The one rule of
/// the graph view and the egress output.
#[must_use]
pub fn workflow_matches(path: &str, name: Option<&str>, pattern: &str) -> bool {
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file
        .strip_suffix(".yml")
        .or_else(|| file.strip_suffix(".yaml"))
        .unwrap_or(file);
    path == pattern
        || path.ends_with(&format!("/{pattern}"))
        || file == pattern
        || stem == pattern
        || name == Some(pattern)
}

pub use tollgate_kb::secrets::SecretRef;

/// The names of the secrets the `${{ … }}` expressions of `text` reference
/// (`secrets.NAME`, `secrets['NAME']`), but for the workflow's own `GITHUB_TOKEN`.
#[must_use]
pub fn secret_names(text: &str) -> Vec<String> {
    secret_refs(text)
        .into_iter()
        .filter_map(|r| r.name)
        .filter(|n| !n.eq_ignore_ascii_case("GITHUB_TOKEN"))
        .collect()
}

/// Every secret reference inside the `${{ … }}` expressions of `s`, with byte ranges in
/// `s`. Text outside the expressions is not read: there a `secrets.X` is only text.
#[must_use]
pub fn secret_refs(s: &str) -> Vec<SecretRef> {
    let mut out = Vec::new();
    for (start, end) in expression_spans(s) {
        let Some(text) = s.get(start..end) else {
            continue;
        };
        out.extend(
            tollgate_kb::secrets::secret_refs(text)
                .into_iter()
                .map(|r| SecretRef {
                    start: start + r.start,
                    end: start + r.end,
                    ..r
                }),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_patterns() {
        let path = ".github/workflows/ci.yml";
        let cases = [
            (".github/workflows/ci.yml", true),
            ("./.github/workflows/ci.yml", true),
            ("workflows/ci.yml", true),
            ("ci.yml", true),
            ("ci", true),
            ("CI build", true),
            ("i.yml", false),
            ("release", false),
        ];
        for (pattern, want) in cases {
            assert_eq!(
                workflow_matches(path, Some("CI build"), pattern),
                want,
                "{pattern}"
            );
        }
    }

    #[test]
    fn image_hosts() {
        let cases = [
            ("node:20", Some("docker.io")),
            ("library/alpine:3", Some("docker.io")),
            ("ghcr.io/owner/app@sha256:abc", Some("ghcr.io")),
            ("localhost:5000/x", Some("localhost")),
            ("docker://quay.io/x/y:1", Some("quay.io")),
            ("${{ matrix.image }}", None),
        ];
        for (img, want) in cases {
            assert_eq!(image_host(img).as_deref(), want, "{img}");
        }
    }

    #[test]
    fn prefixes_and_paths() {
        assert_eq!(repo_prefix(".github/workflows/ci.yml"), "");
        assert_eq!(repo_prefix("a/b/.github/workflows/ci.yml"), "a/b/");
        assert_eq!(repo_prefix("tools/action.yml"), "");
        assert_eq!(normalise("./a//b/../c/").as_deref(), Some("a/c"));
        assert_eq!(normalise("a/../../b"), None);
        assert_eq!(normalise("").as_deref(), Some(""));
    }

    #[test]
    fn secrets_in_expressions() {
        let s = "x ${{ secrets.A_1 }} ${{ Secrets['b'] || github.token }} ${{ toJSON(secrets) }} ${{ inputs.secrets }} $secrets.C secrets.D";
        let r = secret_refs(s);
        let names: Vec<_> = r.iter().map(|r| r.name.clone()).collect();
        assert_eq!(names, vec![Some("A_1".into()), Some("b".into()), None]);
        assert_eq!(&s[r[0].start..r[0].end], "secrets.A_1");
        assert_eq!(&s[r[1].start..r[1].end], "Secrets['b']");
        assert_eq!(&s[r[2].start..r[2].end], "secrets");
    }
}
