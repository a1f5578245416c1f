/**
 * npm run pack's version guard (pack/releasedVersion.ts), on scratch projects: the tracked record in
 * the repository is only read, never written.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BUMP_COMMAND,
  RELEASED_VERSION_FILE,
  compareVersions,
  packageVersion,
  readReleasedRecord,
  readReleasedVersion,
  recordReleasedVersion,
  sourceFingerprint,
  versionRefusal,
} from "../../../pack/releasedVersion";

const repo = join(__dirname, "..", "..", "..");
const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), "mss-released-"));
  mkdirSync(join(dir, "Solution"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("npm run pack's version guard", () => {
  it("packs only a version above the record; the same one with --same-version; a lower one never", () => {
    expect(versionRefusal("1.0.1", "1.0.0")).toBeUndefined();
    expect(versionRefusal("2.0.0", "1.9.9")).toBeUndefined();
    // Numeric, not textual: 1.0.10 is above 1.0.9.
    expect(versionRefusal("1.0.10", "1.0.9")).toBeUndefined();
    expect(versionRefusal("1.0.0", "1.0.0", { sameVersion: true })).toBeUndefined();
    // The same version from the sources it was packed from is a rebuild of that release.
    expect(versionRefusal("1.0.0", "1.0.0", { unchangedSources: true })).toBeUndefined();
    expect(versionRefusal("1.0.0", "1.0.0", { unchangedSources: false })).toBeDefined();
    expect(versionRefusal("0.9.0", "1.0.0", { unchangedSources: true })).toBeDefined();
    expect(versionRefusal("1.0.9", "1.0.10")).toBeDefined();
    expect(versionRefusal("1.2.0", "1.3.0", { sameVersion: true })).toBeDefined();
  });

  it("says which versions, why, and the command to bump", () => {
    const same = versionRefusal("1.0.0", "1.0.0")!;
    expect(same).toContain(`package.json's version 1.0.0 is the version already packed (${RELEASED_VERSION_FILE}: 1.0.0), and the control's sources changed since.`);
    expect(same).toContain(`Bump the version, then pack again: ${BUMP_COMMAND}`);
    expect(BUMP_COMMAND).toBe("npm version patch --no-git-tag-version");
    expect(same).toContain("npm run pack -- --same-version");
    // A lost zip is rebuilt from the release's own sources, never by --same-version over changed ones.
    expect(same).toContain("To rebuild the 1.0.0 release itself (a lost zip), pack from its sources");
    expect(same).not.toMatch(/lost zip\): npm run pack -- --same-version/);
    const lower = versionRefusal("1.2.0", "1.3.4")!;
    expect(lower).toContain(`package.json's version 1.2.0 is lower than the version already packed (${RELEASED_VERSION_FILE}: 1.3.4)`);
    expect(lower).toContain("npm version 1.3.5 --no-git-tag-version");
    expect(lower).not.toContain("--same-version");
  });

  it("reads and records the last version in Solution/released-version.json", () => {
    const dir = scratch();
    expect(readReleasedVersion(dir)).toBe("0.0.0");
    recordReleasedVersion(dir, "1.2.3");
    expect(readReleasedVersion(dir)).toBe("1.2.3");
    expect(JSON.parse(readFileSync(join(dir, RELEASED_VERSION_FILE), "utf8"))).toEqual({ version: "1.2.3", note: expect.stringContaining(BUMP_COMMAND) });
  });

  it("keeps the fingerprint of the sources with the version", () => {
    const dir = scratch();
    recordReleasedVersion(dir, "1.2.3", "sha256:abc");
    expect(readReleasedRecord(dir)).toEqual({ version: "1.2.3", sources: "sha256:abc" });
  });

  it("fingerprints the packed sources: a change to one changes it, line endings and other folders do not", () => {
    const dir = scratch();
    for (const d of ["MarketoConfigControl/generated", "core/setup", "Solution/src/Other", "cli"]) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, "core/setup/a.ts"), "export const a = 1;\n");
    writeFileSync(join(dir, "Solution/src/Other/Solution.xml"), "<x/>\n");
    const base = sourceFingerprint(dir);
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    writeFileSync(join(dir, "cli/b.ts"), "changed");
    writeFileSync(join(dir, "MarketoConfigControl/generated/t.d.ts"), "generated");
    expect(sourceFingerprint(dir)).toBe(base);
    writeFileSync(join(dir, "core/setup/a.ts"), "export const a = 1;\r\n");
    expect(sourceFingerprint(dir)).toBe(base);
    writeFileSync(join(dir, "core/setup/a.ts"), "export const a = 2;\n");
    expect(sourceFingerprint(dir)).not.toBe(base);
  });

  it("refuses a damaged record rather than guessing", () => {
    const dir = scratch();
    writeFileSync(join(dir, RELEASED_VERSION_FILE), "{ version: 1 }");
    expect(() => readReleasedVersion(dir)).toThrow(/released-version\.json is not valid JSON/);
    writeFileSync(join(dir, RELEASED_VERSION_FILE), JSON.stringify({ version: "1.0" }));
    expect(() => readReleasedVersion(dir)).toThrow(/"version" must be major\.minor\.patch, found "1\.0"/);
  });

  it("compares three-part versions numerically", () => {
    expect(compareVersions("1.0.10", "1.0.9")).toBe(1);
    expect(compareVersions("1.0.0", "1.0.0")).toBe(0);
    expect(compareVersions("0.9.9", "1.0.0")).toBe(-1);
  });

  it("the repository's record is readable and not above package.json's version", () => {
    const recorded = readReleasedVersion(repo);
    expect(compareVersions(recorded, packageVersion(repo))).toBeLessThanOrEqual(0);
  });
});

it("this repository packs as it stands: at the recorded version its sources are the recorded ones (README: a fresh clone rebuilds the release)", () => {
  const { version, sources } = readReleasedRecord(repo);
  // At a higher version a pack records the new one; at the recorded one, changed sources would be refused.
  if (compareVersions(packageVersion(repo), version) === 0) {
    expect({ version, sources: sourceFingerprint(repo) }).toEqual({ version, sources });
  } else expect(compareVersions(packageVersion(repo), version)).toBeGreaterThan(0);
});
