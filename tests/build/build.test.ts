/**
 * Runs the real `npm run build` in a scratch copy of the project: once as shipped (the output
 * must be complete and free of React/Fluent code), then with deliberate breakages that
 * pcf-scripts alone would let through with exit code 0.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

jest.setTimeout(180_000);

const repo = join(__dirname, "..", "..");
const SKIP = new Set(["node_modules", "out", "dist", ".git", "coverage", "docs", "bench"]);

function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "mss-build-"));
  cpSync(repo, dir, { recursive: true, filter: (src) => !SKIP.has(relative(repo, src).split(/[\\/]/)[0]) });
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

function build(dir: string) {
  const r = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: dir, encoding: "utf8", env: { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: "1" } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const fresh = () => {
  const d = scratchCopy();
  dirs.push(d);
  return d;
};

describe("npm run build", () => {
  it("writes a production bundle with the manifest, both resx files and no React or Fluent code", () => {
    const dir = fresh();
    const { status, output } = build(dir);
    expect(output).toContain("Build OK");
    expect(status).toBe(0);
    // The size budget (scripts/bundle-report.mjs) was checked and met.
    expect(output).toMatch(/bundle\.js: \d+ B minified, \d+ B gzip \(within budget\)/);
    const out = join(dir, "out", "controls", "MarketoConfigControl");
    const manifest = readFileSync(join(out, "ControlManifest.xml"), "utf8");
    expect(manifest).toContain('<platform-library name="React" version="16.14.0"/>');
    expect(manifest).toContain('<platform-library name="Fluent" version="8.121.1"/>');
    expect(manifest).toContain('<code path="bundle.js" order="1"/>');
    expect(existsSync(join(out, "strings", "MarketoConfigControl.1033.resx"))).toBe(true);
    expect(existsSync(join(out, "strings", "MarketoConfigControl.1036.resx"))).toBe(true);
    const bundle = readFileSync(join(out, "bundle.js"), "utf8");
    expect(bundle).not.toMatch(/__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED/);
    expect(bundle).not.toMatch(/ms-Button-flexContainer/);
    // Production mode: minified, no webpack eval devtool.
    expect(bundle).not.toContain("eval(");
    expect(bundle.split("\n").length).toBeLessThan(20);
  });

  it("fails on a TypeScript error", () => {
    const dir = fresh();
    writeFileSync(join(dir, "MarketoConfigControl", "broken.ts"), "export const n: number = 'not a number';\n");
    const { status, output } = build(dir);
    expect(status).not.toBe(0);
    expect(output).toMatch(/TS2322/);
  });

  it("fails on a manifest error, which pcf-scripts reports with exit code 0", () => {
    const dir = fresh();
    const manifest = join(dir, "MarketoConfigControl", "ControlManifest.Input.xml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace('of-type="Lookup.Simple"', 'of-type="Lookup.Bogus"'));
    const { status, output } = build(dir);
    expect(output).toMatch(/Manifest validation problem/);
    expect(status).not.toBe(0);
  });

  it("fails on a lint error in the control", () => {
    const dir = fresh();
    appendFileSync(join(dir, "MarketoConfigControl", "manifest.ts"), "\n// eslint catches what tsc accepts\nexport const loose: any = 1;\n");
    const { status, output } = build(dir);
    expect(output).toMatch(/no-explicit-any/);
    expect(status).not.toBe(0);
  });
});
