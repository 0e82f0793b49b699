"""Checks that ast-grep's rules find what pulumi-fix finds, so the benchmark compares like with
like: for every example of every built-in codemod (codemods/*/*.toml and the upgrade catalogs),
its `before` and its `after` (the fixed form, where only the unfixed findings remain), the number of pulumi-fix findings of that codemod must equal the number of ast-grep
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
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Codemods ast-grep cannot express: they need to know which values are Pulumi Outputs (a type
# pulumi-fix infers per file from resource constructions, annotations and assignments).
OUTPUT = "needs to know which values are Pulumi Outputs"
LAYOUT = "needs the project's layout: Pulumi.yaml's `main` (the entry module) and the packages at the project root"
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
    "import-shim": LAYOUT,
    "import-shim-sys-path": LAYOUT,
    "ts-missing-export": "needs the exports of the imported module, another file",
}

# Examples where ast-grep's count differs for a known reason: (codemod, example name, "before" or
# "after") → reason.
IMPORTS = "ast-grep does not resolve imports: a class of another package with the same name matches"
VERSION = "at pulumi-aws 6 the legacy Bucket keeps its arguments; ast-grep does not know the version"
PROJECT_NAMESPACE = "the project's own namespace (`TapStack:environment`) may have a default: ast-grep cannot compare a key's prefix with the project's `name`"
KNOWN = {
    ("eip-vpc-domain", "other classes named Eip are left alone", "before"): IMPORTS,
    ("elasticache-description", "already correct", "before"): IMPORTS,
    ("s3-bucket-inline-config", "pulumi-aws 6: BucketV2's lists of one become the V2 resources, with their Args classes; the legacy Bucket keeps its arguments", "before"): VERSION,
    ("ts-s3-bucket-inline-config", "pulumi-aws 6: BucketV2's lists of one become the V2 resources; the legacy Bucket keeps its properties", "before"): VERSION,
    ("s3-bucket-inline-config", "pulumi-aws 6: BucketV2's lists of one become the V2 resources, with their Args classes; the legacy Bucket keeps its arguments", "after"): VERSION,
    ("ts-s3-bucket-inline-config", "pulumi-aws 6: BucketV2's lists of one become the V2 resources; the legacy Bucket keeps its properties", "after"): VERSION,
    ("apigateway-integration-dependency", "a Deployment depends on every Integration of its API; a depends_on list gets the ones it lacks", "before"):
        "a Deployment must depend on every Integration of its API: ast-grep binds one Integration and does not try the others",
    ("yaml-config-default-value", "seed 002", "before"): PROJECT_NAMESPACE,
    ("yaml-config-default-value", "seed 002", "after"): PROJECT_NAMESPACE,
}

HEADERS = {"python": "import pulumi_aws as aws\n\n", "typescript": 'import * as aws from "@pulumi/aws";\n\n'}
DEFAULT_FILE = {"python": "example.py", "typescript": "example.ts", "yaml": "Pulumi.yaml"}


def major_of(upgrade):
    return int(upgrade.split("@")[1]) if upgrade else None


def hand_written():
    """(id, upgrade major, examples) of every spec in codemods/<language>/."""
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
                "after": ex.get("after"),
                "file": ex.get("file", DEFAULT_FILE[spec["language"]]),
                "files": {**({"Pulumi.yaml": ex["project"]} if "project" in ex else {}), **ex.get("files", {})},
                # An upgrade spec's examples run at its pack's major unless they say otherwise.
                "target": ex.get("target_pulumi_aws", major_of(spec.get("upgrade"))),
            })
        yield spec["id"], major_of(spec.get("upgrade")), examples


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
                        "after": HEADERS[lang] + pair["after"] if "after" in pair else None,
                        "file": DEFAULT_FILE[lang],
                        "files": {},
                        "target": major,
                    } for pair in pairs]
                    yield codemod, major, examples


def write_example(root, index, example, text):
    """Writes one example text (and its project's other files) in a directory of its own; returns
    the example file's path relative to root."""
    directory = f"{index:04}"
    for relative, content in [*example["files"].items(), (example["file"], text)]:
        target = os.path.join(root, directory, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            f.write(content)
    return os.path.join(directory, example["file"])


def pulumi_fix_counts(fix, root, codemod, target, paths):
    """pulumi-fix's findings of one codemod per file, the files run at one pulumi-aws target."""
    command = [fix, "--isolated", "--dry-run", "--format", "json", "--select", codemod]
    if target is not None:
        command += ["--target-pulumi-aws", str(target)]
    ours = subprocess.run(command + paths, cwd=root, capture_output=True, text=True)
    if ours.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)}: exit {ours.returncode}: {ours.stderr}")
    report = json.loads(ours.stdout)
    if report["problems"]:
        raise RuntimeError(f"{codemod}: pulumi-fix problems {report['problems']}")
    return Counter((f["file"], f["codemod"]) for f in report["findings"])


def count_findings(fix, sg, sgconfig, jobs):
    """(pulumi-fix, ast-grep) findings of the job's codemod in each job's text: every text in a
    scratch directory, pulumi-fix run once per codemod and target, ast-grep once over them all."""
    with tempfile.TemporaryDirectory(prefix="sg-check-") as root:
        paths = [write_example(root, i, example, example[text]) for i, (_, _, example, text) in enumerate(jobs)]
        groups = defaultdict(list)
        for path, (codemod, _, example, _) in zip(paths, jobs):
            groups[(codemod, example["target"])].append(path)
        ours = Counter()
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for counts in pool.map(lambda group: pulumi_fix_counts(fix, root, *group[0], group[1]), groups.items()):
                ours.update(counts)
        scan = subprocess.run([sg, "scan", "-c", os.path.abspath(sgconfig), "--json=compact", *paths], cwd=root, capture_output=True, text=True)
        if scan.returncode != 0:
            raise RuntimeError(f"ast-grep: exit {scan.returncode}: {scan.stderr}")
        theirs = Counter((m["file"], m["ruleId"]) for m in json.loads(scan.stdout))
        return [(ours[(path, codemod)], theirs[(path, codemod)]) for path, (codemod, *_) in zip(paths, jobs)]


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
    for codemod, major, examples in codemods:
        if codemod not in rules:
            if codemod not in NO_RULE:
                errors.append(f"{codemod}: no ast-grep rule (write one, or list it in NO_RULE with the reason)")
            continue
        for example in examples:
            if major is not None and example["target"] is not None and example["target"] < major:
                skipped += 1
                continue
            jobs += [(codemod, major, example, text) for text in ("before", "after") if example[text] is not None]
    differing = set()
    for (codemod, _, example, text), (fix_count, sg_count) in zip(jobs, count_findings(fix, sg, sgconfig, jobs)):
        compared += 1
        if fix_count == sg_count:
            continue
        differing.add((codemod, example["name"], text))
        line = f"{codemod}: {example['name']!r} ({text}): pulumi-fix {fix_count}, ast-grep {sg_count}"
        reason = KNOWN.get((codemod, example["name"], text))
        (known if reason else errors).append(f"{line} ({reason})" if reason else line)
    for codemod, name, text in sorted(KNOWN.keys() - differing):
        errors.append(f"{codemod}: {name!r} ({text}): listed in KNOWN but the counts agree (or the example is gone): remove it")
    for line in known:
        print(f"known difference: {line}")
    for line in errors:
        print(f"MISMATCH: {line}")
    print(f"check: {compared} example texts of {len(rules)} rules compared, {skipped} below their pulumi-aws major skipped, "
          f"{len(known)} known differences, {len(errors)} mismatches; no rule: {', '.join(sorted(NO_RULE))}", file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
