#!/usr/bin/env bash
# Builds the Python wheel (maturin, the binary inside), installs it into a fresh virtual
# environment without an index, runs it on the demo, and runs the wheel-based pre-commit
# hook (packaging/pre-commit) through `pre-commit try-repo` against that wheel.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip install --quiet --disable-pip-version-check "maturin==1.16.0" "pre-commit==4.0.1"

echo "building the wheel:"
(cd "$repo" && python3 -m maturin build --release --locked --quiet -o "$work/dist")
ls -l "$work/dist"

python3 -m venv "$work/venv"
start=$(date +%s.%N)
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index --find-links "$work/dist" tollgate-cli
end=$(date +%s.%N)
echo "pip install of the wheel took $(python3 -c "print(f'{$end - $start:.1f}')") s"
"$work/venv/bin/tollgate" --version
set +e
"$work/venv/bin/tollgate" check --color never "$repo/testdata/demo" > "$work/demo.txt"
rc=$?
set -e
tail -1 "$work/demo.txt"
if [ "$rc" -ne 1 ]; then
  echo "error: the installed wheel exited $rc on the demo (expected 1: it has findings)" >&2
  exit 1
fi

# The hook repository as pre-commit sees it: its own git repository.
cp -r "$repo/packaging/pre-commit" "$work/hook"
(cd "$work/hook" && git init -q && git add -A \
  && git -c user.email=ci@example.invalid -c user.name=ci commit -qm hook)
export PRE_COMMIT_HOME="$work/cache"
# pip inside pre-commit's environment finds tollgate-cli in the wheel directory.
export PIP_FIND_LINKS="$work/dist"
mkdir -p "$work/project/.github/workflows" && cd "$work/project"
git init -q
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
git add . && git -c user.email=ci@example.invalid -c user.name=ci commit -qm fixtures
echo "wheel hook on the good workflow (must pass):"
python3 -m pre_commit try-repo "$work/hook" tollgate --files .github/workflows/good.yml
echo "wheel hook on the bad workflow (must fail):"
if python3 -m pre_commit try-repo "$work/hook" tollgate --files .github/workflows/bad.yml; then
  echo "error: the wheel hook passed a workflow with unpinned actions and curl | bash" >&2
  exit 1
fi
echo "wheel hook: fails on the bad workflow and passes on the good one"
