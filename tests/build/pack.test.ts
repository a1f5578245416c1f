/**
 * Runs the real `npm run pack` in a scratch copy of the project: production build, both zips,
 * verification; then checks the zips against the build output byte for byte, and the version guard
 * (Solution/released-version.json) in the copy: the repository's own record is never written.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { unzipSync } from "fflate";
import { readZip } from "../../formats/zipReader";
import { verifySolutionZip } from "../../formats/verify";

jest.setTimeout(240_000);

const repo = join(__dirname, "..", "..");
const SKIP = new Set(["node_modules", "out", "dist", ".git", "coverage", "docs", "bench"]);
const CONTROL = "mss_MarketoSync.MarketoConfigControl";
const MANAGED = "MarketoConfigControl_1_0_0_0_managed.zip";
const UNMANAGED = "MarketoConfigControl_1_0_0_0_unmanaged.zip";

const RECORD = "Solution/released-version.json";
const repoRecord = readFileSync(join(repo, RECORD), "utf8");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the project whose last release was 0.9.0, so that package.json's 1.0.0 may be packed. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "mss-pack-"));
  cpSync(repo, dir, { recursive: true, filter: (src) => !SKIP.has(relative(repo, src).split(/[\\/]/)[0]) });
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(join(dir, RECORD), JSON.stringify({ version: "0.9.0" }));
  dirs.push(dir);
  return dir;
}

const recorded = (dir: string) => (JSON.parse(readFileSync(join(dir, RECORD), "utf8")) as { version: string }).version;
const setVersion = (dir: string, version: string) => {
  const pkg = join(dir, "package.json");
  writeFileSync(pkg, readFileSync(pkg, "utf8").replace(/"version": "[^"]*"/, `"version": "${version}"`));
};

function npmPack(dir: string, ...args: string[]) {
  const r = spawnSync("npm", ["run", "--silent", "pack", "--", ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: "1" } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name)).split("\\").join("/")]));
}

describe("npm run pack", () => {
  let dir: string;
  let first: { status: number | null; output: string };
  beforeAll(() => {
    dir = scratchCopy();
    first = npmPack(dir);
  });

  it("builds, writes both zips and verifies them, then records the version packed", () => {
    expect(first.output).toContain("Build OK");
    expect(first.output).toContain(`dist/${MANAGED}: OK — MarketoConfigControl 1.0.0.0 managed, controls: ${CONTROL}`);
    expect(first.output).toContain(`dist/${UNMANAGED}: OK — MarketoConfigControl 1.0.0.0 unmanaged, controls: ${CONTROL}`);
    expect(first.status).toBe(0);
    expect(readdirSync(join(dir, "dist")).sort()).toEqual([MANAGED, UNMANAGED]);
    expect(recorded(dir)).toBe("1.0.0");
    expect(first.output).toContain(`Recorded 1.0.0 as the last version packed in ${RECORD}: commit it with the release.`);
  });

  it("packs the production build as-is: every output file, bundle.js byte-identical", () => {
    const out = join(dir, "out", "controls", "MarketoConfigControl");
    const built = listFiles(out).sort();
    for (const zipName of [MANAGED, UNMANAGED]) {
      const bytes = readFileSync(join(dir, "dist", zipName));
      const names = readZip(bytes).entries.map((e) => e.name);
      const controlFiles = ["ControlManifest.xml", ...built.filter((f) => f !== "ControlManifest.xml")];
      expect(names).toEqual(["customizations.xml", "solution.xml", ...controlFiles.map((f) => `Controls/${CONTROL}/${f}`), "[Content_Types].xml"]);
      const files = unzipSync(bytes);
      for (const f of built) expect(Buffer.compare(Buffer.from(files[`Controls/${CONTROL}/${f}`]), readFileSync(join(out, f)))).toBe(0);
      expect(verifySolutionZip(bytes, { fileName: zipName })).toMatchObject({ ok: true, solution: { managed: zipName === MANAGED } });
    }
  });

  it("packs the recorded version again from unchanged sources (a rebuild of that release), and the same bytes", () => {
    const before = [MANAGED, UNMANAGED].map((f) => readFileSync(join(dir, "dist", f)));
    rmSync(join(dir, "dist"), { recursive: true });
    const again = npmPack(dir, "--skip-build");
    expect(again.status).toBe(0);
    expect(again.output).not.toContain("Recorded");
    [MANAGED, UNMANAGED].forEach((f, i) => expect(Buffer.compare(readFileSync(join(dir, "dist", f)), before[i])).toBe(0));
  });

  it("refuses the recorded version once the control's sources changed, naming both versions and the bump command", () => {
    const before = [MANAGED, UNMANAGED].map((f) => readFileSync(join(dir, "dist", f)));
    rmSync(join(dir, "dist"), { recursive: true });
    const source = join(dir, "core", "setup", "evaluate.ts");
    const original = readFileSync(source, "utf8");
    writeFileSync(source, `${original}\n// a change after 1.0.0 was packed\n`);
    try {
      const again = npmPack(dir, "--skip-build");
      expect(again.status).toBe(1);
      expect(again.output).toContain(`Pack refused: package.json's version 1.0.0 is the version already packed (${RECORD}: 1.0.0), and the control's sources changed since.`);
      expect(again.output).toContain("Bump the version, then pack again: npm version patch --no-git-tag-version");
      expect(() => readdirSync(join(dir, "dist"))).toThrow();
      // On purpose, it packs (here the same build output, so the same bytes) and records nothing new.
      const same = npmPack(dir, "--skip-build", "--same-version");
      expect(same.status).toBe(0);
      expect(same.output).not.toContain("Recorded");
      [MANAGED, UNMANAGED].forEach((f, i) => expect(Buffer.compare(readFileSync(join(dir, "dist", f)), before[i])).toBe(0));
      expect(recorded(dir)).toBe("1.0.0");
    } finally {
      writeFileSync(source, original);
    }
  });

  it("--verify passes good zips, lists notes without failing, and errors then notes of a bad one, exit 1", () => {
    expect(npmPack(dir, "--verify", `dist/${MANAGED}`, `dist/${UNMANAGED}`).status).toBe(0);
    // Dataverse ignores file names: a name that disagrees with <Managed> is only a note.
    const misnamed = join(dir, "misnamed_managed.zip");
    writeFileSync(misnamed, readFileSync(join(dir, "dist", UNMANAGED)));
    const noted = npmPack(dir, "--verify", misnamed);
    expect(noted.status).toBe(0);
    expect(noted.output).toContain("misnamed_managed.zip: OK — MarketoConfigControl 1.0.0.0 unmanaged");
    expect(noted.output).toContain("  note: the file name misnamed_managed.zip says managed, but solution.xml says unmanaged");
    const bad = join(dir, "bad_managed.zip");
    const bytes = readFileSync(join(dir, "dist", UNMANAGED));
    writeFileSync(bad, bytes.subarray(0, bytes.length - 30));
    const r = npmPack(dir, "--verify", bad);
    expect(r.status).toBe(1);
    expect(r.output).toContain("bad_managed.zip: REFUSED — 1 error(s)");
    expect(r.output).toContain("  error: the file is not a readable zip");
  });

  it("follows package.json's version in the file names, solution.xml and the control manifest", () => {
    setVersion(dir, "1.4.2");
    const r = npmPack(dir, "--skip-build");
    expect(r.status).toBe(0);
    const files = unzipSync(readFileSync(join(dir, "dist", "MarketoConfigControl_1_4_2_0_managed.zip")));
    expect(Buffer.from(files["solution.xml"]).toString()).toContain("<Version>1.4.2.0</Version>");
    // The control version rises with the release, so Dataverse replaces the control's code.
    expect(Buffer.from(files[`Controls/${CONTROL}/ControlManifest.xml`]).toString()).toMatch(/<control [^>]*version="1\.4\.2"/);
    expect(recorded(dir)).toBe("1.4.2");
  });

  it("refuses a version lower than the last packed, even with --same-version", () => {
    setVersion(dir, "1.3.0");
    for (const extra of [[], ["--same-version"]]) {
      const r = npmPack(dir, "--skip-build", ...extra);
      expect(r.status).toBe(1);
      expect(r.output).toContain(`Pack refused: package.json's version 1.3.0 is lower than the version already packed (${RECORD}: 1.4.2).`);
      expect(r.output).toContain("npm version 1.4.3 --no-git-tag-version");
    }
    expect(readdirSync(join(dir, "dist")).some((f) => f.includes("1_3_0"))).toBe(false);
    expect(recorded(dir)).toBe("1.4.2");
  });

  it("never writes the repository's own record", () => {
    expect(readFileSync(join(repo, RECORD), "utf8")).toBe(repoRecord);
  });

  it("fails, and writes no zip, when the build fails", () => {
    const broken = scratchCopy();
    writeFileSync(join(broken, "MarketoConfigControl", "broken.ts"), "export const n: number = 'not a number';\n");
    const r = npmPack(broken);
    expect(r.output).toContain("Pack failed: the production build failed");
    expect(r.status).not.toBe(0);
    expect(() => readdirSync(join(broken, "dist"))).toThrow();
  });
});
