/**
 * How the CLI is run and installed (issue 15, "Install and invocation"). `marketo-dynamics` is not our
 * name on the npm registry: a bare `npx marketo-dynamics` outside the repository would run a
 * stranger's package with the secret in its environment. The README gives safe ways only, and the
 * `npm pack` tarball holds everything the CLI needs to run with plain node.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

jest.setTimeout(60_000);

const ROOT = join(__dirname, "..", "..", "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; scripts: Record<string, string>; bin: Record<string, string> };

/** Lines running `npx marketo-dynamics` in a way that can reach the registry (not `npx --no-install …`), but for the warning against it. */
function unsafeNpx(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => /\bnpx\s+(?!--no-install\b)(-[-\w=]+\s+)*marketo-dynamics\b/.test(line))
    .filter((line) => !line.includes("a bare `npx marketo-dynamics` outside this repository"));
}

describe("running the CLI", () => {
  it("the README never says to run a bare `npx marketo-dynamics`", () => {
    expect(unsafeNpx(readme)).toEqual([]);
    expect(unsafeNpx("$ npx marketo-dynamics verify")).toHaveLength(1);
    expect(unsafeNpx("$ npx --yes marketo-dynamics verify")).toHaveLength(1);
    expect(unsafeNpx("$ npx --no-install marketo-dynamics verify")).toEqual([]);
  });

  it("the README gives the safe ways: npm run cli, npx --no-install, npm link, an npm pack tarball", () => {
    for (const way of ["npm run cli -- ", "npx --no-install marketo-dynamics", "npm link", "npm pack", "npm install -g ./marketo-dynamics-setup-"]) expect(readme).toContain(way);
  });

  it("has the cli script, running the bin with plain node", () => {
    expect(pkg.scripts.cli).toBe(`node ${pkg.bin["marketo-dynamics"]}`);
  });

  it("the npm pack tarball holds what the CLI needs, and it runs with plain node", () => {
    const listing = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" })) as Array<{ files: Array<{ path: string }> }>;
    const files = listing[0].files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["bin/marketo-dynamics.js", "cli/main.ts", "MarketoConfigControl/strings/MarketoConfigControl.1036.resx"]));
    // Tests, the stand-in and the control's code are not shipped.
    expect(files.filter((f) => /^(tests|devserver|MarketoConfigControl\/components)\//.test(f))).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), "mss-pack-"));
    try {
      for (const file of files) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        cpSync(join(ROOT, file), join(dir, file));
      }
      // The dependencies an install would fetch: this clone's, so no network is needed.
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
      const node = (args: string[]) => spawnSync(process.execPath, [join(dir, "bin", "marketo-dynamics.js"), ...args], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
      expect(node(["--version"])).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
      // A command that reads the texts (resx) and the whole CLI: a usage error, in French too.
      const fr = node(["verify", "--lang", "1036"]);
      expect(fr.status).toBe(2);
      expect(fr.stderr).toContain("--url");
      expect(fr.stderr).toMatch(/^Erreur/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
