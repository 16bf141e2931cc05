#!/usr/bin/env bash
# Installs the tollgate release binary for this runner, verified against the SHA-256 this
# action commits (action/checksums.txt): pinning the action to a commit pins the binary.
#
# Environment: TOLLGATE_VERSION (default: the version in action/version.txt),
# TOLLGATE_DEST (the directory to install into), RUNNER_OS and RUNNER_ARCH (set by the
# runner), TOLLGATE_DOWNLOAD_BASE (a mirror of the release downloads; default GitHub's).
# Prints `bin=<path>` to $GITHUB_OUTPUT when set, and always to standard output.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${TOLLGATE_VERSION:-}"
if [ -z "$version" ]; then
  version="$(tr -d '[:space:]' < "$here/version.txt")"
fi
version="${version#v}"
case "$version" in
  *[!0-9A-Za-z.+-]* | "")
    echo "::error::tollgate: invalid version" >&2
    exit 2
    ;;
esac
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *)
    echo "::error::tollgate: no release binary for this runner (${RUNNER_OS:-?}/${RUNNER_ARCH:-?}); set build-from-source: true" >&2
    exit 2
    ;;
esac
file="tollgate-${version}-${target}.tar.gz"
expected="$(awk -v f="$file" '$2 == f { print $1 }' "$here/checksums.txt")"
if [ -z "$expected" ]; then
  echo "::error::tollgate: this action commits no checksum for ${file}; pin a commit of the action that ships version ${version}, or set build-from-source: true" >&2
  exit 2
fi
base="${TOLLGATE_DOWNLOAD_BASE:-https://github.com/tollgate-dev/tollgate/releases/download}"
dest="${TOLLGATE_DEST:?TOLLGATE_DEST must name the install directory}"
mkdir -p "$dest"
archive="$dest/$file"
curl --proto '=https,file' --tlsv1.2 -fsSL --retry 5 --retry-all-errors \
  -o "$archive" "$base/v${version}/${file}"
if command -v sha256sum >/dev/null 2>&1; then
  actual="$(sha256sum "$archive" | awk '{ print $1 }')"
else
  actual="$(shasum -a 256 "$archive" | awk '{ print $1 }')"
fi
if [ "$actual" != "$expected" ]; then
  rm -f "$archive"
  echo "::error::tollgate: ${file} does not match the checksum this action commits (expected ${expected}, got ${actual}); not installed" >&2
  exit 1
fi
tar -xzf "$archive" -C "$dest"
rm -f "$archive"
bin="$dest/tollgate"
if [ "$target" = x86_64-pc-windows-msvc ]; then
  bin="$dest/tollgate.exe"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "bin=$bin" >> "$GITHUB_OUTPUT"
fi
echo "bin=$bin"
