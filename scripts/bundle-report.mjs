#!/usr/bin/env node
/**
 * What weighs what in the control's bundle.js, and the size budget scripts/build.mjs enforces.
 *
 * Module sizes are exact minified bytes: the control is bundled again with pcf-scripts' own
 * webpack configuration (same loaders, Babel targets from pcfconfig.json, externals and production
 * minifier) plus a source map, and every byte of the minified output is charged to the source file
 * the map points it at. Bytes Babel inserted (its helpers) and webpack's runtime are listed apart.
 * `node scripts/bundle-report.mjs [--top N] [--json]` (npm run bundle-report). Exit code 1 when
 * over budget.
 *
 * What keeps it small: tsconfig.json's target ES2022 (TypeScript emits no __awaiter or `?.`
 * expansions in every module, and `#private` members natively, which the minifier shortens where
 * it must keep a `private` one's name in full; useDefineForClassFields stays off, as under the
 * ES2020 target before, so public fields are still assigned in the constructor) and
 * pcfconfig.json's `targets`, which pcf-scripts hands to @babel/preset-env instead of its default
 * { esmodules: true } (Edge 16 / Safari 10.1, for which Babel inlines destructuring, spread and
 * default-parameter helpers per module). Model-driven apps run on the most recent Edge, Chrome,
 * Firefox and Safari (Power Platform admin docs, "Supported web browsers and mobile devices");
 * the targets are floors well below those: Chrome/Edge 109, Firefox 115 ESR, Safari/iOS 16.4.
 * And webpack.config.js: the control's React and Fluent names are local bindings of
 * MarketoConfigControl/platform/ rather than property accesses on the platform's globals
 * (`React.createElement` at each of 155 JSX elements), and no pathinfo comments.
 */
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const CONTROL = "MarketoConfigControl";
/**
 * The build fails above this (gzip at zlib's default level, as a web server compresses). It sits
 * just above today's bundle (83.2 KiB / 27.7 KiB; 84 KiB since the mends of a UX review: Fix everything names
 * a held role removal, a step keeps its words once done) with Fix everything, the report, the busy
 * notices, creating the application user and the role holders through teams, disabled or
 * missing) so that a regression (a dropped Babel target, a bundled @fluentui/* package, which adds
 * hundreds of KiB, React names read off the global again) fails the build. TARGET is where issue 12 wanted it before those features came: not reached. The
 * checklist rules, the loader, the actions and the components (core/setup/evaluate, load, queries,
 * actions, plan and MarketoConfigControl/components/) weigh 47 KiB minified of it alone.
 */
export const BUDGET = { minified: 84 * 1024, gzip: 28 * 1024 };
export const TARGET = { minified: 50 * 1024, gzip: 15 * 1024 };
/** How many of the biggest modules get a gzip saving figure (one compression each). */
const GZIP_SAVING_FOR = 15;

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

export function bundleSizes(code) {
  const buffer = Buffer.from(code);
  return { minified: buffer.length, gzip: gzipSync(buffer).length };
}

/** The budget lines bundle.js breaks; empty when it fits. */
export function budgetProblems(sizes, budget = BUDGET) {
  const problems = [];
  if (sizes.minified > budget.minified) problems.push(`${kib(sizes.minified)} minified exceeds ${kib(budget.minified)}`);
  if (sizes.gzip > budget.gzip) problems.push(`${kib(sizes.gzip)} gzip exceeds ${kib(budget.gzip)}`);
  return problems;
}

/**
 * The build's verdict: undefined when bundle.js fits, else a message naming the biggest modules.
 * `analyze` is only called when over budget (it bundles again, about half a minute).
 */
export async function budgetFailure(code, { budget = BUDGET, analyze = analyzeBundle, top = 5 } = {}) {
  const sizes = bundleSizes(code);
  const problems = budgetProblems(sizes, budget);
  if (!problems.length) return undefined;
  let biggest;
  try {
    const { modules } = await analyze();
    biggest = modules
      .slice(0, top)
      .map((m) => `${m.name} (${kib(m.bytes)})`)
      .join(", ");
  } catch (error) {
    biggest = `unknown (the module analysis failed: ${error.message})`;
  }
  return `bundle.js is over its size budget: ${problems.join("; ")}. Biggest modules: ${biggest}. Run npm run bundle-report for the full list; the budget is in scripts/bundle-report.mjs.`;
}

/**
 * Bundles the control as `pcf-scripts build --buildMode production` does, into a scratch
 * directory, and charges each minified byte to its source module.
 */
export async function analyzeBundle(root = process.cwd()) {
  const requireFromPcf = createRequire(join(root, "node_modules", "pcf-scripts", "package.json"));
  const { ControlContext } = requireFromPcf("./controlContext");
  const { DiagnosticManager } = requireFromPcf("./diagnostic");
  const { getWebpackConfig, generateStub } = requireFromPcf("./webpackConfig");
  const { webpack } = requireFromPcf("webpack");
  const { SourceMapConsumer } = createRequire(join(root, "package.json"))("source-map");

  // pcf-scripts reads pcfconfig.json and tsconfig.json relative to the working directory.
  const previousCwd = process.cwd();
  process.chdir(root);
  const outDir = mkdtempSync(join(tmpdir(), "bundle-report-"));
  try {
    const diag = new DiagnosticManager();
    const control = new ControlContext(diag, CONTROL);
    if (diag.hasErrors()) throw new Error(`${CONTROL}/ControlManifest.Input.xml could not be read`);
    const config = { ...getWebpackConfig(control, outDir, "production", false), devtool: "source-map" };
    await new Promise((done, failed) =>
      webpack(config, (error, result) => (error ? failed(error) : result.hasErrors() ? failed(new Error(result.toString({ all: false, errors: true }))) : done(result))),
    );
    const emitted = readFileSync(join(outDir, "bundle.js"), "utf8");
    // What pcf-scripts ships: the minified code without the map link, plus its registration stub.
    const stub = generateStub(control.getControlNamespace(), control.getControlName());
    const code = emitted.replace(/\n?\/\/# sourceMappingURL=.*\s*$/, "");
    const map = JSON.parse(readFileSync(join(outDir, "bundle.js.map"), "utf8"));
    const pieces = chargeBytes(code, new SourceMapConsumer(map), root);
    pieces.push({ name: "(pcf-scripts registration stub)", text: stub });
    const sizes = bundleSizes(code + stub);
    const bytes = new Map();
    for (const { name, text } of pieces) bytes.set(name, (bytes.get(name) ?? 0) + Buffer.byteLength(text));
    const modules = [...bytes]
      .filter(([, n]) => n > 0)
      .map(([name, n]) => ({ name, bytes: n }))
      .sort((a, b) => b.bytes - a.bytes);
    // What removing a module would save once compressed: gzip of the whole minus gzip without it.
    for (const m of modules.slice(0, GZIP_SAVING_FOR))
      m.gzipSaving =
        sizes.gzip -
        bundleSizes(
          pieces
            .filter((p) => p.name !== m.name)
            .map((p) => p.text)
            .join(""),
        ).gzip;
    return { modules, sizes };
  } finally {
    process.chdir(previousCwd);
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Splits each generated line at its mappings; a piece belongs to the source of the mapping that starts it. */
function chargeBytes(code, consumer, root) {
  const lines = code.split("\n");
  const starts = lines.map(() => []);
  consumer.eachMapping((m) => starts[m.generatedLine - 1]?.push({ column: m.generatedColumn, source: m.source }));
  const pieces = [];
  const charge = (source, text) => text && pieces.push({ name: moduleName(source, root), text });
  lines.forEach((line, index) => {
    const segments = starts[index].sort((a, b) => a.column - b.column);
    let column = 0;
    let source = null;
    for (const next of segments) {
      if (next.column > column) charge(source, line.slice(column, next.column));
      column = Math.max(column, next.column);
      source = next.source;
    }
    charge(source, line.slice(column) + (index < lines.length - 1 ? "\n" : ""));
  });
  return pieces;
}

function moduleName(source, root) {
  if (!source) return "(webpack runtime and glue)";
  // Babel's inserted helpers map to no file of their own; source-map resolves them to ".".
  if (source === ".") return "(Babel helpers)";
  const path = source.replace(/^webpack:\/\/[^/]*\//, "").replace(/^\.\//, "");
  if (path.startsWith("webpack/")) return "(webpack runtime and glue)";
  const relativePath = relative(root, resolve(root, path)).replace(/\\/g, "/");
  // A package is one line: node_modules/<name> or node_modules/@scope/<name>.
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(relativePath);
  return pkg ? `node_modules/${pkg[1]}` : relativePath;
}

export function formatReport({ modules, sizes }, top = 20) {
  const total = modules.reduce((sum, m) => sum + m.bytes, 0) || 1;
  const width = Math.max(...modules.slice(0, top).map((m) => m.name.length), 10);
  const saving = (m) => (m.gzipSaving === undefined ? "" : `  ${String(m.gzipSaving).padStart(6)} B`);
  const header = `${"module".padEnd(width)}  ${"minified".padStart(9)}  ${"share".padStart(7)}  gzip saved if removed`;
  const rows = modules.slice(0, top).map((m) => `${m.name.padEnd(width)}  ${String(m.bytes).padStart(7)} B  ${((100 * m.bytes) / total).toFixed(1).padStart(5)} %${saving(m)}`);
  const rest = modules.slice(top);
  if (rest.length) rows.push(`${`(${rest.length} more modules)`.padEnd(width)}  ${String(rest.reduce((s, m) => s + m.bytes, 0)).padStart(7)} B`);
  const problems = budgetProblems(sizes);
  const toTarget = budgetProblems(sizes, TARGET);
  return [
    `bundle.js by source module:`,
    header,
    ...rows,
    ``,
    `total: ${sizes.minified} B (${kib(sizes.minified)}) minified, ${sizes.gzip} B (${kib(sizes.gzip)}) gzip`,
    `budget (build fails above): ${kib(BUDGET.minified)} minified, ${kib(BUDGET.gzip)} gzip -> ${problems.length ? `OVER: ${problems.join("; ")}` : "OK"}`,
    `target: ${kib(TARGET.minified)} minified, ${kib(TARGET.gzip)} gzip -> ${toTarget.length ? `not yet: ${toTarget.join("; ")}` : "reached"}`,
  ].join("\n");
}

async function main() {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf("--top");
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 20;
  const report = await analyzeBundle();
  if (args.includes("--json")) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${formatReport(report, top)}\n`);
  const built = join(process.cwd(), "out", "controls", CONTROL, "bundle.js");
  if (existsSync(built)) {
    const shipped = bundleSizes(readFileSync(built));
    if (shipped.minified !== report.sizes.minified) process.stdout.write(`note: ${relative(process.cwd(), built)} is ${shipped.minified} B: it is older than the sources (run npm run build)\n`);
  }
  if (budgetProblems(report.sizes).length) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`bundle-report failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
