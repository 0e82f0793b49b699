#!/usr/bin/env bash
# Installs the real Pulumi SDKs that the real-SDK checks (check_python.py, check_ts.mjs) run
# programs against, under target/sdk/ of this clone:
#   py-aws7/ py-aws6/      Python venvs: pulumi + pulumi-aws 7.x / 6.x  (pins: tests/sdk/py-aws*/requirements.txt)
#   node-aws7/ node-aws6/  npm installs: @pulumi/pulumi, @pulumi/aws 7.x / 6.x, typescript, @types/node
#                          (pins: tests/sdk/node-aws*/package.json)
# Idempotent: each env keeps a marker with the pins it was installed from; an env whose marker
# matches is left alone, so a rerun with unchanged pins does nothing. Changed pins reinstall that
# env from scratch. Usage: bash tests/sdk/setup.sh [ENV...]   (default: all four)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
sdk="$(cd "$here/../.." && pwd)/target/sdk"
marker_name=".pulumi-fix-pins"
python="${PYTHON:-python3}"

die() { echo "tests/sdk/setup.sh: $*" >&2; exit 1; }

# The text an env's marker must hold: its pin file plus the interpreter it is built with.
want_marker() {
  local env="$1"
  case "$env" in
    py-*) printf '%s\n%s\n' "$("$python" -c 'import sys; print("python", sys.version.split()[0])')" "$(cat "$here/$env/requirements.txt")" ;;
    node-*) printf '%s\n%s\n' "node $(node --version)" "$(cat "$here/$env/package.json")" ;;
  esac
}

# The pins of an env on one line, for the report.
pins() {
  case "$1" in
    py-*) tr '\n' ' ' < "$here/$1/requirements.txt" ;;
    node-*) grep -o '"[@a-z/]*": "[0-9][0-9.]*"' "$here/$1/package.json" | tr -d '"' | sed 's/: /@/' | tr '\n' ' ' ;;
  esac
}

is_current() {
  local env="$1" marker="$sdk/$1/$marker_name"
  [ -f "$marker" ] && [ "$(cat "$marker")" = "$(want_marker "$env")" ]
}

install_py() {
  local env="$1" dir="$sdk/$1"
  rm -rf "$dir"
  "$python" -m venv "$dir" || die "$env: '$python -m venv' failed (is the python3-venv package installed?)"
  "$dir/bin/pip" install --disable-pip-version-check -q -r "$here/$env/requirements.txt" \
    || die "$env: pip install -r tests/sdk/$env/requirements.txt failed"
  "$dir/bin/python" -c 'import pulumi, pulumi_aws' || die "$env: pulumi_aws does not import after the install"
}

install_node() {
  local env="$1" dir="$sdk/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$here/$env/package.json" "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --silent --no-package-lock) \
    || die "$env: npm install of tests/sdk/$env/package.json failed"
  [ -f "$dir/node_modules/@pulumi/aws/package.json" ] && [ -f "$dir/node_modules/typescript/package.json" ] \
    || die "$env: npm install left no @pulumi/aws or typescript under $dir/node_modules"
}

envs=("$@")
[ ${#envs[@]} -gt 0 ] || envs=(py-aws7 py-aws6 node-aws7 node-aws6)

command -v "$python" >/dev/null || die "no $python on PATH (Python 3.9+ with venv is required)"
command -v node >/dev/null && command -v npm >/dev/null || die "no node/npm on PATH (Node.js 18+ is required)"
mkdir -p "$sdk"

todo=()
for env in "${envs[@]}"; do
  [ -f "$here/$env/requirements.txt" ] || [ -f "$here/$env/package.json" ] || die "unknown env '$env'"
  is_current "$env" || todo+=("$env")
done
[ ${#todo[@]} -gt 0 ] || exit 0

# The installs are mostly download and unpacking: run them side by side, one log each.
pids=()
for env in "${todo[@]}"; do
  (
    start=$SECONDS
    case "$env" in
      py-*) install_py "$env" ;;
      node-*) install_node "$env" ;;
    esac
    want_marker "$env" > "$sdk/$env/$marker_name"
    echo "sdk: installed $env in $((SECONDS - start))s: $(pins "$env")"
  ) > "$sdk/$env.log" 2>&1 &
  pids+=($!)
done

failed=0
for i in "${!todo[@]}"; do
  if wait "${pids[$i]}"; then
    tail -n 1 "$sdk/${todo[$i]}.log"
  else
    failed=1
    echo "sdk: FAILED to install ${todo[$i]}; its log ($sdk/${todo[$i]}.log) ends:" >&2
    tail -n 30 "$sdk/${todo[$i]}.log" >&2
  fi
done
[ "$failed" = 0 ] || die "installing the SDKs failed"
