//! Classification of a step's `shell:` value, so the caller can say which scripts were
//! analysed and name the shell of those that were not.

use serde::Serialize;

/// The interpreter a `shell:` value selects.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "shell", content = "value", rename_all = "kebab-case")]
pub enum ShellKind {
    Bash,
    Sh,
    Pwsh,
    PowerShell,
    Cmd,
    Python,
    /// Anything else, such as a custom `perl {0}` template or `zsh`; the value is kept as
    /// written (trimmed).
    Other(String),
}

impl ShellKind {
    /// Classify a `shell:` value. GitHub accepts the built-in names (`bash`, `sh`, `pwsh`,
    /// `powershell`, `cmd`, `python`) and custom templates such as `bash -e {0}`, where
    /// `{0}` is the script file; the first word decides the interpreter.
    #[must_use]
    pub fn classify(value: &str) -> Self {
        let trimmed = value.trim();
        let first = trimmed.split_whitespace().next().unwrap_or("");
        // Templates may name an absolute path (`/usr/bin/bash {0}`, `C:\…\pwsh.exe {0}`).
        let base = first.rsplit(['/', '\\']).next().unwrap_or(first);
        let lower = base.to_ascii_lowercase();
        let name = lower.strip_suffix(".exe").unwrap_or(&lower);
        match name {
            "bash" => Self::Bash,
            "sh" => Self::Sh,
            "pwsh" => Self::Pwsh,
            "powershell" => Self::PowerShell,
            "cmd" => Self::Cmd,
            "python" | "python3" => Self::Python,
            // setup-wsl's shell: bash inside the WSL distribution.
            "wsl-bash" => Self::Bash,
            // util-linux `script -q -e -c "bash … {0}"` runs the quoted command in a
            // pseudo-terminal (numpy's jobs, for coloured output): the script is that
            // command's.
            "script" => trimmed
                .split_once(" -c ")
                .map(|(_, cmd)| Self::classify(cmd.trim().trim_matches(['"', '\''])))
                .filter(Self::is_analysable)
                .unwrap_or_else(|| Self::Other(trimmed.to_owned())),
            _ => Self::Other(trimmed.to_owned()),
        }
    }

    /// Whether this crate has an analysis for the shell: bash and POSIX sh scripts, and
    /// PowerShell ones (`pwsh`, Windows PowerShell), see [`crate::Analyzer::analyze_as`].
    #[must_use]
    pub const fn is_analysable(&self) -> bool {
        matches!(self, Self::Bash | Self::Sh | Self::Pwsh | Self::PowerShell)
    }

    /// Whether the script is PowerShell (analysed with the PowerShell grammar).
    #[must_use]
    pub const fn is_powershell(&self) -> bool {
        matches!(self, Self::Pwsh | Self::PowerShell)
    }

    /// A short name for messages such as "not analysed (pwsh)".
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Bash => "bash",
            Self::Sh => "sh",
            Self::Pwsh => "pwsh",
            Self::PowerShell => "powershell",
            Self::Cmd => "cmd",
            Self::Python => "python",
            Self::Other(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ShellKind::{self, *};

    #[test]
    fn classify_table() {
        let cases: &[(&str, ShellKind)] = &[
            ("bash", Bash),
            ("  bash  ", Bash),
            ("sh", Sh),
            ("bash -e {0}", Bash),
            ("bash --noprofile --norc -eo pipefail {0}", Bash),
            ("/usr/bin/bash -x {0}", Bash),
            ("sh -e {0}", Sh),
            ("pwsh", Pwsh),
            ("pwsh -command \". '{0}'\"", Pwsh),
            ("powershell", PowerShell),
            (
                "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe {0}",
                PowerShell,
            ),
            ("cmd", Cmd),
            ("python", Python),
            ("python3 {0}", Python),
            ("perl {0}", Other("perl {0}".into())),
            (
                "script -q -e -c \"bash --noprofile --norc -eo pipefail {0}\"",
                Bash,
            ),
            ("script -q -c 'sh -e {0}'", Sh),
            ("script -q typescript", Other("script -q typescript".into())),
            ("wsl-bash {0}", Bash),
            ("zsh", Other("zsh".into())),
            ("", Other(String::new())),
        ];
        for (value, want) in cases {
            assert_eq!(&ShellKind::classify(value), want, "{value:?}");
        }
        assert!(Bash.is_analysable() && Sh.is_analysable());
        assert!(Pwsh.is_analysable() && PowerShell.is_analysable());
        assert!(Pwsh.is_powershell() && PowerShell.is_powershell() && !Bash.is_powershell());
        assert!(!Cmd.is_analysable() && !Python.is_analysable());
        assert!(!Other("zsh".into()).is_analysable());
    }
}
