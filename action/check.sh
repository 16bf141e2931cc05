#!/usr/bin/env bash
# The action's check step: runs `tollgate check` with the action's inputs, taken from the
# environment (never interpolated into the script). TOLLGATE_PATHS and TOLLGATE_ARGS are
# lists split on whitespace into words, without glob or shell evaluation.
set -euo pipefail
bin="${TOLLGATE_BIN:?the install step gave no binary}"
format="${TOLLGATE_FORMAT:-sarif}"
output="${TOLLGATE_OUTPUT:-}"
if [ -z "$output" ]; then
  case "$format" in
    sarif) output=tollgate.sarif ;;
    json) output=tollgate.json ;;
    *) output="" ;; # github and human: standard output, where annotations appear
  esac
fi
args=(check --format "$format" --fail-level "${TOLLGATE_FAIL_LEVEL:-error}")
if [ -n "$output" ]; then args+=(--output "$output"); fi
if [ -n "${TOLLGATE_CONFIG:-}" ]; then args+=(--config "$TOLLGATE_CONFIG"); fi
set -f
read -r -a extra <<< "${TOLLGATE_ARGS:-}"
read -r -a paths <<< "${TOLLGATE_PATHS:-.}"
set +f
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "report=$output" >> "$GITHUB_OUTPUT"; fi
exec "$bin" "${args[@]}" ${extra[@]+"${extra[@]}"} -- ${paths[@]+"${paths[@]}"}
