#!/usr/bin/env python3
"""Run a Pulumi Python program under the real Pulumi SDK with mocks, and report what went wrong.

    <venv>/bin/python tests/sdk/check_python.py --program-dir DIR [--entry lib/tap_stack.py]
        [--cwd-mode entry|root] [--stack NAME] [--config KEY=VALUE ...]

The venv is one of target/sdk/py-aws7 or target/sdk/py-aws6 (tests/sdk/setup.sh). Every resource
registration goes to a recording mock instead of a cloud, so nothing is deployed and no
credentials are needed, but every line of the program, every `.apply` callback and every
argument check of the real pulumi-aws classes runs.

Prints one JSON object on stdout:
    {"ok": bool, "resources": [{"type", "name", "inputs"}], "exports": {...},
     "warnings": [...], "problems": [...]}
and exits 1 when a problem was found (2 on a usage error). A problem is:
  - any exception of the program or of an `.apply` callback ("exception: ..." with the traceback);
  - an `Output` turned into a string ("Calling __str__ on an Output"): in a resource input or a
    stack export (strings checked recursively, dict keys included, and base64 strings also
    decoded), or anywhere else the SDK warned about it ("Output converted to str at FILE:LINE");
  - a deprecated input ("deprecated input: <type>.<arg>: <message>"). pulumi-aws marks them in
    its generated Python code in two ways, both read here: each `<Resource>Args`/nested
    `...Args` property getter carries `@_utilities.deprecated(message)` (found on the Args class
    of every registered resource, so it also catches `aws.s3.Bucket("b", versioning=...)`,
    whose keyword path never runs the Args `__init__`), and the Args `__init__` calls
    `pulumi.log.warn("<arg> is deprecated: <message>")` when such an argument is given (caught
    for nested argument types too).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import importlib
import json
import os
import re
import runpy
import sys
import traceback

STR_MARKER = "Calling __str__ on an Output"
ACCOUNT = "123456789012"
REGION = "us-east-1"

# What the mocked provider functions (invokes) return; anything else returns {}.
CALL_RESULTS = {
    "aws:index/getRegion:getRegion": {"name": REGION, "region": REGION, "id": REGION, "description": "US East (N. Virginia)", "endpoint": f"ec2.{REGION}.amazonaws.com"},
    "aws:index/getCallerIdentity:getCallerIdentity": {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/test", "userId": "AIDATEST", "id": ACCOUNT},
    "aws:index/getPartition:getPartition": {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws"},
    "aws:index/getAvailabilityZones:getAvailabilityZones": {"names": [f"{REGION}a", f"{REGION}b", f"{REGION}c"], "zoneIds": ["use1-az1", "use1-az2", "use1-az4"], "id": REGION},
    "aws:iam/getPolicyDocument:getPolicyDocument": {"json": '{"Version":"2012-10-17","Statement":[]}', "minifiedJson": '{"Version":"2012-10-17","Statement":[]}', "id": "policy"},
    "aws:ec2/getAmi:getAmi": {"id": "ami-0123456789abcdef0", "imageId": "ami-0123456789abcdef0", "architecture": "x86_64"},
    "aws:ec2/getVpc:getVpc": {"id": "vpc-0123456789abcdef0", "cidrBlock": "10.0.0.0/16", "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/vpc-0123456789abcdef0"},
    "aws:ec2/getSubnets:getSubnets": {"ids": ["subnet-0aaaaaaaaaaaaaaa0", "subnet-0bbbbbbbbbbbbbbb0"], "id": "subnets"},
    "aws:ec2/getSubnet:getSubnet": {"id": "subnet-0aaaaaaaaaaaaaaa0", "vpcId": "vpc-0123456789abcdef0", "cidrBlock": "10.0.1.0/24", "availabilityZone": f"{REGION}a"},
    "aws:eks/getCluster:getCluster": {"id": "cluster", "name": "cluster", "endpoint": "https://EXAMPLE.gr7.us-east-1.eks.amazonaws.com", "certificateAuthorities": [{"data": "Y2VydA=="}]},
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--program-dir", required=True, help="the program's directory (the one with Pulumi.yaml)")
    parser.add_argument("--entry", help="the file to run, relative to --program-dir (default: Pulumi.yaml's main, then __main__.py)")
    parser.add_argument("--cwd-mode", choices=["entry", "root"], default="entry",
                        help="entry: run from the entry file's directory as the Pulumi CLI does; root: from the program directory as a test runner does")
    parser.add_argument("--stack", default="dev", help="stack whose Pulumi.<stack>.yaml config is loaded when it exists (default dev)")
    parser.add_argument("--allow-deprecated", action="store_true", help="do not count deprecated inputs as problems (checking a program before its upgrade)")
    parser.add_argument("--config", action="append", default=[], metavar="KEY=VALUE", help="extra config; KEY without a namespace gets the project's")
    return parser.parse_args(argv)


def load_yaml(path):
    import yaml  # pyyaml is a dependency of the pulumi package

    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def config_value(value):
    if isinstance(value, dict) and "default" in value:
        value = value["default"]
    elif isinstance(value, dict) and ("type" in value or "secure" in value or "description" in value):
        return None  # a declaration without a default, or an encrypted secret
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def program_config(program_dir, project, stack, extra):
    """The config a `pulumi preview` would see: Pulumi.yaml defaults, Pulumi.<stack>.yaml, --config."""
    config = {}

    def put(key, value):
        value = config_value(value)
        if value is not None:
            config[key if ":" in key else f"{project}:{key}"] = value

    project_file = load_yaml(os.path.join(program_dir, "Pulumi.yaml"))
    for key, value in (project_file.get("config") or {}).items():
        put(key, value)
    stack_file = os.path.join(program_dir, f"Pulumi.{stack}.yaml")
    if os.path.exists(stack_file):
        for key, value in (load_yaml(stack_file).get("config") or {}).items():
            put(key, value)
    for item in extra:
        key, _, value = item.partition("=")
        put(key, value)
    return config


def entry_file(program_dir, project_file, entry):
    if entry:
        return os.path.join(program_dir, entry)
    main = project_file.get("main")
    if main:
        path = os.path.join(program_dir, main)
        return os.path.join(path, "__main__.py") if os.path.isdir(path) else path
    return os.path.join(program_dir, "__main__.py")


def jsonable(value):
    """Resource inputs as plain JSON (resource references and other objects by their type)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    urn = getattr(value, "urn", None)
    if urn is not None:
        return f"<resource {type(value).__name__}>"
    return f"<{type(value).__name__}>"


BASE64_RE = re.compile(r"^[A-Za-z0-9+/\s]+={0,2}\s*$")


def decoded_base64(text):
    """The text a base64 string decodes to, when it is base64 of UTF-8 text; else None."""
    compact = "".join(text.split())
    if len(compact) < 8 or len(compact) % 4 or not BASE64_RE.match(text):
        return None
    try:
        return base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def output_strings(value, path=""):
    """Yield (path, how) for every string in value (keys included) holding an Output's __str__."""
    if isinstance(value, str):
        if STR_MARKER in value:
            yield path or "(value)", "string"
        else:
            decoded = decoded_base64(value)
            if decoded is not None and STR_MARKER in decoded:
                yield path or "(value)", "base64-decoded string"
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and STR_MARKER in k:
                yield f"{path}.{k[:40]!r}" if path else repr(k[:40]), "dict key"
            yield from output_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from output_strings(v, f"{path}[{i}]")


class Checker:
    def __init__(self, program_dir, allow_deprecated=False):
        self.program_dir = os.path.realpath(program_dir)
        self.allow_deprecated = allow_deprecated
        self.resources = []
        self.problems = []
        self.warnings = []
        self._seen = set()
        self._deprecated_by_token = {}
        self._exception_heads = set()
        self._exception_sites = set()

    def problem(self, text):
        if self.allow_deprecated and text.startswith("deprecated input: "):
            return
        if text not in self._seen:
            self._seen.add(text)
            self.problems.append(text)

    def in_program(self, filename):
        return os.path.isabs(filename) and os.path.realpath(filename).startswith(self.program_dir + os.sep)

    def user_location(self, frame):
        """FILE:LINE of the innermost frame that belongs to the program, if any."""
        while frame is not None:
            if self.in_program(frame.f_code.co_filename):
                return f"{os.path.relpath(os.path.realpath(frame.f_code.co_filename), self.program_dir)}:{frame.f_lineno}"
            frame = frame.f_back
        return None

    # --- deprecations -------------------------------------------------------------------
    @staticmethod
    def deprecated_properties(args_cls):
        """{wire name: (python name, message)} of the properties marked @_utilities.deprecated."""
        found = {}
        for klass in reversed(args_cls.__mro__):
            for py_name, attr in vars(klass).items():
                if not isinstance(attr, property) or attr.fget is None:
                    continue
                getter = attr.fget
                if "_pulumi_deprecated_callable" not in getattr(getter, "__dict__", {}):
                    continue
                message = next((c.cell_contents for c in (getter.__closure__ or ())
                                if isinstance(c.cell_contents, str)), "deprecated")
                found[getattr(getter, "_pulumi_name", py_name)] = (py_name, message)
        return found

    def args_class(self, token):
        from pulumi.runtime import rpc

        try:
            pkg, mod, _ = token.split(":")
        except ValueError:
            return None
        for module in getattr(rpc, "_RESOURCE_MODULES", {}).get(f"{pkg}:{mod}", []):
            info = getattr(module, "mod_info", None)
            if not info or token not in info.get("classes", {}):
                continue
            try:
                py_module = importlib.import_module(info["fqn"])
            except ImportError:
                continue
            # A resource whose Args name an input type already has gets `<Name>InitArgs`
            # (`s3.BucketObjectLockConfigurationArgs` is the bucket's inline block).
            name = info["classes"][token]
            return getattr(py_module, name + "InitArgs", None) or getattr(py_module, name + "Args", None)
        return None

    def check_deprecated_inputs(self, token, inputs):
        if token not in self._deprecated_by_token:
            cls = self.args_class(token)
            self._deprecated_by_token[token] = self.deprecated_properties(cls) if cls else {}
        for wire_name, (py_name, message) in self._deprecated_by_token[token].items():
            if inputs.get(wire_name) is not None:
                self.problem(f"deprecated input: {token}.{py_name}: {message}")

    # --- pulumi.log.warn ----------------------------------------------------------------
    def on_warn(self, msg, frame):
        msg = str(msg)
        where = self.user_location(frame)
        self.warnings.append(f"{where}: {msg}" if where else msg)
        if STR_MARKER in msg:
            self.problem(f"Output converted to str at {where or 'an unknown place'}: {msg.splitlines()[0]}")
            return
        m = re.match(r"^(\w+) is deprecated: (.*)$", msg, re.S)
        owner = frame.f_locals.get("__self__") if frame is not None else None
        if m and owner is not None and type(owner).__name__.endswith("Args"):
            # Raised by the generated `<Name>Args.__init__` for a deprecated argument it was given.
            cls = type(owner)
            label = f"{cls.__module__.rsplit('.', 1)[0]}.{cls.__name__}"
            token = self.token_of_args_class(cls)
            if token is not None:
                self.problem(f"deprecated input: {token}.{m.group(1)}: {m.group(2)}")
            else:
                self.problem(f"deprecated input: {label}.{m.group(1)}: {m.group(2)}" + (f" (at {where})" if where else ""))

    def token_of_args_class(self, cls):
        from pulumi.runtime import rpc

        module_name = cls.__module__
        resource_name = re.sub(r"(Init)?Args$", "", cls.__name__)
        for modules in getattr(rpc, "_RESOURCE_MODULES", {}).values():
            for module in modules:
                info = getattr(module, "mod_info", None) or {}
                if not module_name.startswith(info.get("fqn", "\0")):
                    continue
                for token, class_name in info.get("classes", {}).items():
                    if class_name == resource_name:
                        return token
        return None

    def exception(self, exc):
        """Record 'exception: Type: message (at FILE:LINE)' with a traceback cut down to the program's
        frames and the innermost one (the SDK's machinery in between says nothing about the
        program). One failure reaches us along several paths (the callback, each output of the
        resource it feeds, the registration): it is recorded once."""
        chain, seen = [], set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            chain.append(exc)
            exc = exc.__cause__ or exc.__context__
        first = chain[0]
        head = f"{type(first).__name__}: {first}" if str(first) else type(first).__name__
        for candidate in chain:
            frames = traceback.extract_tb(candidate.__traceback__)
            mine = [f for f in frames if self.in_program(f.filename)]
            if mine:
                break
        else:
            frames, mine = traceback.extract_tb(first.__traceback__), []
        if head in self._exception_heads and not mine:
            return  # the same failure, seen before from the program's side
        keep = mine + [f for f in frames[-1:] if f not in mine]
        where = ""
        if mine:
            where = f" (at {os.path.relpath(os.path.realpath(mine[-1].filename), self.program_dir)}:{mine[-1].lineno})"
            if (head, where) in self._exception_sites:
                return
            self._exception_sites.add((head, where))
        self._exception_heads.add(head)
        body = "".join(traceback.format_list(keep))
        self.problem(f"exception: {head}{where}\nTraceback (program frames):\n{body}")

    # --- results ------------------------------------------------------------------------
    def check_strings(self, what, value):
        for path, how in output_strings(value):
            self.problem(f"Output in string: {what} {path} ({how} contains '{STR_MARKER} ...')")


def make_mocks(pulumi, checker):
    class RecordingMocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            token, name, inputs = args.typ, args.name, dict(args.inputs)
            checker.resources.append({"type": token, "name": name, "inputs": jsonable(inputs)})
            checker.check_strings(f"input of {token} {name!r}:", inputs)
            checker.check_deprecated_inputs(token, inputs)
            # What a provider would add: an id, and outputs that programs commonly read.
            service = token.split(":")[1].split("/")[0] if token.count(":") == 2 else "custom"
            state = dict(inputs)
            state.setdefault("arn", f"arn:aws:{service}:{REGION}:{ACCOUNT}:{name}")
            state.setdefault("name", name)
            if token.startswith("aws:s3/"):
                state.setdefault("bucket", name)
                state.setdefault("bucketRegionalDomainName", f"{name}.s3.{REGION}.amazonaws.com")
            if token.startswith("aws:eks/cluster:"):
                state.setdefault("endpoint", "https://EXAMPLE.gr7.us-east-1.eks.amazonaws.com")
                state.setdefault("certificateAuthority", {"data": "Y2VydA=="})
            return f"{name}-id", state

        def call(self, args):
            return dict(CALL_RESULTS.get(args.token, {}))

    return RecordingMocks()


def run(options):
    program_dir = os.path.abspath(options.program_dir)
    project_file = load_yaml(os.path.join(program_dir, "Pulumi.yaml"))
    project = project_file.get("name") or "project"
    entry = os.path.abspath(entry_file(program_dir, project_file, options.entry))
    if not os.path.isfile(entry):
        raise SystemExit(f"check_python.py: no entry file {entry}")
    run_dir = os.path.dirname(entry) if options.cwd_mode == "entry" else program_dir

    # The program must see what `pulumi preview` gives it: its own dir first on sys.path.
    os.environ.pop("PULUMI_ERROR_OUTPUT_STRING", None)
    sys.dont_write_bytecode = True  # leave no __pycache__ in the checked program
    os.chdir(run_dir)
    sys.path[0:1] = [run_dir]  # replaces this script's own directory

    import pulumi
    import pulumi.log
    from pulumi.runtime import settings as pulumi_settings
    from pulumi.runtime import stack as pulumi_stack
    from pulumi.runtime.sync_await import _sync_await

    checker = Checker(program_dir, allow_deprecated=options.allow_deprecated)

    original_warn = pulumi.log.warn

    def warn_hook(msg, *args, **kwargs):
        checker.on_warn(msg, sys._getframe(1))
        return original_warn(msg, *args, **kwargs)

    pulumi.log.warn = warn_hook
    pulumi.warn = warn_hook

    import logging

    quiet = logging.getLogger("pulumi-fix-check")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    pulumi.runtime.set_mocks(make_mocks(pulumi, checker), project=project, stack=options.stack, preview=False, logger=quiet)
    pulumi.runtime.set_all_config(program_config(program_dir, project, options.stack, options.config))
    pulumi_settings.SETTINGS.rpc_manager.clear()
    pulumi_settings.SETTINGS.outputs.clear()

    async def drive():
        # Failed outputs nobody awaited would each print "Future exception was never retrieved".
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)
        # Like pulumi.runtime.stack.run_pulumi_func, but every failure is kept: the program's own
        # exception, and then each exception of an `.apply` callback or a registration, pumping
        # the event loop again after each until all outstanding work has settled.
        try:
            runpy.run_path(entry, run_name="__main__")
        except Exception as exc:  # noqa: BLE001 - every failure is a finding
            checker.exception(exc)
        manager = pulumi_settings.SETTINGS.rpc_manager
        for _ in range(200):
            try:
                await pulumi_stack.wait_for_rpcs()
                break
            except Exception as exc:  # noqa: BLE001
                checker.exception(exc)
                manager.unhandled_exception = None
                manager.exception_traceback = None
        shutdown = getattr(pulumi_stack, "_shutdown_callbacks", None)
        if shutdown is not None:
            await shutdown()

    exports = {}
    try:
        _sync_await(drive())
        root = pulumi_settings.get_root_resource()
        outputs = dict(getattr(root, "outputs", {}) or {})
        if outputs:
            exports = _sync_await(pulumi.Output.from_input(outputs).future()) or {}
    except Exception as exc:  # noqa: BLE001
        checker.exception(exc)
    checker.check_strings("stack export", exports)

    return {
        "ok": not checker.problems,
        "program": program_dir,
        "entry": os.path.relpath(entry, program_dir),
        "resources": checker.resources,
        "exports": jsonable(exports),
        "warnings": checker.warnings,
        "problems": checker.problems,
    }


def main(argv=None):
    options = parse_args(sys.argv[1:] if argv is None else argv)
    if not os.path.isfile(os.path.join(options.program_dir, "Pulumi.yaml")):
        print(f"check_python.py: no Pulumi.yaml in {options.program_dir}", file=sys.stderr)
        return 2
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # the program's own prints must not break the JSON
    try:
        result = run(options)
    finally:
        sys.stdout = real_stdout
    json.dump(result, real_stdout, indent=2, default=str)
    real_stdout.write("\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
