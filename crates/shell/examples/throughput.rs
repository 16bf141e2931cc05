//! Rough throughput of the shell stage (parse + walk + recognisers) on a synthetic script
//! mix: `cargo run --release -p tollgate-shell --example throughput [threads]`. Not a test:
//! timings depend on the machine.

use std::time::Instant;

const SAMPLE: &str = r#"set -euo pipefail
curl -fsSL https://get.example.com/install.sh | sudo bash -s -- --yes
pip install --require-hashes -r requirements.txt
npm ci --fetch-retries=5
if [ "${{ matrix.os }}" = "ubuntu-latest" ]; then
  sudo apt-get update && sudo apt-get install -y --no-install-recommends jq libssl-dev
fi
for f in dist/*.tgz; do sha256sum "$f" >> checksums.txt; done
echo "VERSION=$(git describe --tags)" >> "$GITHUB_ENV"
docker run --rm -v "$PWD:/src" -w /src node:20 npm test
go install golang.org/x/tools/cmd/goimports@v0.20.0
cat <<END > config.json
{"token": "${{ secrets.TOKEN }}"}
END
"#;

fn main() {
    let threads: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1)
        .max(1);
    let scripts: Vec<&str> = std::iter::repeat_n(SAMPLE, (8 << 20) / SAMPLE.len()).collect();
    let bytes: usize = scripts.iter().map(|s| s.len()).sum();
    let start = Instant::now();
    let chunk = scripts.len().div_ceil(threads);
    let facts: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = scripts
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut analyzer = tollgate_shell::Analyzer::new();
                    part.iter()
                        .map(|s| analyzer.analyze(s).facts.len())
                        .sum::<usize>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let secs = start.elapsed().as_secs_f64();
    let mb = bytes as f64 / 1e6;
    let msg = format!(
        "{threads} thread(s): {mb:.1} MB in {} scripts, {facts} facts, {secs:.2}s, {:.1} MB/s\n",
        scripts.len(),
        mb / secs
    );
    std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes()).ok();
}
