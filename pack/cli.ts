/**
 * `npm run pack`: production build, then dist/<UniqueName>_<v>_managed.zip and _unmanaged.zip,
 * each checked with the verifier before the command reports success.
 *
 *   npm run pack                          build + pack + verify
 *   npm run pack -- --skip-build          pack the existing out/ (right after `npm run build`)
 *   npm run pack -- --same-version        also pack the version recorded as packed from changed sources; record nothing
 *   npm run pack -- --verify <zip> [...]  check zips only: errors, then notes; exit 1 on any error
 *
 * package.json's version must be above the last one packed (Solution/released-version.json, see
 * releasedVersion.ts), or equal to it with unchanged sources (a rebuild of that release); a
 * successful pack of a higher version records it there.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, relative, resolve } from "node:path";
import { packSolution } from "./build";
import { RELEASED_VERSION_FILE, compareVersions, packageVersion, readReleasedRecord, recordReleasedVersion, sourceFingerprint, versionRefusal } from "./releasedVersion";
import { parseResx } from "../formats/resx";
import { renderFinding, verifySolutionZip } from "../formats/verify";

const root = resolve(__dirname, "..");

/** The verifier's findings in English, from the control's English strings (the CLI's deploy renders them in the admin's language). */
const englishStrings = () => parseResx(readFileSync(resolve(root, "MarketoConfigControl", "strings", "MarketoConfigControl.1033.resx"), "utf8"));

function verifyFiles(files: string[]): number {
  let failed = 0;
  const strings = englishStrings();
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
    // Errors first, then notes: only errors fail the check (notes are differences from our own
    // packer's layout that Dataverse accepts).
    const lines = [...result.errors.map((e) => `  error: ${renderFinding(e, strings)}\n`), ...result.notes.map((n) => `  note: ${renderFinding(n, strings)}\n`)].join("");
    if (result.ok) {
      const notes = result.notes.length ? ` (${result.notes.length} note(s): differences from what npm run pack writes, which Dataverse accepts)` : "";
      process.stdout.write(`${file}: OK — ${uniqueName} ${version} ${managed ? "managed" : "unmanaged"}, controls: ${controls.join(", ")}${notes}\n${lines}`);
    } else {
      failed++;
      process.stderr.write(`${file}: REFUSED — ${result.errors.length} error(s): Dataverse would refuse this zip or the control would not load\n${lines}`);
    }
  }
  return failed ? 1 : 0;
}

const USAGE = `Usage:
  npm run pack                          build, pack dist/<name>_<version>_managed.zip and _unmanaged.zip, verify both
  npm run pack -- --skip-build          pack the control already built in out/ (right after npm run build)
  npm run pack -- --same-version        a trial build: pack the version already packed from changed sources; records nothing
  npm run pack -- --verify <zip> [...]  check solution zips only: errors, then notes; exit 1 on any error
`;

function main(args: string[]): number {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const at = args.indexOf("--verify");
  if (at >= 0) {
    const files = args.slice(at + 1).filter((a) => !a.startsWith("--"));
    if (!files.length) {
      process.stderr.write("usage: npm run pack -- --verify <solution.zip> [...]\n");
      return 2;
    }
    return verifyFiles(files);
  }
  const unknown = args.filter((a) => a !== "--skip-build" && a !== "--same-version");
  if (unknown.length) {
    process.stderr.write(`unknown option(s): ${unknown.join(" ")}\n${USAGE}`);
    return 2;
  }
  // Before the build: a version that must not ship is refused at once.
  let version: string;
  let released: string;
  let recordedSources: string | undefined;
  let sources: string;
  try {
    version = packageVersion(root);
    ({ version: released, sources: recordedSources } = readReleasedRecord(root));
    sources = sourceFingerprint(root);
  } catch (e) {
    process.stderr.write(`\nPack failed: ${(e as Error).message}\n`);
    return 1;
  }
  const sameVersion = args.includes("--same-version");
  const unchangedSources = recordedSources === sources;
  const refusal = versionRefusal(version, released, { sameVersion, unchangedSources });
  if (refusal) {
    process.stderr.write(`\nPack refused: ${refusal}\n`);
    return 1;
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
  const verified = verifyFiles(result.zips.map((z) => relative(process.cwd(), z.path) || z.path));
  if (verified === 0 && compareVersions(version, released) > 0 && !sameVersion) {
    recordReleasedVersion(root, version, sources);
    process.stdout.write(`Recorded ${version} as the last version packed in ${RELEASED_VERSION_FILE}: commit it with the release.\n`);
  }
  return verified;
}

process.exitCode = main(process.argv.slice(2));
