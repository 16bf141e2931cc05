#!/usr/bin/env bash
# Commits a release to the Action: writes action/version.txt and the checksums of the
# release archives (from the release's SHA256SUMS) into action/checksums.txt. Run after
# the release workflow has published version VERSION, then commit, so that the action's
# commit pins the binaries it installs:
#   scripts/action-checksums.sh 0.2.0 path/to/SHA256SUMS
set -euo pipefail
version="${1:?usage: $0 VERSION SHA256SUMS}"
sums="${2:?usage: $0 VERSION SHA256SUMS}"
version="${version#v}"
root="$(cd "$(dirname "$0")/.." && pwd)"
entries="$(grep -E "^[0-9a-f]{64}  tollgate-${version//./\\.}-[a-z0-9_]+(-[a-z0-9_]+)*\.tar\.gz$" "$sums" || true)"
if [ -z "$entries" ]; then
  echo "error: $sums lists no tollgate-${version}-*.tar.gz archive" >&2
  exit 1
fi
{
  sed -n '/^#/p' "$root/action/checksums.txt"
  echo "$entries"
} > "$root/action/checksums.txt.new"
mv "$root/action/checksums.txt.new" "$root/action/checksums.txt"
echo "$version" > "$root/action/version.txt"
echo "action/checksums.txt: $(echo "$entries" | wc -l) archives of version $version"
