/**
 * The version guard of `npm run pack`: the last version packed is recorded in a tracked file, and a
 * pack of a version that is not above it is refused.
 *
 * Why: package.json's version is the only version written by hand; the packer derives the
 * solution version (x.y.z → x.y.z.0) and the control manifest version (x.y.z) from it. Dataverse
 * refuses a managed solution at the same or a lower version than the installed one (0x80048541,
 * KB 4499878; a managed solution is immutable per version, microsoft/powerplatform-build-tools#212),
 * and keeps the old control code unless the manifest version rose (code-components-alm.md: at least
 * the PATCH part must be incremented). A release packed without a bump would therefore be refused,
 * or imported with the old control still running.
 *
 * The record is Solution/released-version.json, committed with the release: it lives beside the
 * solution source whose version it guards, survives clean checkouts (dist/ is ignored) and shows
 * each release in the history. `--same-version` packs the recorded version again (to rebuild a lost
 * zip, or a trial pack such as the benchmark's) and records nothing; a lower version is never packed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONTROL_VERSION } from "./format";
import { versionsFrom } from "./solutionSource";

export const RELEASED_VERSION_FILE = "Solution/released-version.json";
export const BUMP_COMMAND = "npm version patch --no-git-tag-version";

const NOTE = `The last version npm run pack packed. npm run pack refuses a package.json version that is not higher; bump it with \`${BUMP_COMMAND}\`.`;

export interface ReleasedVersion {
  version: string;
  note?: string;
}

/** The recorded version; "0.0.0" when nothing was recorded yet (no file). */
export function readReleasedVersion(root: string): string {
  let text: string;
  try {
    text = readFileSync(join(root, RELEASED_VERSION_FILE), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "0.0.0";
    throw e;
  }
  let version: unknown;
  try {
    version = (JSON.parse(text) as ReleasedVersion).version;
  } catch (e) {
    throw new Error(`${RELEASED_VERSION_FILE} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof version !== "string" || !CONTROL_VERSION.test(version)) throw new Error(`${RELEASED_VERSION_FILE}: "version" must be major.minor.patch, found ${JSON.stringify(version)}`);
  return version;
}

/** package.json's version, checked the way the packer checks it (three numeric parts). */
export function packageVersion(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: string };
  return versionsFrom(pkg.version ?? "").control;
}

export function recordReleasedVersion(root: string, version: string): void {
  const record: ReleasedVersion = { version, note: NOTE };
  writeFileSync(join(root, RELEASED_VERSION_FILE), JSON.stringify(record, null, 2) + "\n");
}

/** Three-part versions, numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return Math.sign(pa[i] - pb[i]);
  return 0;
}

/**
 * Why `version` must not be packed, or undefined when it may. Higher than the record: yes; equal:
 * only with `sameVersion`; lower: never.
 */
export function versionRefusal(version: string, released: string, options: { sameVersion?: boolean } = {}): string | undefined {
  const order = compareVersions(version, released);
  if (order > 0 || (order === 0 && options.sameVersion)) return undefined;
  const why =
    order === 0
      ? `package.json's version ${version} is the version already packed (${RELEASED_VERSION_FILE}: ${released}). Dataverse refuses a managed solution at the version it already has and keeps the old control code unless the control version rose.`
      : `package.json's version ${version} is lower than the version already packed (${RELEASED_VERSION_FILE}: ${released}). Dataverse refuses a managed solution older than the installed one.`;
  if (order === 0) return `${why}\nBump the version, then pack again: ${BUMP_COMMAND}\nTo pack ${version} again on purpose (e.g. to rebuild a lost zip): npm run pack -- --same-version`;
  const [major, minor, patch] = released.split(".").map(Number);
  return `${why}\nSet a version above it, then pack again: npm version ${major}.${minor}.${patch + 1} --no-git-tag-version\nIf ${released} was never released, correct ${RELEASED_VERSION_FILE}.`;
}
