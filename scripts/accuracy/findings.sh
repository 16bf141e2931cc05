#!/usr/bin/env bash
# Write `tollgate check --format json` of every repository of the corpus into DIR, one
# file per repository: the input of sample.py and table.py.
#   scripts/accuracy/findings.sh DIR [TOLLGATE] [CORPUS]
set -euo pipefail
out=${1:?usage: findings.sh DIR [TOLLGATE] [CORPUS]}
tollgate=${2:-target/release/tollgate}
corpus=${3:-../shared/corpus}
mkdir -p "$out"
for repo in "$corpus"/*__*/; do
  name=$(basename "$repo")
  # The snapshots have no `.git`: the directory name (`owner__name`) says which
  # repository each is, as `.git/config` would in a checkout.
  slug=${name/__//}
  # Exit code 1 means findings; anything else is reported.
  "$tollgate" check --format json --repository "$slug" "$repo" >"$out/$name.json" 2>/dev/null || [ $? -eq 1 ] ||
    echo "tollgate failed on $name" >&2
done
