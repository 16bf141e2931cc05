//! A deterministic synthetic corpus for benchmarks: realistic workflows, composite actions
//! and lockfiles of every format, at several sizes. The same seed gives byte-identical
//! files on every machine, so figures are comparable across runs.

pub mod heap;

use std::fmt::Write;
use std::path::Path;

/// A tiny xorshift generator: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(len);
        s
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[usize::try_from(self.below(xs.len() as u64)).unwrap_or(0)]
    }
}

/// How big a generated repository is.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub workflows: usize,
    pub jobs_per_workflow: usize,
    pub actions: usize,
    /// Packages per lockfile.
    pub packages: usize,
}

impl Size {
    pub const SMALL: Self = Self {
        workflows: 4,
        jobs_per_workflow: 2,
        actions: 1,
        packages: 50,
    };
    pub const MEDIUM: Self = Self {
        workflows: 20,
        jobs_per_workflow: 4,
        actions: 4,
        packages: 500,
    };
    pub const LARGE: Self = Self {
        workflows: 60,
        jobs_per_workflow: 6,
        actions: 10,
        packages: 5000,
    };
}

const ACTIONS: &[&str] = &[
    "actions/checkout",
    "actions/setup-node",
    "actions/setup-python",
    "actions/cache",
    "actions/upload-artifact",
    "docker/login-action",
    "github/codeql-action/init",
    "Swatinem/rust-cache",
    "astral-sh/setup-uv",
    "softprops/action-gh-release",
];

const SCRIPTS: &[&str] = &[
    "npm ci\nnpm test -- --coverage",
    "pip install --require-hashes -r requirements.txt\npytest -q",
    "curl -fsSL https://example.com/install.sh | bash -s -- --yes",
    "cargo build --locked --release\ncargo test --locked",
    "go build ./...\ngo test -race ./...",
    "docker build -t app:ci .\ndocker run --rm app:ci --version",
    "wget -q https://releases.example.com/tool-1.2.3.tar.gz\ntar xzf tool-1.2.3.tar.gz -C /usr/local/bin",
    "echo \"version=${{ github.ref_name }}\" >> \"$GITHUB_OUTPUT\"\ngh release create \"$TAG\" dist/* --notes-file NOTES.md",
    "for f in $(git ls-files '*.sh'); do\n  shellcheck \"$f\"\ndone",
    "uv sync --locked\nuv run pytest",
];

fn workflow(r: &mut Rng, n: usize, size: Size) -> String {
    let mut s = format!(
        "name: workflow-{n}\non:\n  push:\n    branches: [main]\n  pull_request:\npermissions:\n  contents: read\njobs:\n"
    );
    for j in 0..size.jobs_per_workflow {
        let _ = write!(
            s,
            "  job-{j}:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 30\n"
        );
        if j > 0 {
            let _ = writeln!(s, "    needs: [job-{}]", j - 1);
        }
        if r.below(4) == 0 {
            s.push_str("    permissions:\n      contents: write\n      id-token: write\n");
        }
        s.push_str("    env:\n      CI: \"true\"\n    steps:\n");
        let steps = 3 + usize::try_from(r.below(6)).unwrap_or(0);
        for k in 0..steps {
            if k % 2 == 0 {
                let a = r.pick(ACTIONS);
                let pin = if r.below(3) == 0 {
                    "v4".to_owned()
                } else {
                    format!("{} # v4.1.1", r.hex(40))
                };
                let _ = write!(
                    s,
                    "      - uses: {a}@{pin}\n        with:\n          key: ${{{{ runner.os }}}}-{k}\n"
                );
            } else {
                let script = r.pick(SCRIPTS);
                let _ = writeln!(s, "      - name: step {k}\n        run: |");
                for line in script.lines() {
                    let _ = writeln!(s, "          {line}");
                }
            }
        }
        if size.actions > 0 && r.below(2) == 0 {
            let _ = writeln!(
                s,
                "      - uses: ./.github/actions/action-{}",
                r.below(size.actions as u64)
            );
        }
    }
    s
}

fn action(r: &mut Rng, n: usize) -> String {
    format!(
        "name: action-{n}\ndescription: generated\nruns:\n  using: composite\n  steps:\n    - uses: {}@{}\n    - shell: bash\n      run: |\n        {}\n",
        r.pick(ACTIONS),
        r.hex(40),
        r.pick(SCRIPTS).replace('\n', "\n        ")
    )
}

fn cargo_lock(r: &mut Rng, n: usize) -> String {
    let mut s = String::from("version = 4\n");
    for i in 0..n {
        let _ = write!(
            s,
            "\n[[package]]\nname = \"crate-{i}\"\nversion = \"1.{}.{}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
            r.below(30),
            r.below(10),
            r.hex(64)
        );
    }
    s
}

fn npm_lock(r: &mut Rng, n: usize) -> String {
    let mut s = String::from(
        "{\n  \"name\": \"app\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n    \"\": {\"name\": \"app\", \"version\": \"1.0.0\"}",
    );
    for i in 0..n {
        let _ = write!(
            s,
            ",\n    \"node_modules/pkg-{i}\": {{\n      \"version\": \"2.{}.0\",\n      \"resolved\": \"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-2.0.0.tgz\",\n      \"integrity\": \"sha512-{}\"\n    }}",
            r.below(20),
            r.hex(86)
        );
    }
    s.push_str("\n  }\n}\n");
    s
}

fn yarn_lock(r: &mut Rng, n: usize) -> String {
    let mut s = String::from("# yarn lockfile v1\n\n");
    for i in 0..n {
        let _ = write!(
            s,
            "\"pkg-{i}@^3.0.0\":\n  version \"3.{}.0\"\n  resolved \"https://registry.yarnpkg.com/pkg-{i}/-/pkg-{i}-3.0.0.tgz#{}\"\n  integrity sha512-{}\n\n",
            r.below(9),
            r.hex(40),
            r.hex(86)
        );
    }
    s
}

fn pnpm_lock(r: &mut Rng, n: usize) -> String {
    let mut s = String::from(
        "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies: {}\n\npackages:\n",
    );
    for i in 0..n {
        let _ = write!(
            s,
            "  pkg-{i}@4.{}.0:\n    resolution: {{integrity: sha512-{}}}\n",
            r.below(9),
            r.hex(86)
        );
    }
    s
}

fn poetry_lock(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = write!(
            s,
            "[[package]]\nname = \"dist-{i}\"\nversion = \"0.{}.0\"\ndescription = \"\"\noptional = false\npython-versions = \">=3.9\"\nfiles = [\n    {{file = \"dist-{i}.whl\", hash = \"sha256:{}\"}},\n]\n\n",
            r.below(50),
            r.hex(64)
        );
    }
    s.push_str(
        "[metadata]\nlock-version = \"2.1\"\npython-versions = \">=3.9\"\ncontent-hash = \"x\"\n",
    );
    s
}

fn requirements(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = write!(
            s,
            "dist-{i}==1.{}.0 \\\n    --hash=sha256:{}\n",
            r.below(20),
            r.hex(64)
        );
    }
    s
}

fn go_sum(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = writeln!(
            s,
            "example.com/mod{i} v1.{}.0 h1:{}=",
            r.below(9),
            r.hex(43)
        );
        let _ = writeln!(s, "example.com/mod{i} v1.0.0/go.mod h1:{}=", r.hex(43));
    }
    s
}

fn write(root: &Path, rel: &str, text: &str) -> std::io::Result<usize> {
    let p = root.join(rel);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(&p, text)?;
    Ok(text.len())
}

/// Write one synthetic repository under `root` (seeded by `seed`); returns the bytes written.
///
/// # Errors
/// When a file cannot be written.
pub fn generate(root: &Path, size: Size, seed: u64) -> std::io::Result<usize> {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut bytes = 0;
    for w in 0..size.workflows {
        bytes += write(
            root,
            &format!(".github/workflows/wf-{w}.yml"),
            &workflow(&mut r, w, size),
        )?;
    }
    for a in 0..size.actions {
        bytes += write(
            root,
            &format!(".github/actions/action-{a}/action.yml"),
            &action(&mut r, a),
        )?;
    }
    let n = size.packages;
    bytes += write(root, "Cargo.lock", &cargo_lock(&mut r, n))?;
    bytes += write(root, "web/package-lock.json", &npm_lock(&mut r, n))?;
    bytes += write(root, "legacy/yarn.lock", &yarn_lock(&mut r, n))?;
    bytes += write(root, "ui/pnpm-lock.yaml", &pnpm_lock(&mut r, n))?;
    bytes += write(root, "py/poetry.lock", &poetry_lock(&mut r, n))?;
    bytes += write(root, "requirements.txt", &requirements(&mut r, n / 10 + 1))?;
    bytes += write(root, "go.sum", &go_sum(&mut r, n))?;
    bytes += write(
        root,
        "go.mod",
        "module example.com/app\n\ngo 1.23\n\nrequire example.com/mod0 v1.0.0\n",
    )?;
    Ok(bytes)
}

/// Render the SARIF log of a run and return its size (the output stage).
#[must_use]
pub fn sarif_len(scan: &tollgate_scan::Scan, outcome: &tollgate_engine::Outcome) -> usize {
    let log = tollgate_report::sarif::render(
        &[],
        &outcome.findings,
        &outcome.diagnostics,
        |p| scan.inputs_at_path(p).next().map(|i| &i.source),
        "0",
        "https://example.invalid",
    );
    serde_json::to_string(&log).map_or(0, |x| x.len())
}

/// Peak resident set size of this process so far, in bytes (Linux; `None` elsewhere).
#[must_use]
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_parses() {
        let a = tempfile_dir();
        let b = tempfile_dir();
        let na = generate(&a, Size::SMALL, 7).expect("gen");
        let nb = generate(&b, Size::SMALL, 7).expect("gen");
        assert_eq!(na, nb);
        let wa = std::fs::read_to_string(a.join(".github/workflows/wf-1.yml")).expect("read");
        let wb = std::fs::read_to_string(b.join(".github/workflows/wf-1.yml")).expect("read");
        assert_eq!(wa, wb);
        let s = tollgate_scan::scan(
            std::slice::from_ref(&a),
            &tollgate_scan::ScanOptions::default(),
        );
        let errors: Vec<_> = s
            .diagnostics
            .iter()
            .filter(|d| d.severity == tollgate_model::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(
            s.inputs.len(),
            Size::SMALL.workflows + Size::SMALL.actions + 8
        );
        let _ = std::fs::remove_dir_all(a);
        let _ = std::fs::remove_dir_all(b);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let d = std::env::temp_dir().join(format!(
            "tollgate-bench-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&d);
        d
    }
}
