//! The `uses:` reference forms and what their refs pin.

use serde::Serialize;

/// What a git ref after `@` is, as far as can be told offline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefKind {
    /// A full 40-hex commit SHA (or 64-hex for SHA-256 repositories): immutable.
    Sha,
    /// 7 to 39 hex digits: looks like an abbreviated commit, which GitHub does not resolve
    /// for `uses:` and which could collide with a branch or tag name.
    ShortSha,
    /// `v4`, `v4.1.1`, `1.2`: a version tag, movable.
    Tag,
    /// Anything else: a branch (`main`, `master`, `release/x`) or an unusual tag.
    Branch,
    /// `${{ … }}`: GitHub does not evaluate expressions in `uses:`.
    Expression,
}

impl RefKind {
    #[must_use]
    pub fn classify(r: &str) -> Self {
        if r.contains("${{") {
            return Self::Expression;
        }
        let hex = !r.is_empty() && r.bytes().all(|b| b.is_ascii_hexdigit());
        // SHA-1 ids, and the 64-digit ids of SHA-256 repositories.
        if tollgate_model::addr::is_commit_sha(r) || (hex && r.len() == 64) {
            return Self::Sha;
        }
        if hex && r.len() >= 7 && r.bytes().any(|b| b.is_ascii_digit()) {
            return Self::ShortSha;
        }
        let v = r.strip_prefix('v').unwrap_or(r);
        if v.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            || looks_like_semver(v)
        {
            return Self::Tag;
        }
        Self::Branch
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sha => "commit SHA",
            Self::ShortSha => "abbreviated SHA",
            Self::Tag => "tag",
            Self::Branch => "branch",
            Self::Expression => "expression",
        }
    }
}

/// `1.2.3-rc.1`, `2.0.0+build`: a numeric core with a pre-release or build suffix.
fn looks_like_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    core != v
        && core
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A parsed remote reference `owner/repo[/path]@ref`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UsesRef {
    pub owner: String,
    pub repo: String,
    /// Sub-path inside the repository (`github/codeql-action/init` → `init`).
    pub path: Option<String>,
    pub git_ref: String,
    pub ref_kind: RefKind,
}

impl UsesRef {
    /// `owner/repo` — the unit that is pinned and trusted.
    #[must_use]
    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    /// `owner/repo[/path]` without the ref: the action's identity.
    #[must_use]
    pub fn action(&self) -> String {
        match &self.path {
            Some(p) => format!("{}/{}/{}", self.owner, self.repo, p),
            None => self.slug(),
        }
    }

    /// True for a reusable workflow reference (`…/.github/workflows/x.yml@ref`).
    #[must_use]
    pub fn is_reusable_workflow(&self) -> bool {
        self.path.as_deref().is_some_and(|p| {
            p.starts_with(".github/workflows/") && (p.ends_with(".yml") || p.ends_with(".yaml"))
        })
    }
}

/// Every form a `uses:` value takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Uses {
    /// `./path`: relative to the repository root of the workflow's repository.
    Local {
        path: String,
    },
    /// `$/path`: the self-repository form (2026) with the same meaning as `./`.
    SelfRepo {
        path: String,
    },
    /// `docker://image[:tag|@sha256:…]`
    Docker {
        image: String,
    },
    Remote(UsesRef),
    /// Something GitHub would reject; the string says why.
    Invalid {
        reason: String,
    },
}

impl Uses {
    #[must_use]
    pub fn parse(s: &str) -> Self {
        let s = s.trim();
        if let Some(p) = s.strip_prefix("./") {
            return Self::Local {
                path: p.trim_end_matches('/').to_owned(),
            };
        }
        if s == "." {
            return Self::Local {
                path: String::new(),
            };
        }
        if let Some(p) = s.strip_prefix("$/") {
            return Self::SelfRepo {
                path: p.trim_end_matches('/').to_owned(),
            };
        }
        if let Some(image) = s.strip_prefix("docker://") {
            return Self::Docker {
                image: image.to_owned(),
            };
        }
        let Some((target, git_ref)) = s.rsplit_once('@') else {
            return Self::Invalid {
                reason: "a remote reference needs `@ref` (a commit SHA, tag or branch)".into(),
            };
        };
        let mut parts = target.splitn(3, '/');
        let (Some(owner), Some(repo)) = (parts.next(), parts.next()) else {
            return Self::Invalid {
                reason: "expected `owner/repo[/path]@ref`".into(),
            };
        };
        if owner.is_empty() || repo.is_empty() || git_ref.is_empty() {
            return Self::Invalid {
                reason: "expected `owner/repo[/path]@ref`".into(),
            };
        }
        // `actions/checkout/.@v4`, `actions/checkout//@v4` and a trailing `/` name the
        // repository's root action to GitHub: empty and `.` segments are dropped.
        let path = parts
            .next()
            .map(|p| {
                p.split('/')
                    .filter(|seg| !seg.is_empty() && *seg != ".")
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .filter(|p| !p.is_empty());
        Self::Remote(UsesRef {
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            path,
            git_ref: git_ref.to_owned(),
            ref_kind: RefKind::classify(git_ref),
        })
    }

    /// The local path for `./` and `$/` forms.
    #[must_use]
    pub fn local_path(&self) -> Option<&str> {
        match self {
            Self::Local { path } | Self::SelfRepo { path } => Some(path),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_kinds() {
        let cases = [
            ("8f4b7f84864484a7bf31766abe9204da3cbe65b3", RefKind::Sha),
            ("8f4b7f8", RefKind::ShortSha),
            ("v4", RefKind::Tag),
            ("v4.1.1", RefKind::Tag),
            ("1.2.3-rc.1", RefKind::Tag),
            ("main", RefKind::Branch),
            ("release/v1", RefKind::Branch),
            ("beef", RefKind::Branch),
            ("${{ inputs.ref }}", RefKind::Expression),
        ];
        for (r, k) in cases {
            assert_eq!(RefKind::classify(r), k, "{r}");
        }
    }

    #[test]
    fn forms() {
        assert_eq!(
            Uses::parse("./.github/actions/setup"),
            Uses::Local {
                path: ".github/actions/setup".into()
            }
        );
        assert_eq!(
            Uses::parse("$/.github/actions/x"),
            Uses::SelfRepo {
                path: ".github/actions/x".into()
            }
        );
        assert_eq!(
            Uses::parse("docker://alpine:3.20"),
            Uses::Docker {
                image: "alpine:3.20".into()
            }
        );
        let Uses::Remote(r) = Uses::parse("github/codeql-action/init@v3") else {
            panic!("remote");
        };
        assert_eq!(r.slug(), "github/codeql-action");
        assert_eq!(r.path.as_deref(), Some("init"));
        assert_eq!(r.ref_kind, RefKind::Tag);
        // Spellings GitHub reads as the same action.
        for spelling in [
            "actions/checkout/.@v4",
            "actions/checkout//@v4",
            "actions/checkout/@v4",
            "actions/checkout/./@v4",
        ] {
            let Uses::Remote(r) = Uses::parse(spelling) else {
                panic!("remote: {spelling}");
            };
            assert_eq!(r.action(), "actions/checkout", "{spelling}");
            assert_eq!(r.path, None, "{spelling}");
        }
        let Uses::Remote(r) = Uses::parse("github/codeql-action//./init/@v3") else {
            panic!("remote");
        };
        assert_eq!(r.action(), "github/codeql-action/init");
        let Uses::Remote(r) = Uses::parse("octo/wf/.github/workflows/ci.yml@main") else {
            panic!("remote");
        };
        assert!(r.is_reusable_workflow());
        assert!(matches!(
            Uses::parse("actions/checkout"),
            Uses::Invalid { .. }
        ));
        assert!(matches!(Uses::parse("checkout@v4"), Uses::Invalid { .. }));
    }
}
