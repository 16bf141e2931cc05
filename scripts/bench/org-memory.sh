#!/usr/bin/env bash
# Peak memory of `tollgate scan-org` against the number of repositories (issue #33).
#
# Generates N small repositories from the workflows of the shared corpus, each one made
# distinct (no two files in the whole directory are byte-identical: every file gets a
# comment naming its repository, and version tags are altered per repository), then runs
# `scan-org --db` on them under `/usr/bin/time -v` and prints one Markdown row per N:
# repositories, files, input bytes, wall time, peak RSS, database size.
#
# A benchmark, not a test: 2,000 repositories take minutes. Usage:
#   scripts/bench/org-memory.sh [BINARY] [COUNTS...]
#   scripts/bench/org-memory.sh target/release/tollgate 20 200 2000
# Environment: CORPUS (default ../shared/corpus), WORK (default a new temporary
# directory, removed at the end), JOBS (scan-org --jobs, default 2), KEEP (set: keep the
# generated directories and databases in WORK).
set -euo pipefail

BIN=${1:-target/release/tollgate}
shift || true
COUNTS=("${@:-20 200 2000}")
read -r -a COUNTS <<< "${COUNTS[*]}"
CORPUS=${CORPUS:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/corpus}
JOBS=${JOBS:-2}
OWN_WORK=0
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d)
  OWN_WORK=1
fi
cleanup() { if [ "$OWN_WORK" = 1 ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT

[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 2; }
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)" >&2; exit 2; }

generate() {
  python3 - "$CORPUS" "$1" "$2" <<'PY'
import os, re, sys
corpus, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Every workflow and action file of every corpus repository, grouped by repository.
sources = []
for repo in sorted(os.listdir(corpus)):
    base = os.path.join(corpus, repo)
    if not os.path.isdir(base):
        continue
    files = []
    for root, _, names in os.walk(os.path.join(base, ".github")):
        for name in sorted(names):
            if name.endswith((".yml", ".yaml")):
                full = os.path.join(root, name)
                files.append((os.path.relpath(full, base), open(full, encoding="utf-8", errors="replace").read()))
    if files:
        sources.append(sorted(files))
tag = re.compile(r"@v(\d+)\b")
for k in range(n):
    files = sources[k % len(sources)]
    # Up to six files per repository, a different window for each copy of a source.
    take = [files[(k // len(sources) + j) % len(files)] for j in range(min(6, len(files)))]
    for rel, text in dict(take).items():
        path = os.path.join(out, f"repo-{k:05d}", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # Distinct bytes, and distinct facts: the major tags move per repository.
        text = tag.sub(lambda m: f"@v{m.group(1)}.{k % 9}", text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"# generated for the scan-org benchmark: repository {k}\n{text}")
PY
}

echo "| repositories | files | input MB | wall s | peak RSS MB | database MB |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in "${COUNTS[@]}"; do
  dir="$WORK/org-$n"
  rm -rf "$dir"
  generate "$dir" "$n"
  files=$(find "$dir" -type f | wc -l)
  bytes=$(find "$dir" -type f -printf "%s\n" | awk "{ s += \$1 } END { print s }")
  # No two files may be equal: that would measure the deduplication, not the scan.
  dups=$(find "$dir" -type f -exec md5sum {} + | cut -d' ' -f1 | sort | uniq -d | wc -l)
  [ "$dups" = 0 ] || { echo "generated files repeat ($dups)" >&2; exit 1; }
  /usr/bin/time -v "$BIN" scan-org "$dir" --db "$WORK/org-$n.sqlite" --jobs "$JOBS" \
    --fail-level never --quiet > /dev/null 2> "$WORK/time-$n.txt" || {
      cat "$WORK/time-$n.txt" >&2; exit 1; }
  rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time-$n.txt")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time-$n.txt")
  secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  db=$(stat -c %s "$WORK/org-$n.sqlite")
  awk -v n="$n" -v f="$files" -v b="$bytes" -v s="$secs" -v r="$rss_kb" -v d="$db" \
    'BEGIN { printf "| %d | %d | %.1f | %.1f | %.0f | %.1f |\n", n, f, b / 1e6, s, r / 1024, d / 1e6 }'
  [ -n "${KEEP:-}" ] || rm -rf "$dir" "$WORK/org-$n.sqlite"
done
