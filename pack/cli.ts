/**
 * `npm run pack`: production build, then dist/<UniqueName>_<v>_managed.zip and _unmanaged.zip,
 * each checked with the verifier before the command reports success.
 *
 *   npm run pack                          build + pack + verify
 *   npm run pack -- --skip-build          pack the existing out/ (right after `npm run build`)
 *   npm run pack -- --verify <zip> [...]  check zips only; exit 1 with the list of problems
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, relative, resolve } from "node:path";
import { packSolution } from "./build";
import { verifySolutionZip } from "./verify";

const root = resolve(__dirname, "..");

function verifyFiles(files: string[]): number {
  let failed = 0;
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      process.stderr.write(`${file}: cannot read (${(e as Error).message})\n`);
      failed++;
      continue;
    }
    const result = verifySolutionZip(bytes, { fileName: basename(file) });
    const { uniqueName, version, managed, controls } = result.solution;
    if (result.ok) {
      process.stdout.write(`${file}: OK — ${uniqueName} ${version} ${managed ? "managed" : "unmanaged"}, controls: ${controls.join(", ")}\n`);
    } else {
      failed++;
      process.stderr.write(`${file}: ${result.problems.length} problem(s)\n${result.problems.map((p) => `  - ${p}\n`).join("")}`);
    }
  }
  return failed ? 1 : 0;
}

function main(args: string[]): number {
  const at = args.indexOf("--verify");
  if (at >= 0) {
    const files = args.slice(at + 1).filter((a) => !a.startsWith("--"));
    if (!files.length) {
      process.stderr.write("usage: npm run pack -- --verify <solution.zip> [...]\n");
      return 2;
    }
    return verifyFiles(files);
  }
  const unknown = args.filter((a) => a !== "--skip-build");
  if (unknown.length) {
    process.stderr.write(`unknown option(s): ${unknown.join(" ")}\n`);
    return 2;
  }
  if (!args.includes("--skip-build")) {
    // The build wrapper, not pcf-scripts directly: pcf-scripts exits 0 on failure, the wrapper does not.
    const build = spawnSync(process.execPath, [resolve(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
    if (build.status !== 0) {
      process.stderr.write(`\nPack failed: the production build failed (exit ${build.status ?? build.signal}).\n`);
      return 1;
    }
  }
  let result;
  try {
    result = packSolution({ root });
  } catch (e) {
    process.stderr.write(`\nPack failed: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`\nPacked ${result.uniqueName} ${result.version} (${result.controls.join(", ")}):\n`);
  return verifyFiles(result.zips.map((z) => relative(process.cwd(), z.path) || z.path));
}

process.exitCode = main(process.argv.slice(2));
