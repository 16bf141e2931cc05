#!/usr/bin/env bash
# The action's check step: runs `tollgate check` with the action's inputs, taken from the
# environment (never interpolated into the script). TOLLGATE_PATHS and TOLLGATE_ARGS are
# lists split on whitespace into words, without glob or shell evaluation.
# With TOLLGATE_DIFF_BASE set it runs `tollgate diff BASE` instead: what the change since
# that revision adds (new findings, permissions, hosts, actions), failing on new findings.
set -euo pipefail
bin="${TOLLGATE_BIN:?the install step gave no binary}"
format="${TOLLGATE_FORMAT:-sarif}"
output="${TOLLGATE_OUTPUT:-}"
base="${TOLLGATE_DIFF_BASE:-}"
level="${TOLLGATE_FAIL_LEVEL:-error}"
if [ -n "$base" ] && [ "$format" = human ]; then
  # A diff reads best as the pull-request comment it is made for.
  format=markdown
fi
if [ -z "$output" ]; then
  case "$format" in
    sarif) output=tollgate.sarif ;;
    json) output=tollgate.json ;;
    markdown) output=tollgate-diff.md ;;
    *) output="" ;; # github and human: standard output, where annotations appear
  esac
fi
if [ -n "$base" ]; then
  args=(diff --format "$format")
  if [ "$level" != never ]; then args+=(--fail-on new-findings); fi
else
  args=(check --format "$format" --fail-level "$level")
  if [ -n "${TOLLGATE_BASELINE:-}" ]; then args+=(--baseline "$TOLLGATE_BASELINE"); fi
fi
if [ -n "$output" ]; then args+=(--output "$output"); fi
if [ -n "${TOLLGATE_CONFIG:-}" ]; then args+=(--config "$TOLLGATE_CONFIG"); fi
set -f
read -r -a extra <<< "${TOLLGATE_ARGS:-}"
read -r -a paths <<< "${TOLLGATE_PATHS:-.}"
set +f
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "report=$output" >> "$GITHUB_OUTPUT"; fi
if [ -z "$base" ]; then
  exec "$bin" "${args[@]}" ${extra[@]+"${extra[@]}"} -- ${paths[@]+"${paths[@]}"}
fi
# The diff reads the repository the workflow checked out; BASE must be in its history
# (`fetch-depth: 0`, or a fetch of the base commit).
status=0
"$bin" "${args[@]}" ${extra[@]+"${extra[@]}"} -- "$base" || status=$?
if [ "$format" = markdown ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$output" ]; then
  cat "$output" >> "$GITHUB_STEP_SUMMARY"
fi
exit "$status"
