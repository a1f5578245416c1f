/**
 * scripts/build.mjs reuses a build only when its inputs and its output are unchanged. Runs the real
 * script in a scratch copy of the project whose pcf-scripts and tsc are stand-ins that log their
 * calls and write a minimal control: the decision is tested, not pcf-scripts.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const FAKE_PCF = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
fs.appendFileSync("tool-calls.log", "pcf-scripts " + process.argv.slice(2).join(" ") + "\\n");
if (process.argv[2] === "build") {
  const out = path.join("out", "controls", "MarketoConfigControl");
  fs.mkdirSync(path.join(out, "strings"), { recursive: true });
  fs.writeFileSync(path.join(out, "ControlManifest.xml"), '<platform-library name="React"/><platform-library name="Fluent"/>');
  fs.writeFileSync(path.join(out, "bundle.js"), "var control = " + JSON.stringify(fs.readFileSync("core/a.ts", "utf8")) + ";");
  for (const l of ["1033", "1036"]) fs.writeFileSync(path.join(out, "strings", "MarketoConfigControl." + l + ".resx"), "<root/>");
}
`;
/** The size budget's module, stubbed: within budget. */
const FAKE_BUDGET = `export const budgetFailure = async () => undefined;
export const bundleSizes = (code) => ({ minified: code.length, gzip: code.length });
`;
const FAKE_TSC = `#!/usr/bin/env node
require("fs").appendFileSync("tool-calls.log", "tsc\\n");
`;

describe("scripts/build.mjs build cache", () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const builds = () => (existsSync(join(root, "tool-calls.log")) ? (readFileSync(join(root, "tool-calls.log"), "utf8").match(/^pcf-scripts build/gm)?.length ?? 0) : 0);
  const build = (...args: string[]) => {
    const r = spawnSync(process.execPath, ["scripts/build.mjs", ...args], { cwd: root, encoding: "utf8" });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    return r.stdout;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "mss-build-cache-"));
    mkdirSync(join(root, "scripts"));
    copyFileSync(join(__dirname, "..", "..", "scripts", "build.mjs"), join(root, "scripts", "build.mjs"));
    write("scripts/bundle-report.mjs", FAKE_BUDGET);
    write("MarketoConfigControl/ControlManifest.Input.xml", "<manifest/>");
    write("MarketoConfigControl/index.ts", "export {};");
    write("core/a.ts", "export const a = 1;\n");
    write("Solution/src/Other/Solution.xml", "<solution/>");
    write("package.json", "{}");
    write("package-lock.json", '{"lockfileVersion":3}');
    write("node_modules/.bin/pcf-scripts", FAKE_PCF);
    write("node_modules/.bin/tsc", FAKE_TSC);
    chmodSync(join(root, "node_modules/.bin/pcf-scripts"), 0o755);
    chmodSync(join(root, "node_modules/.bin/tsc"), 0o755);
    build();
    expect(builds()).toBe(1);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("reuses the build when nothing changed", () => {
    expect(build()).toMatch(/Build up to date/);
    expect(builds()).toBe(1);
  });

  it.each([
    ["a core source", "core/a.ts", "export const a = 2;"],
    ["the manifest", "MarketoConfigControl/ControlManifest.Input.xml", "<manifest version='2'/>"],
    ["package-lock.json", "package-lock.json", '{"lockfileVersion":3,"packages":{}}'],
    ["the solution source", "Solution/src/Other/Solution.xml", "<solution v='2'/>"],
  ])("rebuilds when %s changed", (_label, path, text) => {
    write(path, text);
    build();
    expect(builds()).toBe(2);
  });

  it("rebuilds when out/ was changed since (a dev build, a hand edit)", () => {
    write("out/controls/MarketoConfigControl/bundle.js", "var edited;");
    build();
    expect(builds()).toBe(2);
    expect(readFileSync(join(root, "out/controls/MarketoConfigControl/bundle.js"), "utf8")).toContain("export const a = 1;");
  });

  it("rebuilds with --force, and after a line-ending-only change does not", () => {
    build("--force");
    expect(builds()).toBe(2);
    write("core/a.ts", "export const a = 1;\r\n");
    build();
    expect(builds()).toBe(2);
  });
});
