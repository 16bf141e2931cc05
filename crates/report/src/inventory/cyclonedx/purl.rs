//! Package URLs (<https://github.com/package-url/purl-spec>) for the components of the
//! CycloneDX inventory: `pkg:github`, `pkg:docker`, `pkg:npm`, `pkg:pypi`, `pkg:cargo`,
//! `pkg:golang`, `pkg:gem`. Every component (namespace segment, name, version, qualifier
//! value, subpath segment) is percent-encoded: only the unreserved characters
//! `A-Z a-z 0-9 . - _ ~` stay as they are, so text from the input can never add a
//! separator (`/`, `@`, `?`, `#`) of its own.

use std::fmt::Write as _;

use tollgate_lockfile::Ecosystem;
use tollgate_model::addr::ImageRef;

/// A value written with an expression or a shell variable (`${{ inputs.v }}`, `$VER`):
/// only run time knows it, so it is no name or version of a purl.
#[must_use]
pub fn is_unresolved(s: &str) -> bool {
    s.contains('$')
}

/// Percent-encode one purl component.
#[must_use]
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A purl from its parts; `namespace` and `subpath` are split on `/` and each segment
/// encoded, empty segments dropped.
fn purl(
    ty: &str,
    namespace: &str,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
    subpath: Option<&str>,
) -> String {
    let mut s = format!("pkg:{ty}/");
    for seg in namespace.split('/').filter(|s| !s.is_empty()) {
        s.push_str(&encode(seg));
        s.push('/');
    }
    s.push_str(&encode(name));
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        s.push('@');
        s.push_str(&encode(v));
    }
    let mut q: Vec<&(&str, &str)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    q.sort_by_key(|(k, _)| *k);
    for (i, (k, v)) in q.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        s.push('=');
        s.push_str(&encode(v));
    }
    if let Some(p) = subpath {
        let segs: Vec<String> = p
            .split('/')
            .filter(|s| !s.is_empty() && *s != "." && *s != "..")
            .map(encode)
            .collect();
        if !segs.is_empty() {
            s.push('#');
            s.push_str(&segs.join("/"));
        }
    }
    s
}

/// `pkg:github/owner/repo@ref#path` for a remote action or reusable workflow. GitHub
/// names are case-insensitive: the spec lowercases owner and repository.
#[must_use]
pub fn github(owner: &str, repo: &str, git_ref: &str, path: Option<&str>) -> String {
    purl(
        "github",
        &owner.to_ascii_lowercase(),
        &repo.to_ascii_lowercase(),
        Some(git_ref),
        &[],
        path,
    )
}

/// `pkg:docker/[namespace/]name@version[?repository_url=registry]` for an image: the
/// digest is the version when there is one, else the tag; the registry is a qualifier
/// when it is not Docker Hub. `None` when the name is an expression; a tag or digest
/// that is one is left out.
#[must_use]
pub fn docker(reference: &str) -> Option<String> {
    let image = ImageRef::parse(reference);
    if is_unresolved(image.name) {
        return None;
    }
    let registry = image.registry();
    let path = match registry {
        Some(r) => image.name[r.len()..].trim_start_matches('/'),
        None => image.name,
    };
    let (namespace, name) = path.rsplit_once('/').unwrap_or(("", path));
    let version = image.digest.or(image.tag).filter(|v| !is_unresolved(v));
    let qualifiers: Vec<(&str, &str)> = registry
        .filter(|r| !matches!(*r, "docker.io" | "index.docker.io" | "registry-1.docker.io"))
        .map(|r| ("repository_url", r))
        .into_iter()
        .collect();
    Some(purl(
        "docker",
        &namespace.to_ascii_lowercase(),
        &name.to_ascii_lowercase(),
        version,
        &qualifiers,
        None,
    ))
}

/// The purl of a package from a lockfile or manifest, by its ecosystem's rules: npm
/// scopes are the namespace, PyPI names are normalised (lowercase, `_` as `-`), a Go
/// module's path up to its last segment is the namespace. A version written as a
/// constraint (`>=1.2`, `2.0.*`) or an expression is no version: only an exact one is
/// (`==1.2` gives `1.2`). `None` when the name is an expression.
#[must_use]
pub fn package(ecosystem: Ecosystem, name: &str, version: Option<&str>) -> Option<String> {
    if is_unresolved(name) {
        return None;
    }
    let version = version.and_then(exact_version);
    Some(match ecosystem {
        Ecosystem::Npm => {
            let (ns, n) = match name.strip_prefix('@').and_then(|s| s.split_once('/')) {
                Some((scope, n)) => (format!("@{scope}"), n),
                None => (String::new(), name),
            };
            // The scope is one segment with its `@` encoded.
            let mut p = purl("npm", "", n, version, &[], None);
            if !ns.is_empty() {
                p = format!("pkg:npm/{}/{}", encode(&ns), &p["pkg:npm/".len()..]);
            }
            p
        }
        Ecosystem::PyPI => purl(
            "pypi",
            "",
            &name.to_ascii_lowercase().replace('_', "-"),
            version,
            &[],
            None,
        ),
        Ecosystem::Cargo => purl("cargo", "", name, version, &[], None),
        Ecosystem::Go => {
            let (ns, n) = name.rsplit_once('/').unwrap_or(("", name));
            purl("golang", ns, n, version, &[], None)
        }
        Ecosystem::RubyGems => purl("gem", "", name, version, &[], None),
    })
}

/// The exact version a package is written with, if it is one.
#[must_use]
pub fn exact_version(v: &str) -> Option<&str> {
    let v = v
        .strip_prefix("===")
        .or_else(|| v.strip_prefix("=="))
        .unwrap_or(v)
        .trim();
    let constraint = v.is_empty()
        || v.starts_with(['=', '<', '>', '!', '~', '^'])
        || v.contains([',', '*', ' ', '|'])
        || is_unresolved(v);
    (!constraint).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_workflows() {
        assert_eq!(
            github("Actions", "Checkout", "v4", None),
            "pkg:github/actions/checkout@v4"
        );
        assert_eq!(
            github(
                "example",
                "shared-workflows",
                "main",
                Some(".github/workflows/notify.yml")
            ),
            "pkg:github/example/shared-workflows@main#.github/workflows/notify.yml"
        );
        // A ref with a slash or a `#` cannot break out of the version.
        assert_eq!(
            github("o", "r", "release/v1#x", Some("a b/c")),
            "pkg:github/o/r@release%2Fv1%23x#a%20b/c"
        );
    }

    fn docker_s(r: &str) -> String {
        docker(r).expect("resolved")
    }

    fn package_s(e: Ecosystem, n: &str, v: Option<&str>) -> String {
        package(e, n, v).expect("resolved")
    }

    #[test]
    fn expressions_are_no_names_or_versions() {
        assert_eq!(docker("${{ matrix.image }}:1"), None);
        assert_eq!(docker_s("otel/col:${VER}"), "pkg:docker/otel/col");
        assert_eq!(package(Ecosystem::PyPI, "${{ env.pkg }}", None), None);
        assert_eq!(
            package_s(Ecosystem::Cargo, "cargo-vet", Some("${{ env.V }}")),
            "pkg:cargo/cargo-vet"
        );
        assert_eq!(
            package_s(Ecosystem::PyPI, "numpy", Some("2.0.*")),
            "pkg:pypi/numpy"
        );
    }

    #[test]
    fn images() {
        assert_eq!(docker_s("node:20"), "pkg:docker/node@20");
        assert_eq!(docker_s("postgres"), "pkg:docker/postgres");
        assert_eq!(
            docker_s("ghcr.io/Owner/app:1.2@sha256:abcd"),
            "pkg:docker/owner/app@sha256%3Aabcd?repository_url=ghcr.io"
        );
        assert_eq!(
            docker_s("docker.io/library/alpine:3"),
            "pkg:docker/library/alpine@3"
        );
        assert_eq!(
            docker_s("localhost:5000/x/y:t"),
            "pkg:docker/x/y@t?repository_url=localhost%3A5000"
        );
        assert_eq!(docker_s("docker://alpine:3.20"), "pkg:docker/alpine@3.20");
    }

    #[test]
    fn packages() {
        assert_eq!(
            package_s(Ecosystem::Npm, "@angular/core", Some("12.3.1")),
            "pkg:npm/%40angular/core@12.3.1"
        );
        assert_eq!(
            package_s(Ecosystem::Npm, "left-pad", None),
            "pkg:npm/left-pad"
        );
        assert_eq!(
            package_s(Ecosystem::PyPI, "Django_Rest", Some("==3.1")),
            "pkg:pypi/django-rest@3.1"
        );
        assert_eq!(
            package_s(Ecosystem::PyPI, "black", Some(">=24")),
            "pkg:pypi/black"
        );
        assert_eq!(
            package_s(Ecosystem::Cargo, "serde", Some("1.0.200")),
            "pkg:cargo/serde@1.0.200"
        );
        assert_eq!(
            package_s(Ecosystem::Go, "github.com/gorilla/mux", Some("v1.8.0")),
            "pkg:golang/github.com/gorilla/mux@v1.8.0"
        );
        assert_eq!(
            package_s(Ecosystem::RubyGems, "rails", Some("7.1.0")),
            "pkg:gem/rails@7.1.0"
        );
    }
}
