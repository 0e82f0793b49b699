"""Summarises the runs of bench/run.sh as a Markdown table (stdout); exits 1 on a wrong count.

Usage: summary.py OUT_DIR THREADS SIZE...
"""

import json
import os
import platform
import statistics
import sys
from datetime import date


def median(out, name):
    path = os.path.join(out, "runs", name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["results"][0]["median"]


def cpu(out, name):
    """Mean user + system time: what a run costs when other work shares the machine."""
    path = os.path.join(out, "runs", name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        result = json.load(f)["results"][0]
    return result["user"] + result["system"]


def rss_mb(out, name):
    path = os.path.join(out, "runs", name + ".rss")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        lines = [line for line in f.read().split() if line.isdigit()]
    return int(lines[-1]) / 1024 if lines else None


def pair_ratios(out, n):
    """From the alternating pairs of runs/pairs-N.txt: per pair, dry run / floor and one thread /
    all threads, in wall time."""
    path = os.path.join(out, "runs", f"pairs-{n}.txt")
    if not os.path.exists(path):
        return None
    walls = {"floor": [], "fix": [], "fix1": [], "fixN": []}
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 4 and fields[0] in walls:
                walls[fields[0]].append(float(fields[1]))
    to_floor = [fix / floor for floor, fix in zip(walls["floor"], walls["fix"]) if floor > 0]
    threads = [one / all_ for one, all_ in zip(walls["fix1"], walls["fixN"]) if all_ > 0]
    return (to_floor, threads) if to_floor and threads else None


def spread(ratios):
    return f"**{statistics.median(ratios):.2f}** (" + ", ".join(f"{r:.2f}" for r in ratios) + ")"


def findings_by_codemod(path, key, id_key):
    """Findings per codemod in a JSON output: pulumi-fix's document or ast-grep's array."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        data = json.load(f)
    counts = {}
    for finding in data[key] if key else data:
        counts[finding[id_key]] = counts.get(finding[id_key], 0) + 1
    return counts


def seeded(counts, corpus):
    """The findings of the codemods the corpus seeds; the others are listed apart."""
    return None if counts is None else sum(n for id, n in counts.items() if id in corpus["by_codemod"])


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        total_kb = int(f.readline().split()[1])
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs ({model}), {total_kb / 1024 / 1024:.0f} GiB RAM, {platform.system()} {platform.release()}; load average at the end {load[0]:.2f}"


def fmt(value, spec):
    return "–" if value is None else format(value, spec)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main():
    out, threads, sizes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    wrong, notes = [], []
    print(f"### Benchmark, {date.today()}\n")
    print(f"Machine: {machine()}. Medians of the timed runs; N = {threads} threads.\n")
    print("| files | MB | findings (expected / ours / ast-grep) | ours N thr | ours 1 thr | parse floor N thr | ast-grep | ours / ast-grep | ours / floor | 1 thr / N thr | files/s | MB/s | CPU s ours / floor / ast-grep | peak RSS ours / ast-grep |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    pairs_of = {n: pair_ratios(out, n) for n in sizes}
    for n in sizes:
        with open(os.path.join(out, f"corpus-{n}.json")) as f:
            corpus = json.load(f)
        expected = corpus["expected_findings"]
        ours_counts = findings_by_codemod(os.path.join(out, "runs", f"fix-{n}.out"), "findings", "codemod")
        ours = seeded(ours_counts, corpus)
        sg_counts = findings_by_codemod(os.path.join(out, "runs", f"sg-{n}.out"), None, "ruleId")
        sg = seeded(sg_counts, corpus)
        if ours != expected:
            wrong.append(f"{n} files: pulumi-fix reported {ours} findings of the seeded codemods, the corpus has {expected}")
        others = {id: c for id, c in (ours_counts or {}).items() if id not in corpus["by_codemod"]}
        if others:
            notes.append(f"{n} files: findings of codemods the corpus does not seed: {others}")
        # ast-grep's upgrade rules fire whatever the pulumi-aws version: listed, not compared.
        sg_others = {id: c for id, c in (sg_counts or {}).items() if id not in corpus["by_codemod"]}
        if sg_others:
            notes.append(f"{n} files: ast-grep's findings of codemods the corpus does not seed: {sg_others}")
        fix, fix1 = median(out, f"fix-{n}"), median(out, f"fix1-{n}")
        floor, sg_time = median(out, f"floor-{n}"), median(out, f"sg-{n}")
        mb = corpus["bytes"] / 1e6
        # The series of one command run minutes apart carry the host's drift; the alternating
        # pairs, back to back, much less: both are shown.
        floor_cell, threads_cell = fmt(ratio(fix, floor), '.2f'), fmt(ratio(fix1, fix), '.2f')
        pairs = pairs_of[n]
        if pairs:
            floor_cell += f" (pairs {statistics.median(pairs[0]):.2f})"
            threads_cell += f" (pairs {statistics.median(pairs[1]):.2f})"
        print(
            f"| {n} | {mb:.0f} | {expected} / {ours} / {fmt(sg, 'd')} | {fmt(fix, '.2f')} s | {fmt(fix1, '.2f')} s | {fmt(floor, '.2f')} s "
            f"| {fmt(sg_time, '.2f')} s | {fmt(ratio(fix, sg_time), '.2f')} | {floor_cell} | {threads_cell} "
            f"| {fmt(ratio(int(n), fix), '.0f')} | {fmt(ratio(mb, fix), '.0f')} "
            f"| {fmt(cpu(out, f'fix-{n}'), '.1f')} / {fmt(cpu(out, f'floor-{n}'), '.1f')} / {fmt(cpu(out, f'sg-{n}'), '.1f')} "
            f"| {fmt(rss_mb(out, f'fix-{n}'), '.0f')} / {fmt(rss_mb(out, f'sg-{n}'), '.0f')} MB |"
        )
    for n in sizes:
        pairs = pairs_of[n]
        if pairs:
            to_floor, threads = pairs
            print(f"\nAlternating pairs, {n} files, wall time (median, then each pair in order): ours / floor {spread(to_floor)}; "
                  f"1 thr / N thr {spread(threads)}.")
    one, sg_one = median(out, "one"), median(out, "sg-one")
    print(f"\nOne 300-line Python file with one mistake (pre-commit): median {fmt(one and one * 1000, '.1f')} ms "
          f"including process start (ast-grep: {fmt(sg_one and sg_one * 1000, '.1f')} ms).")
    for line in notes:
        print(f"\n{line}")
    for line in wrong:
        print(f"\nWRONG COUNT: {line}")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
