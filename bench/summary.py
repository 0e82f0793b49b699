"""Summarises the runs of bench/run.sh as a Markdown table (stdout); exits 1 on a wrong count.

Usage: summary.py OUT_DIR THREADS SIZE...
"""

import json
import os
import platform
import sys
from datetime import date


def median(out, name):
    path = os.path.join(out, "runs", name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["results"][0]["median"]


def rss_mb(out, name):
    path = os.path.join(out, "runs", name + ".rss")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        lines = [line for line in f.read().split() if line.isdigit()]
    return int(lines[-1]) / 1024 if lines else None


def count(path, key):
    """Findings in a JSON output: pulumi-fix's document or ast-grep's array."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        data = json.load(f)
    return len(data[key]) if key else len(data)


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
    wrong = []
    print(f"### Benchmark, {date.today()}\n")
    print(f"Machine: {machine()}. Medians of the timed runs; N = {threads} threads.\n")
    print("| files | MB | findings (expected / ours / ast-grep) | ours N thr | ours 1 thr | parse floor N thr | ast-grep | ours / ast-grep | ours / floor | 1 thr / N thr | files/s | MB/s | peak RSS ours / ast-grep |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        with open(os.path.join(out, f"corpus-{n}.json")) as f:
            corpus = json.load(f)
        expected = corpus["expected_findings"]
        ours = count(os.path.join(out, "runs", f"fix-{n}.out"), "findings")
        sg = count(os.path.join(out, "runs", f"sg-{n}.out"), None)
        if ours != expected:
            wrong.append(f"{n} files: pulumi-fix reported {ours} findings, the corpus has {expected}")
        fix, fix1 = median(out, f"fix-{n}"), median(out, f"fix1-{n}")
        floor, sg_time = median(out, f"floor-{n}"), median(out, f"sg-{n}")
        mb = corpus["bytes"] / 1e6
        print(
            f"| {n} | {mb:.0f} | {expected} / {ours} / {fmt(sg, 'd')} | {fmt(fix, '.2f')} s | {fmt(fix1, '.2f')} s | {fmt(floor, '.2f')} s "
            f"| {fmt(sg_time, '.2f')} s | {fmt(ratio(fix, sg_time), '.2f')} | {fmt(ratio(fix, floor), '.2f')} | {fmt(ratio(fix1, fix), '.2f')} "
            f"| {fmt(ratio(int(n), fix), '.0f')} | {fmt(ratio(mb, fix), '.0f')} | {fmt(rss_mb(out, f'fix-{n}'), '.0f')} / {fmt(rss_mb(out, f'sg-{n}'), '.0f')} MB |"
        )
    one, sg_one = median(out, "one"), median(out, "sg-one")
    print(f"\nOne 300-line Python file with one mistake (pre-commit): median {fmt(one and one * 1000, '.1f')} ms "
          f"including process start (ast-grep: {fmt(sg_one and sg_one * 1000, '.1f')} ms).")
    for line in wrong:
        print(f"\nWRONG COUNT: {line}")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
