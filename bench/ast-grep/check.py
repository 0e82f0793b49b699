"""Checks that ast-grep's rules find what pulumi-fix finds, so the benchmark compares like with
like: for every example `before` of every built-in codemod (codemods/*/*.toml and the upgrade
catalogs), the number of pulumi-fix findings of that codemod must equal the number of ast-grep
matches of the rule with the same id. Prints the mismatches; exits 1 on any that KNOWN does not
list, on a codemod with no rule that NO_RULE does not list, on a rule with no codemod, and on a
KNOWN or NO_RULE entry that has gone stale.

Usage: check.py PULUMI_FIX AST_GREP SGCONFIG   (bench/run.sh runs it before timing)

Examples below the pulumi-aws major of an upgrade codemod are not compared: ast-grep does not know
the program's version, so its rules fire at every version (pulumi-fix's are gated).
"""

import glob
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Codemods ast-grep cannot express: they need to know which values are Pulumi Outputs (a type
# pulumi-fix infers per file from resource constructions, annotations and assignments).
OUTPUT = "needs to know which values are Pulumi Outputs"
NO_RULE = {
    "output-dict-key": OUTPUT,
    "output-fstring": OUTPUT,
    "output-json-dumps": OUTPUT,
    "output-misuse": OUTPUT,
    "output-nested-apply": OUTPUT,
    "output-string-ops": OUTPUT,
    "ts-output-misuse": OUTPUT,
    "ts-output-optional-property": OUTPUT,
    "ts-output-string": OUTPUT,
    # They need other files than the one matched.
    "import-shim": "needs the project's layout: Pulumi.yaml's `main` (the entry module) and the packages at the project root",
    "import-shim-sys-path": "needs the project's layout: Pulumi.yaml's `main` (the entry module) and the packages at the project root",
    "ts-missing-export": "needs the exports of the imported module, another file",
}

# Examples where ast-grep's count differs for a known reason: (codemod, example name) → reason.
IMPORTS = "ast-grep does not resolve imports: a class of another package with the same name matches"
VERSION = "at pulumi-aws 6 the legacy Bucket keeps its arguments; ast-grep does not know the version"
KNOWN = {
    ("eip-vpc-domain", "other classes named Eip are left alone"): IMPORTS,
    ("elasticache-description", "already correct"): IMPORTS,
    ("s3-bucket-inline-config", "pulumi-aws 6: BucketV2's lists of one become the V2 resources, with their Args classes; the legacy Bucket keeps its arguments"): VERSION,
    ("ts-s3-bucket-inline-config", "pulumi-aws 6: BucketV2's lists of one become the V2 resources; the legacy Bucket keeps its properties"): VERSION,
    ("apigateway-integration-dependency", "a Deployment depends on every Integration of its API; a depends_on list gets the ones it lacks"):
        "a Deployment must depend on every Integration of its API: ast-grep binds one Integration and does not try the others",
    ("yaml-config-default-value", "seed 002"):
        "the project's own namespace (`TapStack:environment`) may have a default: ast-grep cannot compare a key's prefix with the project's `name`",
}

HEADERS = {"python": "import pulumi_aws as aws\n\n", "typescript": 'import * as aws from "@pulumi/aws";\n\n'}
DEFAULT_FILE = {"python": "example.py", "typescript": "example.ts", "yaml": "Pulumi.yaml"}


def major_of(upgrade):
    return int(upgrade.split("@")[1]) if upgrade else None


def hand_written():
    """(id, opt_in, upgrade major, examples) of every spec in codemods/<language>/."""
    for path in sorted(glob.glob(os.path.join(ROOT, "codemods", "*", "*.toml"))):
        if os.path.basename(os.path.dirname(path)) == "upgrades":
            continue
        with open(path, "rb") as f:
            spec = tomllib.load(f)
        examples = []
        for i, ex in enumerate(spec.get("example", [])):
            examples.append({
                "name": ex.get("name", f"example {i + 1}"),
                "before": ex["before"],
                "file": ex.get("file", DEFAULT_FILE[spec["language"]]),
                "files": {**({"Pulumi.yaml": ex["project"]} if "project" in ex else {}), **ex.get("files", {})},
                # An upgrade spec's examples run at its pack's major unless they say otherwise.
                "target": ex.get("target_pulumi_aws", major_of(spec.get("upgrade"))),
            })
        yield spec["id"], spec.get("opt_in", False), major_of(spec.get("upgrade")), examples


def catalogs():
    """The same for every codemod an upgrade catalog entry expands into (src/spec/upgrades.rs)."""
    for path in sorted(glob.glob(os.path.join(ROOT, "codemods", "upgrades", "*.toml"))):
        with open(path, "rb") as f:
            catalog = tomllib.load(f)
        prefix, major = f"{catalog['package']}{catalog['major']}", catalog["major"]
        for kind, entries in catalog.items():
            if not isinstance(entries, list):
                continue
            for entry in entries:
                for lang in ("python", "typescript"):
                    if lang not in entry:
                        continue
                    pairs = entry[lang] if isinstance(entry[lang], list) else [entry[lang]]
                    codemod = f"{prefix}-{entry['id']}" if lang == "python" else f"ts-{prefix}-{entry['id']}"
                    examples = [{
                        "name": pair.get("name", "catalog example"),
                        "before": HEADERS[lang] + pair["before"],
                        "file": DEFAULT_FILE[lang],
                        "files": {},
                        "target": major,
                    } for pair in pairs]
                    yield codemod, False, major, examples


def run(command):
    return subprocess.run(command, capture_output=True, text=True)


def compare(fix, sg, sgconfig, codemod, opt_in, major, example):
    """The two counts for one example, or the reason it is not compared."""
    if major is not None and example["target"] is not None and example["target"] < major:
        return None
    with tempfile.TemporaryDirectory(prefix="sg-check-") as scratch:
        for relative, text in [*example["files"].items(), (example["file"], example["before"])]:
            target = os.path.join(scratch, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as f:
                f.write(text)
        file = os.path.join(scratch, example["file"])
        command = [fix, "--isolated", "--dry-run", "--format", "json", "--select", codemod, file]
        if example["target"] is not None:
            command[1:1] = ["--target-pulumi-aws", str(example["target"])]
        ours = run(command)
        if ours.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(command)}: exit {ours.returncode}: {ours.stderr}")
        report = json.loads(ours.stdout)
        if report["problems"]:
            raise RuntimeError(f"{codemod}: {example['name']}: pulumi-fix problems {report['problems']}")
        theirs = run([sg, "scan", "-c", sgconfig, "--filter", f"^{codemod}$", "--json=compact", file])
        if theirs.returncode != 0:
            raise RuntimeError(f"ast-grep on {codemod}: exit {theirs.returncode}: {theirs.stderr}")
        fix_count = sum(1 for f in report["findings"] if f["codemod"] == codemod)
        sg_count = sum(1 for m in json.loads(theirs.stdout) if m["ruleId"] == codemod)
        return fix_count, sg_count


def rule_ids(sgconfig):
    """The ids of every rule the configuration loads (a scan of an empty directory lists none, so
    read the rule files)."""
    config_dir = os.path.dirname(os.path.abspath(sgconfig))
    ids = set()
    with open(sgconfig) as f:
        dirs = [line.split("-", 1)[1].strip().strip('"') for line in f if line.strip().startswith("- ")]
    for directory in dirs:
        for path in glob.glob(os.path.join(config_dir, directory, "*.yml")):
            with open(path) as f:
                for line in f:
                    line = line.strip()
                    if line.startswith('"id":') or line.startswith("id:"):
                        ids.add(line.split(":", 1)[1].strip().strip('",'))
    return ids


def main():
    fix, sg, sgconfig = sys.argv[1:4]
    codemods = list(hand_written()) + list(catalogs())
    rules = rule_ids(sgconfig)
    errors, known, skipped, compared = [], [], 0, 0
    ids = {c[0] for c in codemods}
    for codemod in sorted(rules - ids):
        errors.append(f"{codemod}: an ast-grep rule with no pulumi-fix codemod of that id")
    for codemod in sorted(NO_RULE.keys() - ids):
        errors.append(f"{codemod}: listed in NO_RULE but no codemod has that id")
    jobs = []
    for codemod, opt_in, major, examples in codemods:
        if codemod not in rules:
            if codemod not in NO_RULE:
                errors.append(f"{codemod}: no ast-grep rule (write one, or list it in NO_RULE with the reason)")
            continue
        jobs += [(codemod, opt_in, major, example) for example in examples]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda job: compare(fix, sg, sgconfig, *job), jobs))
    for (codemod, _, _, example), result in zip(jobs, results):
        if result is None:
            skipped += 1
            continue
        compared += 1
        fix_count, sg_count = result
        if fix_count == sg_count:
            continue
        line = f"{codemod}: {example['name']!r}: pulumi-fix {fix_count}, ast-grep {sg_count}"
        reason = KNOWN.get((codemod, example["name"]))
        (known if reason else errors).append(f"{line} ({reason})" if reason else line)
    differing = {(codemod, example["name"]) for (codemod, _, _, example), result in zip(jobs, results) if result and result[0] != result[1]}
    for codemod, name in sorted(KNOWN.keys() - differing):
        errors.append(f"{codemod}: {name!r}: listed in KNOWN but the counts agree (or the example is gone): remove it")
    for line in known:
        print(f"known difference: {line}")
    for line in errors:
        print(f"MISMATCH: {line}")
    print(f"check: {compared} examples of {len(rules)} rules compared, {skipped} below their pulumi-aws major skipped, "
          f"{len(known)} known differences, {len(errors)} mismatches; no rule: {', '.join(sorted(NO_RULE))}", file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
