//! GitHub platform facts shared by the analyses: which hosts are GitHub itself, which
//! environment variables hold a GitHub token, and how `gh` and octokit spell API calls
//! (for the permission analysis, whose endpoint and call tables are in
//! `permissions.toml`).

/// GitHub itself: the platform that runs the job, so a download from here fails only
/// when the job cannot run at all. `github.com` and its subdomains (api, codeload,
/// uploads), `*.githubusercontent.com` (raw files, release assets, packages, the
/// runner's services) and `github.io`.
/// <https://docs.github.com/en/actions/reference/runners/self-hosted-runners#communication-requirements>
#[must_use]
pub fn is_platform_host(host: &str) -> bool {
    host == "github.com"
        || host.ends_with(".github.com")
        || host.ends_with(".githubusercontent.com")
        || host == "github.io"
}

/// Variables whose use means a script handles a GitHub credential: the workflow token
/// as `gh` and most tools read it, GitHub Enterprise's, a conventional PAT name, and the
/// runner's own runtime and OIDC request tokens.
/// <https://cli.github.com/manual/gh_help_environment>,
/// <https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication>
pub const TOKEN_VARS: &[&str] = &[
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_PAT",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
];

/// The variables `gh` (and actions without a token input) authenticate with, in the
/// order `gh` prefers them. <https://cli.github.com/manual/gh_help_environment>
pub const GH_TOKEN_VARS: &[&str] = &["GH_TOKEN", "GITHUB_TOKEN"];

/// Octokit namespaces reachable from `github.` in an `actions/github-script` script;
/// `github.rest.x` is the current form, `github.x` the form before v5.
/// <https://github.com/actions/github-script#breaking-changes-in-v5>
pub const OCTOKIT_NAMESPACES: &[&str] = &[
    "actions",
    "checks",
    "codescanning",
    "git",
    "issues",
    "orgs",
    "pulls",
    "reactions",
    "repos",
    "teams",
    "users",
];

/// Global options of `gh` (and `git`, read by the same walker) that take a value, to
/// step over before a subcommand. <https://cli.github.com/manual/gh>
pub const GH_GLOBAL_VALUE_OPTS: &[&str] = &[
    "-C",
    "-c",
    "-R",
    "--repo",
    "--git-dir",
    "--work-tree",
    "--hostname",
];

/// Options of `gh api` that take a value. <https://cli.github.com/manual/gh_api>
pub const GH_API_VALUE_OPTS: &[&str] = &[
    "-X",
    "--method",
    "-H",
    "--header",
    "-f",
    "--raw-field",
    "-F",
    "--field",
    "-q",
    "--jq",
    "-t",
    "--template",
    "--hostname",
    "--input",
    "-p",
    "--preview",
    "--cache",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every runner service endpoint of egress-hosts.toml is a platform host.
    #[test]
    fn runner_hosts_are_platform_hosts() {
        for r in &crate::egress_hosts().runner {
            let host = r.host.trim_start_matches("*.");
            assert!(is_platform_host(host), "{}", r.host);
        }
        assert!(is_platform_host("objects.githubusercontent.com"));
        assert!(!is_platform_host("gitlab.com"));
        assert!(!is_platform_host("evilgithub.com"));
    }

    #[test]
    fn gh_reads_a_subset_of_the_token_variables() {
        for v in GH_TOKEN_VARS {
            assert!(TOKEN_VARS.contains(v), "{v}");
        }
    }
}
