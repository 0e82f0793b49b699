#!/usr/bin/env node
// Type-check Pulumi TypeScript programs against a real installed Pulumi SDK, in one compiler run.
//
//   node tests/sdk/check_ts.mjs --sdk target/sdk/node-aws7 DIR [DIR...]
//
// All .ts files below the given directories (node_modules, dist, bin and build skipped) form ONE
// program, checked with the options of tests/sdk/tsconfig.base.json (strict, noEmit,
// skipLibCheck, commonjs, es2020, node resolution) and the TypeScript compiler of the --sdk
// directory (tests/sdk/setup.sh installs target/sdk/node-aws7 and node-aws6). The programs need no
// node_modules of their own: every bare import (`@pulumi/aws`, `@pulumi/pulumi`, ...) resolves
// from the sdk directory, relative imports as usual.
//
// Prints one JSON object on stdout and exits 1 unless it is ok (2 on a usage error):
//   {"ok": bool, "files": N, "elapsed_ms": N,
//    "diagnostics": [{"file", "line", "col", "code", "message"}],   the compiler's errors
//    "problems": ["FILE:LINE:COL: message", ...]}                    type-aware Pulumi checks:
//   - a value whose type is pulumi.Output<T> / OutputInstance<T> (or a union holding one, such as
//     pulumi.Input<T>) inside an untagged template literal, as an operand of a string `+`, or
//     inside the argument of JSON.stringify(...) (object/array literals walked recursively,
//     other values by their type);
//   - an object-literal property whose contextual property carries a @deprecated JSDoc tag (how
//     @pulumi/aws marks deprecated inputs, e.g. `versioning` of aws.s3.Bucket in 7.x), and `new`
//     of a class, or a read of a property, that @pulumi/* marks @deprecated.
// Paths in the output are relative to the working directory when they are inside it.

import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const started = Date.now();
const here = path.dirname(fileURLToPath(import.meta.url));

function usage(message) {
  process.stderr.write(`check_ts.mjs: ${message}\nusage: node tests/sdk/check_ts.mjs --sdk target/sdk/node-aws7 DIR [DIR...]\n`);
  process.exit(2);
}

let sdk = null;
// --allow-deprecated: deprecations are not problems (checking a program before its upgrade).
let allowDeprecated = false;
const dirs = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--sdk") sdk = argv[++i];
  else if (argv[i].startsWith("--sdk=")) sdk = argv[i].slice(6);
  else if (argv[i] === "--allow-deprecated") allowDeprecated = true;
  else if (argv[i].startsWith("-")) usage(`unknown option ${argv[i]}`);
  else dirs.push(argv[i]);
}
if (!sdk) usage("--sdk is required");
if (dirs.length === 0) usage("no program directory given");
sdk = path.resolve(sdk);
const sdkModules = path.join(sdk, "node_modules");
if (!fs.existsSync(path.join(sdkModules, "typescript", "package.json"))) {
  usage(`no typescript under ${sdkModules} (run tests/sdk/setup.sh)`);
}
const require = createRequire(path.join(sdk, "package.json"));
const ts = require("typescript");

// --- the files -------------------------------------------------------------------------------
// `bin/` is source in Pulumi TypeScript projects (`bin/tap.ts` is the entry of seed 003), not output.
const SKIP_DIRS = new Set(["node_modules", "dist", "build", ".git", ".pulumi"]);
function tsFiles(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) tsFiles(full, out);
    } else if (entry.isFile() && /\.(ts|tsx|mts|cts)$/.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}
const rootNames = [];
for (const dir of dirs) {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs)) usage(`no such directory ${dir}`);
  if (fs.statSync(abs).isFile()) rootNames.push(abs);
  else tsFiles(abs, rootNames);
}
rootNames.sort();
const programFiles = new Set(rootNames.map((f) => path.normalize(f)));

// --- the compiler options and host ----------------------------------------------------------
const base = JSON.parse(fs.readFileSync(path.join(here, "tsconfig.base.json"), "utf8"));
const converted = ts.convertCompilerOptionsFromJson(base.compilerOptions, here);
if (converted.errors.length) usage(converted.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; "));
const options = { ...converted.options, typeRoots: [path.join(sdkModules, "@types")], noEmit: true };

const host = ts.createCompilerHost(options, true);
const resolveFrom = path.join(sdk, "__program__.ts"); // bare imports resolve as if written in the sdk dir
const cache = ts.createModuleResolutionCache(sdk, (s) => s, options);
host.resolveModuleNames = (moduleNames, containingFile, _reused, redirected, opts) =>
  moduleNames.map((name) => {
    const bare = !name.startsWith(".") && !path.isAbsolute(name);
    const from = bare && programFiles.has(path.normalize(containingFile)) ? resolveFrom : containingFile;
    let result = ts.resolveModuleName(name, from, opts, host, cache, redirected).resolvedModule;
    if (!result && bare && from !== resolveFrom) {
      result = ts.resolveModuleName(name, resolveFrom, opts, host, cache, redirected).resolvedModule;
    }
    return result;
  });

const program = ts.createProgram({ rootNames, options, host });
const checker = program.getTypeChecker();

const cwd = process.cwd();
function shownPath(file) {
  const rel = path.relative(cwd, file);
  return (rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file).split(path.sep).join("/");
}
function position(sourceFile, pos) {
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(pos);
  return { file: shownPath(sourceFile.fileName), line: line + 1, col: character + 1 };
}

// --- compiler diagnostics --------------------------------------------------------------------
const diagnostics = [];
for (const d of ts.getPreEmitDiagnostics(program)) {
  if (d.category !== ts.DiagnosticCategory.Error) continue;
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (d.file && d.start !== undefined) diagnostics.push({ ...position(d.file, d.start), code: d.code, message });
  else diagnostics.push({ file: null, line: 0, col: 0, code: d.code, message });
}

// --- Pulumi-aware checks ---------------------------------------------------------------------
const problems = [];
const seen = new Set();
function problem(node, message) {
  const sf = node.getSourceFile();
  const at = position(sf, node.getStart(sf));
  const text = `${at.file}:${at.line}:${at.col}: ${message}`;
  if (!seen.has(text)) {
    seen.add(text);
    problems.push(text);
  }
}

function declaredInPulumi(symbol, pkg = "@pulumi/") {
  return (symbol?.declarations ?? []).some((d) => d.getSourceFile().fileName.split(path.sep).join("/").includes(`/node_modules/${pkg}`));
}

// Is this type pulumi.Output<T> / OutputInstance<T>, or a union / intersection holding one?
function isOutput(type, depth = 0) {
  if (!type || depth > 5) return false;
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  for (const symbol of [type.aliasSymbol, type.getSymbol()]) {
    if (symbol && (symbol.name === "Output" || symbol.name === "OutputInstance") && declaredInPulumi(symbol, "@pulumi/pulumi")) return true;
  }
  if (type.isUnionOrIntersection()) return type.types.some((t) => isOutput(t, depth + 1));
  return false;
}

function typeText(type) {
  return checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation).slice(0, 80);
}

// Does a value of this (non-literal) type carry an Output somewhere JSON.stringify would reach?
function carriesOutput(type, depth = 0, seenTypes = new Set()) {
  if (!type || depth > 4 || seenTypes.has(type)) return false;
  seenTypes.add(type);
  if (isOutput(type)) return true;
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Primitive)) return false;
  if (type.isUnion()) return type.types.some((t) => carriesOutput(t, depth + 1, seenTypes));
  if (checker.isArrayType?.(type) || checker.isTupleType?.(type)) {
    return checker.getTypeArguments(type).some((t) => carriesOutput(t, depth + 1, seenTypes));
  }
  if (!(type.flags & ts.TypeFlags.Object) || type.getCallSignatures().length) return false;
  return checker.getPropertiesOfType(type).some((p) => {
    const decl = p.valueDeclaration ?? p.declarations?.[0];
    if (!decl || ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl)) return false;
    return carriesOutput(checker.getTypeOfSymbolAtLocation(p, decl), depth + 1, seenTypes);
  });
}

function checkJsonValue(expr) {
  expr = ts.skipPartiallyEmittedExpressions(expr);
  while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression?.(expr) || ts.isNonNullExpression(expr)) expr = expr.expression;
  if (ts.isObjectLiteralExpression(expr)) {
    for (const prop of expr.properties) {
      if (ts.isPropertyAssignment(prop)) checkJsonValue(prop.initializer);
      else if (ts.isShorthandPropertyAssignment(prop)) checkJsonType(prop.name, checker.getTypeAtLocation(prop.name));
      else if (ts.isSpreadAssignment(prop)) checkJsonValue(prop.expression);
    }
  } else if (ts.isArrayLiteralExpression(expr)) {
    for (const element of expr.elements) checkJsonValue(ts.isSpreadElement(element) ? element.expression : element);
  } else if (ts.isConditionalExpression(expr)) {
    checkJsonValue(expr.whenTrue);
    checkJsonValue(expr.whenFalse);
  } else {
    checkJsonType(expr, checker.getTypeAtLocation(expr));
  }
}
function checkJsonType(node, type) {
  if (isOutput(type)) problem(node, `Output inside JSON.stringify(): \`${node.getText().slice(0, 60)}\` is ${typeText(type)}; build the JSON inside .apply() / pulumi.jsonStringify`);
  else if (carriesOutput(type)) problem(node, `Output inside JSON.stringify(): \`${node.getText().slice(0, 60)}\` (${typeText(type)}) holds an Output`);
}

function deprecationOf(symbol) {
  if (!symbol || allowDeprecated) return null;
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === "deprecated");
  if (!tag) return null;
  return (ts.displayPartsToString(tag.text) || "deprecated").replace(/\s+/g, " ").trim();
}

function checkDeprecatedProperties(obj) {
  const contextual = checker.getContextualType(obj);
  if (!contextual) return;
  const members = contextual.isUnion() ? contextual.types : [contextual];
  for (const prop of obj.properties) {
    if (!(ts.isPropertyAssignment(prop) || ts.isShorthandPropertyAssignment(prop)) || !prop.name) continue;
    const name = ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name) ? prop.name.text : null;
    if (!name) continue;
    for (const member of members) {
      if (!(member.flags & ts.TypeFlags.Object) || isOutput(member)) continue;
      const target = checker.getPropertyOfType(member, name);
      const message = deprecationOf(target);
      if (message) {
        const owner = typeText(member);
        problem(prop.name, `deprecated input: ${owner}.${name}: ${message}`);
        break;
      }
    }
  }
}

function isStringLike(type) {
  return !!(type.flags & ts.TypeFlags.StringLike);
}

function visit(node) {
  if (ts.isTemplateExpression(node) && !ts.isTaggedTemplateExpression(node.parent)) {
    for (const span of node.templateSpans) {
      const type = checker.getTypeAtLocation(span.expression);
      if (isOutput(type)) {
        problem(span.expression, `Output in template literal: \`\${${span.expression.getText().slice(0, 60)}}\` is ${typeText(type)}; use pulumi.interpolate or .apply()`);
      }
    }
  } else if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.PlusToken || node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken)) {
    const left = checker.getTypeAtLocation(node.left);
    const right = checker.getTypeAtLocation(node.right);
    const stringy = isStringLike(left) || isStringLike(right) || isStringLike(checker.getTypeAtLocation(node));
    for (const [side, type] of [[node.left, left], [node.right, right]]) {
      if (stringy && isOutput(type)) {
        problem(side, `Output in string concatenation: \`${side.getText().slice(0, 60)}\` is ${typeText(type)}; use pulumi.interpolate or .apply()`);
      }
    }
  } else if (ts.isCallExpression(node) && node.arguments.length > 0) {
    const callee = node.expression;
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === "stringify" && ts.isIdentifier(callee.expression) && callee.expression.text === "JSON") {
      checkJsonValue(node.arguments[0]);
    }
  } else if (ts.isObjectLiteralExpression(node)) {
    checkDeprecatedProperties(node);
  } else if (ts.isNewExpression(node)) {
    // The class through the instance type: @pulumi/aws re-exports classes as lazily loaded consts.
    const symbol = checker.getTypeAtLocation(node).getSymbol();
    const message = symbol && symbol.flags & ts.SymbolFlags.Class && declaredInPulumi(symbol) ? deprecationOf(symbol) : null;
    if (message) problem(node.expression, `deprecated resource: ${node.expression.getText()}: ${message}`);
  } else if (ts.isPropertyAccessExpression(node) && !ts.isNewExpression(node.parent)) {
    const symbol = checker.getSymbolAtLocation(node.name);
    if (symbol && symbol.flags & ts.SymbolFlags.Property && declaredInPulumi(symbol)) {
      const message = deprecationOf(symbol);
      if (message) problem(node.name, `deprecated property: ${node.getText().slice(0, 60)}: ${message}`);
    }
  }
  ts.forEachChild(node, visit);
}

for (const sourceFile of program.getSourceFiles()) {
  if (programFiles.has(path.normalize(sourceFile.fileName)) && !sourceFile.isDeclarationFile) visit(sourceFile);
}

const result = {
  ok: diagnostics.length === 0 && problems.length === 0,
  sdk: shownPath(sdk),
  typescript: ts.version,
  files: rootNames.length,
  elapsed_ms: Date.now() - started,
  diagnostics,
  problems,
};
process.stdout.write(JSON.stringify(result, null, 2) + "\n");
process.exitCode = result.ok ? 0 : 1;
