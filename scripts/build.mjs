#!/usr/bin/env node
/**
 * Production build of the control. pcf-scripts exits 0 even when the build fails, so this
 * script type-checks first, reads pcf-scripts' output for its error markers, and checks that
 * the bundle it wrote is complete. Any failure exits non-zero.
 *
 * A build whose inputs have not changed is reused: after a successful build, out/build-stamp.json
 * records a hash of the inputs' contents and of what the build wrote; the next run rebuilds unless
 * both still match (so `npm run pack` right after a build only packs). `--force` always rebuilds.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { budgetFailure, bundleSizes } from "./bundle-report.mjs";

const root = process.cwd();
const control = "MarketoConfigControl";
const outDir = join(root, "out", "controls", control);
const bin = (name) => join(root, "node_modules", ".bin", name);
const env = { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: "1" };

function run(label, command, args, { scanOutput = false } = {}) {
  process.stdout.write(`\n> ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  process.stdout.write(output);
  if (result.error) fail(`${label}: ${result.error.message}`);
  if (result.status !== 0) fail(`${label} exited with code ${result.status}`);
  // pcf-scripts prints "[Error]" / "Failed" and still exits 0.
  if (scanOutput && /\[(?:pcf-scripts\] \[)?Error\]|\bFailed\b|error TS\d+|\bERROR in\b/i.test(output)) fail(`${label} reported errors (see above)`);
}

function fail(message) {
  process.stderr.write(`\nBuild failed: ${message}\n`);
  process.exit(1);
}

/** Size budget of bundle.js (scripts/bundle-report.mjs): over it, the build fails naming the biggest modules. */
async function checkBundleBudget(code) {
  const failure = await budgetFailure(code);
  if (failure) fail(failure);
  const { minified, gzip } = bundleSizes(code);
  process.stdout.write(`\nbundle.js: ${minified} B minified, ${gzip} B gzip (within budget)\n`);
}

/**
 * What the build reads: the control (its manifest included) and core it bundles, the solution
 * source (as pack/releasedVersion.ts fingerprints them), the locked toolchain and its settings,
 * and the build scripts.
 */
const INPUT_DIRS = [control, "core", "Solution/src"];
const INPUT_FILES = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "pcfconfig.json",
  "featureconfig.json",
  "webpack.config.js",
  `${control}.pcfproj`,
  "scripts/build.mjs",
  "scripts/bundle-report.mjs",
];
/** Written by pcf-scripts from the manifest, which is hashed already. */
const GENERATED = new Set([`${control}/generated`]);
const STAMP = join(root, "out", "build-stamp.json");

function filesUnder(dir, skip = new Set()) {
  const files = [];
  const walk = (rel) => {
    if (!existsSync(join(root, rel))) return;
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (skip.has(path)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk(dir);
  return files;
}

/** A hash of paths and contents; text line endings normalised, so a CRLF checkout hashes the same. */
function hashFiles(files) {
  const hash = createHash("sha256");
  for (const file of [...files].sort()) {
    const full = join(root, file);
    hash.update(`${file}\0`);
    if (existsSync(full)) {
      const bytes = readFileSync(full);
      hash.update(bytes.includes(0) ? bytes : bytes.toString("utf8").replace(/\r\n/g, "\n"));
    }
    hash.update("\0");
  }
  return `sha256:${hash.digest("hex")}`;
}

const inputsHash = () => hashFiles([...INPUT_DIRS.flatMap((d) => filesUnder(d, GENERATED)), ...INPUT_FILES]);
const outputHash = () => hashFiles(filesUnder(`out/controls/${control}`));

function upToDate(inputs) {
  if (process.argv.includes("--force") || !existsSync(STAMP)) return false;
  try {
    const stamp = JSON.parse(readFileSync(STAMP, "utf8"));
    // The output is hashed too: a dev build or a hand edit in out/ since then is not reused.
    return stamp.inputs === inputs && stamp.output === outputHash() && stamp.node === process.version;
  } catch {
    return false;
  }
}

const inputs = inputsHash();
if (upToDate(inputs)) {
  process.stdout.write(`Build up to date: ${outDir} was built from these inputs (${inputs.slice(0, 19)}…). node scripts/build.mjs --force rebuilds.\n`);
  process.exit(0);
}

rmSync(join(root, "out"), { recursive: true, force: true });
run("Generate manifest types", bin("pcf-scripts"), ["refreshTypes"], { scanOutput: true });
run("Type-check control and core", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
run("pcf-scripts build (production)", bin("pcf-scripts"), ["build", "--buildMode", "production"], { scanOutput: true });

const expected = ["ControlManifest.xml", "bundle.js", `strings/${control}.1033.resx`, `strings/${control}.1036.resx`];
const missing = expected.filter((f) => !existsSync(join(outDir, f)));
if (missing.length) fail(`missing from ${outDir}: ${missing.join(", ")}`);

const manifest = readFileSync(join(outDir, "ControlManifest.xml"), "utf8");
for (const lib of ['name="React"', 'name="Fluent"']) if (!manifest.includes(lib)) fail(`ControlManifest.xml does not declare the platform library ${lib}`);

// React and Fluent come from the platform: their code in bundle.js would double the download.
const bundle = readFileSync(join(outDir, "bundle.js"), "utf8");
const bundled = [
  ["React", /react\.production\.min\.js|__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED\s*[:=]/],
  ["Fluent UI", /ms-Button-flexContainer|@fluentui\/react\/lib\/|office-ui-fabric-react/],
].filter(([, re]) => re.test(bundle));
if (bundled.length) fail(`bundle.js contains ${bundled.map(([n]) => n).join(" and ")} code`);

await checkBundleBudget(bundle);

// Hashed again: an input edited during the build must not be stamped as built.
if (inputsHash() === inputs) writeFileSync(STAMP, JSON.stringify({ inputs, output: outputHash(), node: process.version, builtAt: new Date().toISOString() }, null, 2) + "\n");
process.stdout.write(`\nBuild OK: ${outDir} (bundle.js ${bundle.length} bytes)\n`);
