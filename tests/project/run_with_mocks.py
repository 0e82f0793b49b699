"""Runs a fixture Pulumi Python program under Pulumi's mocks, the way it is run for real.

    run_with_mocks.py pulumi PROJECT_DIR          the entry file (Pulumi.yaml `main`) as Pulumi
                                                  runs it: from its own directory, which is the
                                                  only project directory on sys.path
    run_with_mocks.py bare PROJECT_DIR            the same with no project directory on sys.path
                                                  at all, as the language host of seed 000 did
    run_with_mocks.py import PROJECT_DIR MODULE   MODULE imported from the project root, as a test
                                                  runner (pytest, unittest) does

Exits 0 when the program ran and every resource registered; prints the traceback otherwise.
"""

import importlib
import os
import runpy
import sys

import pulumi
import yaml


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        outputs = dict(args.inputs)
        outputs.setdefault("arn", f"arn:aws:mock:::{args.name}")
        return [f"{args.name}-id", outputs]

    def call(self, args: pulumi.runtime.MockCallArgs):
        return dict(args.args)


def entry_of(root):
    with open(os.path.join(root, "Pulumi.yaml"), encoding="utf-8") as f:
        project = yaml.safe_load(f)
    main = os.path.normpath(os.path.join(root, project.get("main") or "."))
    entry = main if os.path.isfile(main) else os.path.join(main, "__main__.py")
    return project["name"], entry


def main():
    mode, root = sys.argv[1], os.path.abspath(sys.argv[2])
    name, entry = entry_of(root)
    pulumi.runtime.set_mocks(Mocks(), project=name, stack="test", preview=False)
    here = os.path.dirname(os.path.abspath(__file__))
    # Only the SDK and the directory the program is run from: never this script's directory.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") not in (here, root)]
    if mode in ("pulumi", "bare"):
        program_dir = os.path.dirname(entry)
        os.chdir(program_dir)
        if mode == "pulumi":
            sys.path.insert(0, program_dir)
        run = lambda: runpy.run_path(os.path.basename(entry), run_name="__main__")
    else:
        os.chdir(root)
        sys.path.insert(0, root)
        run = lambda: importlib.import_module(sys.argv[3])

    @pulumi.runtime.test
    def program():
        run()

    program()
    print(f"ok: {mode} {os.path.relpath(entry, root)}")


if __name__ == "__main__":
    main()
