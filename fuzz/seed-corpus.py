#!/usr/bin/env python3
"""Writes the fuzzing seeds into CORPUS_DIR: every [[example]] of the built-in codemods, before
and after, and every file of the test fixture programs, each prefixed with the byte that selects
its grammar in the `pipeline` target (the order of `Grammar::ALL`)."""

import pathlib
import sys
import tomllib

GRAMMARS = {".py": 0, ".ts": 1, ".tsx": 2, ".yaml": 3}
DEFAULT_FILE = {"python": "example.py", "typescript": "example.ts", "yaml": "Pulumi.yaml"}

root = pathlib.Path(__file__).resolve().parent.parent
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
sources = []
for spec_path in sorted(root.glob("codemods/*/*.toml")):
    spec = tomllib.loads(spec_path.read_text())
    for example in spec.get("example", []):
        name = example.get("file", DEFAULT_FILE[spec["language"]])
        sources += [(name, example["before"])] + ([(name, example["after"])] if "after" in example else [])
for path in sorted(root.glob("tests/fixtures/programs/**/*")):
    if path.is_file() and path.suffix in GRAMMARS:
        sources.append((path.name, path.read_text()))
count = 0
for name, text in sources:
    selector = GRAMMARS.get(pathlib.Path(name).suffix)
    if selector is not None:
        (out / f"seed-{count:04}").write_bytes(bytes([selector]) + text.encode())
        count += 1
print(f"{count} seeds written to {out}")
