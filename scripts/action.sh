#!/usr/bin/env bash
# What the GitHub Action (action.yml) runs; tests/bot.rs runs the same script.
#
#   action.sh install   build and install pulumi-fix from this repository (cargo install)
#   action.sh run       run it: check mode annotates and fails on pending fixes; fix mode writes
#                       the fixes and a Markdown summary for the pull request body
#
# Environment (action.yml maps its inputs onto these):
#   PULUMI_FIX_MODE     check (default) or fix
#   PULUMI_FIX_PATHS    paths to fix, space-separated (default: .)
#   PULUMI_FIX_ARGS     extra arguments, space-separated (e.g. --unsafe-fixes)
#   PULUMI_FIX_SUMMARY  where to write the Markdown summary (default: $RUNNER_TEMP/pulumi-fix-summary.md,
#                       outside the work tree so that it is not committed)
#   PULUMI_FIX_BIN      the pulumi-fix binary (default: pulumi-fix on PATH)
#   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY  set by GitHub Actions; used when present
set -euo pipefail

action_path=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

install() {
  cargo install --locked --path "$action_path"
}

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "$1=$2" >> "$GITHUB_OUTPUT"
  fi
}

run() {
  local bin=${PULUMI_FIX_BIN:-pulumi-fix}
  local mode=${PULUMI_FIX_MODE:-check}
  local summary=${PULUMI_FIX_SUMMARY:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/pulumi-fix-summary.md}
  local -a paths extra flags
  read -r -a paths <<< "${PULUMI_FIX_PATHS:-.}"
  read -r -a extra <<< "${PULUMI_FIX_ARGS:-}"
  case "$mode" in
    check) flags=(--dry-run) ;;
    fix) flags=(--write) ;;
    *)
      echo "::error title=pulumi-fix::mode must be 'check' or 'fix', not '$mode'"
      exit 2
      ;;
  esac

  local code=0
  "$bin" "${flags[@]}" --format github --summary-file "$summary" "${extra[@]}" -- "${paths[@]}" || code=$?

  local changed=false
  if [ "$mode" = fix ] && git rev-parse --is-inside-work-tree > /dev/null 2>&1 \
      && [ -n "$(git status --porcelain -- "${paths[@]}")" ]; then
    changed=true
  fi
  output exit-code "$code"
  output changed "$changed"
  output summary-file "$summary"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$summary" ]; then
    cat "$summary" >> "$GITHUB_STEP_SUMMARY"
  fi

  # Check mode fails on anything pending (exit 1) or broken (2). Fix mode fails only when
  # pulumi-fix could not run (2): findings it cannot fix are annotations and in the summary.
  if [ "$mode" = fix ] && [ "$code" -eq 1 ]; then
    return 0
  fi
  return "$code"
}

case "${1:-}" in
  install) install ;;
  run) run ;;
  *)
    echo "usage: $0 install|run" >&2
    exit 2
    ;;
esac
