"""Writes ast-grep's version of the provider upgrade catalogs (codemods/upgrades/*.toml): one rule
file per generated codemod, with the codemod's id, and an sgconfig.yml that runs them with the
hand-written rules of bench/ast-grep/rules.

Usage: gen_rules.py OUT_DIR   (bench/run.sh: target/bench/ast-grep)

The rules are what a user of ast-grep would write for each catalog entry: ast-grep does not resolve
imports or know the program's pulumi-aws version, so a callee or member is matched by its last
names (`aws.s3.BucketV2`, `s3.BucketV2`, `BucketV2`), the package by its usual names (`aws`,
`pulumi_aws`), and every rule fires whatever the version (pulumi-fix fires them only at the
catalog's major). The rule files are JSON, which is YAML.
"""

import glob
import json
import os
import re
import shutil
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE_NAMES = r"^(aws|pulumi_aws)$"

# Node kinds and fields per language, as src/spec/upgrades.rs names them.
LANGS = {
    "python": {
        "access": "attribute", "object": "object", "property": "attribute",
        "call": "call", "callee": "function",
    },
    "typescript": {
        "access": "member_expression", "object": "object", "property": "property",
        "call": "call_expression", "callee": "function", "new": "new_expression",
    },
}


def snake(name):
    """pulumi-fix's snake(): `_` before every upper-case letter but the first, lower-cased."""
    return "".join(("_" if i and c.isupper() else "") + c.lower() for i, c in enumerate(name))


def token_parts(token):
    """`aws:ec2/getAmi:getAmi` → (`ec2`, `getAmi`)."""
    _, rest = token.split(":", 1)
    module_file, member = rest.split(":", 1)
    return module_file.split("/", 1)[0], member


def is_function(member):
    return member[:1].islower()


def member_name(lang, member):
    return snake(member) if lang == "python" and is_function(member) else member


def argument_name(lang, name):
    return snake(name) if lang == "python" else name[:1].lower() + name[1:]


def one_of(names):
    return "^(" + "|".join(re.escape(n) for n in names) + ")$"


def last_names(module, members):
    """A callee spelled `x.module.Member`, `module.Member` or `Member` (imported on its own);
    a top-level (`index`) member is `aws.Member` or `Member`."""
    alternatives = "|".join(re.escape(m) for m in members)
    if module == "index":
        return rf"^((aws|pulumi_aws)\.)?({alternatives})$"
    return rf"((^|\.){re.escape(module)}\.|^)({alternatives})$"


def access(lang, module_regex, member_regex):
    """`<object ending in a name matching module_regex>.<member matching member_regex>`."""
    k = LANGS[lang]
    object_rule = {"field": k["object"], "regex": module_regex}
    # The member first: a short name, which rules most accesses out.
    return {"kind": k["access"], "all": [{"has": {"field": k["property"], "regex": member_regex}}, {"has": object_rule}]}


def module_object(lang, module, imported_by_name=True):
    """`aws.<module>.X`, and `<module>.X` (the module imported by name) unless its import is
    what gets fixed."""
    prefix = r"(^|\.)" if imported_by_name else r"\."
    return access(lang, prefix + re.escape(module) + "$", r"^\w+$")


def imported_from_module(lang, module):
    """A name imported from the module and called or constructed: `from pulumi_aws.<module>
    import X` ... `X(...)`; the metavariable ties the two."""
    k = LANGS[lang]
    if lang == "python":
        source = {"kind": "import_from_statement", "all": [
            {"has": {"field": "module_name", "regex": rf"^pulumi_aws\.{re.escape(module)}$"}},
            {"has": {"field": "name", "pattern": "$NAME"}}]}
        used = {"inside": {"kind": k["call"], "field": k["callee"]}}
    else:
        source = {"kind": "import_statement", "all": [
            {"has": {"field": "source", "regex": rf"^[\"']@pulumi/aws/{re.escape(module)}[\"']$"}},
            {"has": {"stopBy": "end", "kind": "import_specifier", "has": {"field": "name", "pattern": "$NAME"}}}]}
        used = {"any": [{"inside": {"kind": k["call"], "field": k["callee"]}}, {"inside": {"kind": k["new"], "field": "constructor"}}]}
    root = "module" if lang == "python" else "program"
    # The import is a top-level statement: a child of the file's root, not any descendant.
    return {"kind": "identifier", "all": [used, {"pattern": "$NAME"}, {"inside": {"kind": root, "stopBy": "end", "has": source}}]}


def bare_reference(lang, members):
    """A member imported on its own and called or constructed: `BucketV2("b")`, `new BucketV2(...)`."""
    k = LANGS[lang]
    name = {"kind": "identifier", "regex": one_of(members)}
    if lang == "python":
        return {**name, "inside": {"kind": k["call"], "field": k["callee"]}}
    return {**name, "any": [{"inside": {"kind": k["call"], "field": k["callee"]}}, {"inside": {"kind": k["new"], "field": "constructor"}}]}


def member_reference(lang, module, members):
    """Every spelling of `aws.<module>.<member>` pulumi-fix reports."""
    if module == "index":
        by_package = access(lang, PACKAGE_NAMES, one_of(members))
    else:
        by_package = access(lang, rf"(^|\.){re.escape(module)}$", one_of(members))
    return {"any": [by_package, bare_reference(lang, members)]}


def argument(lang, resource, name):
    """The argument `name` of a resource or function call: a keyword argument (Python, also of the
    `...Args` class or the function's `_output` form), a property of the resource's second
    argument or the function's first (TypeScript)."""
    module, member = token_parts(resource)
    k = LANGS[lang]
    if lang == "python":
        callees = [member_name(lang, member), member_name(lang, member + ("Output" if is_function(member) else "Args"))]
        return {
            "kind": "keyword_argument",
            "has": {"field": "name", "regex": one_of([name])},
            "inside": {"kind": "argument_list", "inside": {"kind": k["call"], "has": {"field": k["callee"], "regex": last_names(module, callees)}}},
        }
    call = {"kind": k["call"], "has": {"field": k["callee"], "regex": last_names(module, [member])}} if is_function(member) \
        else {"kind": k["new"], "has": {"field": "constructor", "regex": last_names(module, [member])}}
    return {
        "kind": "pair",
        "has": {"field": "key", "kind": "property_identifier", "regex": one_of([name])},
        "inside": {"kind": "object", "nthChild": 1 if is_function(member) else 2, "inside": {"kind": "arguments", "inside": call}},
    }


def with_output_form(member):
    return [member, member + "Output"] if is_function(member) else [member]


def rename_member(lang, entry):
    from_module, from_member = token_parts(entry["from"])
    to_module, _ = token_parts(entry["to"])
    members = [member_name(lang, m) for m in with_output_form(from_member)]
    rule = member_reference(lang, from_module, members)
    if from_module != to_module and from_module != "index":
        # `<module>.X` with the module imported by name is reported too.
        rule["any"].append(access(lang, rf"^{re.escape(from_module)}$", one_of(members)))
    return rule


def module_imports(lang, module):
    """The imports of a moved module: `from pulumi_aws.<m> import X`, `from pulumi_aws import <m>`
    (maybe `as y`); `from "@pulumi/aws/<m>"`, `import { <m> } from "@pulumi/aws"`."""
    m = re.escape(module)
    if lang == "python":
        return [
            {"kind": "dotted_name", "regex": rf"^pulumi_aws\.{m}$", "inside": {"kind": "import_from_statement", "field": "module_name"}},
            {"kind": "dotted_name", "regex": rf"^{m}$", "inside": {"kind": "import_from_statement", "stopBy": "end", "has": {"field": "module_name", "regex": "^pulumi_aws$"}}},
        ]
    return [
        {"kind": "string_fragment", "regex": rf"^@pulumi/aws/{m}$", "inside": {"kind": "string", "inside": {"kind": "import_statement", "field": "source"}}},
        {"kind": "import_specifier", "has": {"field": "name", "regex": rf"^{m}$"},
         "inside": {"kind": "import_statement", "stopBy": "end", "has": {"field": "source", "regex": r"^[\"']@pulumi/aws[\"']$"}}},
    ]


def module_move(lang, entry):
    return {"any": [module_object(lang, entry["from"], imported_by_name=False), *module_imports(lang, entry["from"])]}


def rename_argument(lang, entry):
    old = entry.get("python_from", snake(entry["from"])) if lang == "python" else entry["from"]
    return argument(lang, entry["resource"], old)


def rename_result(lang, entry):
    """`f(...).from` (TypeScript: also `(await f(...)).from`), and `r.from` where `r = f(...)`
    (maybe awaited or lifted) in the same file."""
    module, member = token_parts(entry["function"])
    k = LANGS[lang]
    callee = {"field": k["callee"], "regex": last_names(module, [member_name(lang, m) for m in with_output_form(member)])}
    call = {"kind": k["call"], "has": callee}
    old = argument_name(lang, entry["from"])
    read = call if lang == "python" else {"any": [call, {"kind": "parenthesized_expression", "has": {"kind": "await_expression", "has": call}}]}
    direct = {"kind": k["access"], "all": [{"has": {"field": k["property"], "regex": one_of([old])}}, {"has": {"field": k["object"], **read}}]}
    if lang == "python":
        binding = {"kind": "assignment", "all": [{"has": {"field": "left", "pattern": "$RESULT"}}, {"has": {"field": "right", **call}}]}
    else:
        binding = {"kind": "variable_declarator", "all": [{"has": {"field": "name", "pattern": "$RESULT"}}, {"has": {"field": "value", "stopBy": "end", **call}}]}
    # The cheap tests first: the binding is searched in the whole file.
    through_name = {
        "kind": k["access"],
        "all": [
            {"has": {"field": k["property"], "regex": one_of([old])}},
            {"has": {"field": k["object"], "kind": "identifier", "pattern": "$RESULT"}},
            {"inside": {"kind": "module" if lang == "python" else "program", "stopBy": "end", "has": {"stopBy": "end", **binding}}},
        ],
    }
    return {"any": [direct, through_name]}


def enum_constant(lang, entry):
    module = re.escape(entry["module"])
    constants = [c for c in entry["constants"] if not c.endswith(".*")]
    namespaces = [c[:-2] for c in entry["constants"] if c.endswith(".*")]
    rules = []
    if constants:
        rules.append(access(lang, rf"(^|\.){module}$", one_of(constants)))
    if namespaces:
        # `aws.ec2.InstanceTypes.T3_Micro`: the namespace is the object of the constant.
        rules.append({"kind": "member_expression", "has": {"field": "object", **access(lang, rf"(^|\.){module}$", one_of(namespaces))}})
    return {"any": rules}


def removed(lang, entry):
    resource = entry["resource"]
    if "argument" in entry:
        return argument(lang, resource, argument_name(lang, entry["argument"]))
    if resource.endswith("/*"):
        # A whole service: any member of the module.
        module = resource[:-2].split(":", 1)[1]
        return {"any": [module_object(lang, module), imported_from_module(lang, module)]}
    module, member = token_parts(resource)
    return member_reference(lang, module, [member_name(lang, m) for m in with_output_form(member)])


KINDS = {
    "module_move": module_move,
    "rename_member": rename_member,
    "rename_argument": rename_argument,
    "rename_result": rename_result,
    "enum_constant": enum_constant,
    "removed": removed,
}


def rules_of(catalog):
    """(id, language, rule) for every codemod the catalog expands into."""
    prefix = f"{catalog['package']}{catalog['major']}"
    for kind, make in KINDS.items():
        for entry in catalog.get(kind, []):
            for lang in ("python", "typescript"):
                if lang not in entry:
                    continue
                codemod = f"{prefix}-{entry['id']}" if lang == "python" else f"ts-{prefix}-{entry['id']}"
                yield codemod, lang, make(lang, entry)


def main():
    out = os.path.abspath(sys.argv[1])
    rules_dir = os.path.join(out, "rules")
    shutil.rmtree(rules_dir, ignore_errors=True)
    os.makedirs(rules_dir)
    count = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "codemods", "upgrades", "*.toml"))):
        with open(path, "rb") as f:
            catalog = tomllib.load(f)
        for codemod, lang, rule in rules_of(catalog):
            document = {"id": codemod, "language": lang, "severity": "warning", "message": f"{codemod} (from {os.path.relpath(path, ROOT)})", "rule": rule}
            with open(os.path.join(rules_dir, codemod + ".yml"), "w") as f:
                json.dump(document, f, indent=1)
            count += 1
    hand_written = os.path.join(ROOT, "bench", "ast-grep", "rules")
    with open(os.path.join(out, "sgconfig.yml"), "w") as f:
        f.write("# Written by bench/ast-grep/gen_rules.py: the hand-written rules and the upgrade catalogs'.\n")
        f.write(f"ruleDirs:\n  - {json.dumps(hand_written)}\n  - rules\n")
    print(f"gen_rules: {count} catalog rules in {rules_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
