#!/usr/bin/env bash
# Proves both directions of the bundled examples against the real SDKs (pulumi-aws 7):
#   every program under examples/ FAILS its check, and
#   its hand-fixed version under tests/fixtures/expected/<same name>/ PASSES.
# Python programs run under Pulumi's mocks (check_python.py, venv target/sdk/py-aws7); TypeScript
# programs are type-checked (check_ts.mjs, target/sdk/node-aws7). Run tests/sdk/setup.sh first.
# Usage: bash tests/sdk/prove_examples.sh [-v]     (-v prints each check's JSON)
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
sdk="$root/target/sdk"
verbose="${1:-}"
passed=0
failed=0

check() { # check DIR -> the check's exit code (0 ok, 1 problems found, other: harness error)
  local dir="$1" out rc
  if [ -f "$dir/package.json" ] || compgen -G "$dir/*.ts" >/dev/null; then
    out="$(node "$root/tests/sdk/check_ts.mjs" --sdk "$sdk/node-aws7" "$dir")"; rc=$?
  else
    out="$("$sdk/py-aws7/bin/python" "$root/tests/sdk/check_python.py" --program-dir "$dir" 2>/dev/null)"; rc=$?
  fi
  [ "$verbose" = "-v" ] && printf '%s\n' "$out" >&2
  return $rc
}

verdict() { # verdict LABEL WANT GOT
  if [ "$2" = "$3" ]; then
    passed=$((passed + 1)); echo "ok    $1"
  else
    failed=$((failed + 1)); echo "FAIL  $1 (check exit $3, wanted $2)"
  fi
}

for example in "$root"/examples/*/; do
  name="$(basename "$example")"
  [ -f "$example/Pulumi.yaml" ] || continue
  check "$example"; verdict "examples/$name fails its real-SDK check" 1 $?
  expected="$root/tests/fixtures/expected/$name"
  if [ -d "$expected" ]; then
    check "$expected"; verdict "tests/fixtures/expected/$name passes its real-SDK check" 0 $?
  else
    failed=$((failed + 1)); echo "FAIL  no tests/fixtures/expected/$name"
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
