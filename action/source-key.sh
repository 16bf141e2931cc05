#!/usr/bin/env bash
# The cache key of a tollgate built from this action's sources: a hash of every file the
# build reads (Cargo manifests and lockfile, src/, crates/, rules/), so another ref of the
# action, or a changed source, never restores an old binary, and the key cannot be known
# without the exact sources. Prints the key.
set -euo pipefail
root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$root"
if command -v sha256sum >/dev/null 2>&1; then sum=(sha256sum); else sum=(shasum -a 256); fi
inputs=()
for p in Cargo.toml Cargo.lock src crates rules; do
  if [ -e "$p" ]; then inputs+=("$p"); fi
done
hash="$(find "${inputs[@]}" -type f -print0 \
  | LC_ALL=C sort -z | xargs -0 "${sum[@]}" | "${sum[@]}" | awk '{ print $1 }')"
echo "tollgate-source-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}-${hash}"
