#!/usr/bin/env node
/**
 * Production build of the control. pcf-scripts exits 0 even when the build fails, so this
 * script type-checks first, reads pcf-scripts' output for its error markers, and checks that
 * the bundle it wrote is complete. Any failure exits non-zero.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

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

rmSync(join(root, "out"), { recursive: true, force: true });
run("Generate manifest types", bin("pcf-scripts"), ["refreshTypes"], { scanOutput: true });
run("Type-check control and core", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
run("pcf-scripts build (production)", bin("pcf-scripts"), ["build", "--buildMode", "production"], { scanOutput: true });

const expected = ["ControlManifest.xml", "bundle.js", `strings/${control}.1033.resx`, `strings/${control}.1036.resx`];
const missing = expected.filter((f) => !existsSync(join(outDir, f)));
if (missing.length) fail(`missing from ${outDir}: ${missing.join(", ")}`);

const manifest = readFileSync(join(outDir, "ControlManifest.xml"), "utf8");
for (const lib of ['name="React"', 'name="Fluent"'])
  if (!manifest.includes(lib)) fail(`ControlManifest.xml does not declare the platform library ${lib}`);

// React and Fluent come from the platform: their code in bundle.js would double the download.
const bundle = readFileSync(join(outDir, "bundle.js"), "utf8");
const bundled = [
  ["React", /react\.production\.min\.js|__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED\s*[:=]/],
  ["Fluent UI", /ms-Button-flexContainer|@fluentui\/react\/lib\/|office-ui-fabric-react/],
].filter(([, re]) => re.test(bundle));
if (bundled.length) fail(`bundle.js contains ${bundled.map(([n]) => n).join(" and ")} code`);

process.stdout.write(`\nBuild OK: ${outDir} (bundle.js ${bundle.length} bytes)\n`);
