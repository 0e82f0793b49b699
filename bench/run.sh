#!/usr/bin/env bash
# Benchmark: pulumi-fix against ast-grep (the same rules, bench/ast-grep/: hand-written ones and
# ones generated from the upgrade catalogs, checked by bench/ast-grep/check.py) and against the parse
# floor (read + tree-sitter parse of every file, `--parse-only`), on synthetic Pulumi monorepos
# written by `gen-corpus`; plus one-file runs (pre-commit) and peak memory.
#
#   bench/run.sh [FILES...]        corpus sizes, default: 1000 10000
#   RUNS=5 bench/run.sh            timed runs per command (median reported), default 3
#   PAIRS=5                        alternating pairs per compared corpus, default 5 (0: none): a
#                                  floor run then a dry run, a one-thread run then an all-thread
#                                  one, each pair back to back, so that a shared host's swings
#                                  (which outlast hyperfine's separate series) hit both alike
#   COMPARE_MAX=10000              larger corpora (the scale check) time pulumi-fix and the floor
#                                  with all threads, once, without warm-up, and skip ast-grep
#
# Needs hyperfine and GNU time (Debian: apt-get install hyperfine time) and python3 (ast-grep is
# installed from PyPI into target/bench/venv). Writes everything under target/bench/; the summary
# is printed and saved as target/bench/results.md. Exits 1 when a findings count is wrong.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/target/bench
RUNS=${RUNS:-3}
PAIRS=${PAIRS:-5}
COMPARE_MAX=${COMPARE_MAX:-10000}
SIZES=("${@:-1000 10000}")
read -r -a SIZES <<<"${SIZES[*]}"

for tool in hyperfine python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install hyperfine python3)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

mkdir -p "$OUT/bin" "$OUT/runs"
# Build, then copy the binaries: a shared CARGO_TARGET_DIR may be rebuilt by another checkout.
cargo build --release --bins --quiet --manifest-path "$ROOT/Cargo.toml"
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
cp "$TARGET_DIR/release/pulumi-fix" "$TARGET_DIR/release/gen-corpus" "$OUT/bin/"
FIX=$OUT/bin/pulumi-fix
if [ ! -x "$OUT/venv/bin/ast-grep" ]; then
    python3 -m venv "$OUT/venv"
    "$OUT/venv/bin/pip" install --quiet ast-grep-cli
fi
SG=$OUT/venv/bin/ast-grep
# ast-grep's rules: the hand-written ones and those generated from the upgrade catalogs, checked
# against pulumi-fix on every codemod example so the timings compare the same work.
python3 "$ROOT/bench/ast-grep/gen_rules.py" "$OUT/ast-grep"
SGCONFIG=$OUT/ast-grep/sgconfig.yml
python3 "$ROOT/bench/ast-grep/check.py" "$FIX" "$SG" "$SGCONFIG" || { echo "bench: ast-grep's rules and pulumi-fix disagree (above)" >&2; exit 1; }
THREADS=$(nproc)

# time NAME COMMAND [RUNS WARMUP]: median wall time, into runs/NAME.json (exit codes ignored:
# pulumi-fix exits 1 when fixes are pending).
time_it() {
    hyperfine --ignore-failure --warmup "${4:-1}" --runs "${3:-$RUNS}" --style none --export-json "$OUT/runs/$1.json" "$2" \
        >/dev/null 2>"$OUT/runs/$1.log"
}
# pairs N CORPUS: PAIRS alternating pairs into runs/pairs-N.txt, a line a run: its kind (floor,
# fix, fix1, fixN), wall, user and system seconds; after one unrecorded pair (the first floor run
# of a series reads slower).
pairs() {
    : >"$OUT/runs/pairs-$1.txt"
    [ "$PAIRS" -gt 0 ] || return 0
    "$FIX" --parse-only "$2" >/dev/null 2>&1 || true
    "$FIX" --dry-run --format json "$2" >/dev/null 2>&1 || true
    for _ in $(seq "$PAIRS"); do
        for kind in floor fix fix1 fixN; do
            case $kind in
                floor) args=(--parse-only) ;;
                fix | fixN) args=(--dry-run --format json) ;;
                fix1) args=(--dry-run --format json --threads 1) ;;
            esac
            /usr/bin/time -f "$kind %e %U %S" -a -o "$OUT/runs/pairs-$1.txt" "$FIX" "${args[@]}" "$2" >/dev/null 2>&1 || true
        done
    done
}
# rss NAME COMMAND: peak resident set size in KiB, into runs/NAME.rss.
rss() {
    /usr/bin/time -f %M -o "$OUT/runs/$1.rss" sh -c "$2" >/dev/null 2>&1 || true
}

cd "$OUT"
for n in "${SIZES[@]}"; do
    corpus=corpus-$n
    if [ ! -s "$corpus.json" ] || [ "$OUT/bin/gen-corpus" -nt "$corpus.json" ]; then
        "$OUT/bin/gen-corpus" --files "$n" --out "$corpus" --force >"$corpus.json"
    fi
    echo "bench: $n files ($(du -sh "$corpus" | cut -f1))" >&2
    # The timed runs leave their findings in runs/; summary.py checks them against the seeded count.
    if [ "$n" -gt "$COMPARE_MAX" ]; then
        time_it "fix-$n" "$FIX --dry-run --format json $corpus > runs/fix-$n.out" 1 0
        time_it "floor-$n" "$FIX --parse-only $corpus" 1 0
        rss "fix-$n" "$FIX --dry-run --format json $corpus"
        continue
    fi
    time_it "fix-$n" "$FIX --dry-run --format json $corpus > runs/fix-$n.out"
    time_it "fix1-$n" "$FIX --dry-run --format json --threads 1 $corpus > runs/fix1-$n.out"
    time_it "floor-$n" "$FIX --parse-only $corpus"
    time_it "floor1-$n" "$FIX --parse-only --threads 1 $corpus"
    rss "fix-$n" "$FIX --dry-run --format json $corpus"
    time_it "sg-$n" "$SG scan -c $SGCONFIG --json=compact $corpus > runs/sg-$n.out"
    pairs "$n" "$corpus"
    rss "sg-$n" "$SG scan -c $SGCONFIG --json=compact $corpus"
done

# One file of 300 lines with one mistake, as pre-commit passes it.
"$OUT/bin/gen-corpus" --files 1 --single-file-lines 300 --out one/tap_stack.py >one.json
hyperfine --ignore-failure -N --warmup 5 --runs 50 --style none --export-json runs/one.json "$FIX --dry-run one/tap_stack.py" >/dev/null 2>&1
hyperfine --ignore-failure -N --warmup 5 --runs 50 --style none --export-json runs/sg-one.json "$SG scan -c $SGCONFIG --json=compact one/tap_stack.py" >/dev/null 2>&1

python3 "$ROOT/bench/summary.py" "$OUT" "$THREADS" "${SIZES[@]}" | tee results.md
