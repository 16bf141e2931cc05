#!/usr/bin/env bash
# Runs tollgate's pre-commit hook for real: `pre-commit try-repo` builds the hook from this
# repository (cargo install --path, as pre-commit does for `language: rust`) and runs it in
# a temporary git repository on one bad and one good workflow.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if ! python3 -m pre_commit --version >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check "pre-commit==4.0.1"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
cd "$work"
git init -q project && cd project
git config user.email ci@example.invalid && git config user.name ci
mkdir -p .github/workflows
cat > .github/workflows/bad.yml <<'YAML'
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: curl -fsSL https://example.com/install.sh | bash
YAML
cat > .github/workflows/good.yml <<'YAML'
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - run: echo "hello"
YAML
git add . && git commit -qm fixtures
echo "pre-commit hook on the good workflow (must pass):"
python3 -m pre_commit try-repo "$repo" tollgate --files .github/workflows/good.yml
echo "pre-commit hook on the bad workflow (must fail):"
if python3 -m pre_commit try-repo "$repo" tollgate --files .github/workflows/bad.yml; then
  echo "error: the hook passed a workflow with unpinned actions and curl | bash" >&2
  exit 1
fi
echo "pre-commit hook: fails on the bad workflow and passes on the good one"
