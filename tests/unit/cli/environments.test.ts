/** Which environment's exit code a multi-environment run ends with, and what an environments file may hold. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parallelism, readEnvironmentsFile, urlList, worstExitCode } from "../../../cli/environments";

describe("worstExitCode: 2 > 1 > 3 > 0", () => {
  it.each([
    [[0, 0], 0],
    [[0, 3], 3],
    [[3, 1, 0], 1],
    [[1, 3, 2, 0], 2],
    [[], 0],
  ])("%j → %i", (codes, worst) => expect(worstExitCode(codes)).toBe(worst));
});

describe("environments file", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "md-envfile-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it("reads YAML with defaults for every entry, names from the host when not given", async () => {
    const envs = await readEnvironmentsFile(write("e.yml", "tenant: t1\nenvironments:\n  - url: https://a.crm.dynamics.com\n  - name: b\n    url: b.crm4.dynamics.com\n    tenant: t2\n"));
    expect(envs).toEqual([
      { name: "a.crm.dynamics.com", url: "https://a.crm.dynamics.com", tenant: "t1" },
      { name: "b", url: "b.crm4.dynamics.com", tenant: "t2" },
    ]);
  });

  it.each([
    ["password: x\nenvironments: [{url: a}]", "Cli_Environments_SecretInFile"],
    ["environments: [{url: a, token: x}]", "Cli_Environments_SecretInFile"],
    ["environments: [{url: a, tennant: x}]", "Cli_Environments_Invalid"],
    ["environments: []", "Cli_Environments_Invalid"],
    ["environments: [{name: a}]", "Cli_Environments_Invalid"],
    ["environments: [ {", "Cli_Environments_Invalid"],
  ])("refuses %j", async (text, key) => {
    await expect(readEnvironmentsFile(write("bad.yaml", text))).rejects.toMatchObject({ key, exitCode: 2 });
  });

  it("--url lists and --parallel", () => {
    expect(urlList("a, b,,c")).toEqual(["a", "b", "c"]);
    expect(parallelism(undefined)).toBe(4);
    expect(() => parallelism("0")).toThrow();
    expect(() => parallelism("2.5")).toThrow();
  });
});
