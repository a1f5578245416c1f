/**
 * Runs the real `npm run pack` in a scratch copy of the project: production build, both zips,
 * verification; then checks the zips against the build output byte for byte.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { unzipSync } from "fflate";
import { readZip } from "../../pack/zipReader";
import { verifySolutionZip } from "../../pack/verify";

jest.setTimeout(240_000);

const repo = join(__dirname, "..", "..");
const SKIP = new Set(["node_modules", "out", "dist", ".git", "coverage", "docs", "bench"]);
const CONTROL = "mss_MarketoSync.MarketoConfigControl";
const MANAGED = "MarketoConfigControl_1_0_0_0_managed.zip";
const UNMANAGED = "MarketoConfigControl_1_0_0_0_unmanaged.zip";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "mss-pack-"));
  cpSync(repo, dir, { recursive: true, filter: (src) => !SKIP.has(relative(repo, src).split(/[\\/]/)[0]) });
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"), "dir");
  dirs.push(dir);
  return dir;
}

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

  it("builds, writes both zips and verifies them", () => {
    expect(first.output).toContain("Build OK");
    expect(first.output).toContain(`dist/${MANAGED}: OK — MarketoConfigControl 1.0.0.0 managed, controls: ${CONTROL}`);
    expect(first.output).toContain(`dist/${UNMANAGED}: OK — MarketoConfigControl 1.0.0.0 unmanaged, controls: ${CONTROL}`);
    expect(first.status).toBe(0);
    expect(readdirSync(join(dir, "dist")).sort()).toEqual([MANAGED, UNMANAGED]);
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

  it("gives the same bytes when packed again", () => {
    const before = [MANAGED, UNMANAGED].map((f) => readFileSync(join(dir, "dist", f)));
    const again = npmPack(dir, "--skip-build");
    expect(again.status).toBe(0);
    [MANAGED, UNMANAGED].forEach((f, i) => expect(Buffer.compare(readFileSync(join(dir, "dist", f)), before[i])).toBe(0));
  });

  it("--verify passes good zips and lists the problems of a bad one, exit 1", () => {
    expect(npmPack(dir, "--verify", `dist/${MANAGED}`, `dist/${UNMANAGED}`).status).toBe(0);
    const bad = join(dir, "bad_managed.zip");
    writeFileSync(bad, readFileSync(join(dir, "dist", UNMANAGED)));
    const r = npmPack(dir, "--verify", bad);
    expect(r.status).toBe(1);
    expect(r.output).toContain("bad_managed.zip: the file name says managed but solution.xml has <Managed>0</Managed>");
  });

  it("follows package.json's version in the file names, solution.xml and the control manifest", () => {
    const pkg = join(dir, "package.json");
    writeFileSync(pkg, readFileSync(pkg, "utf8").replace('"version": "1.0.0"', '"version": "1.4.2"'));
    const r = npmPack(dir, "--skip-build");
    expect(r.status).toBe(0);
    const files = unzipSync(readFileSync(join(dir, "dist", "MarketoConfigControl_1_4_2_0_managed.zip")));
    expect(Buffer.from(files["solution.xml"]).toString()).toContain("<Version>1.4.2.0</Version>");
    expect(Buffer.from(files[`Controls/${CONTROL}/ControlManifest.xml`]).toString()).toMatch(/<control [^>]*version="1\.4\.2"/);
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
