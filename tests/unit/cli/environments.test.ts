/** Which environment's exit code a multi-environment run ends with, and what an environments file may hold. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parallelism, readEnvironmentsFile, urlList, worstExitCode } from "../../../cli/environments";
import type { CliError } from "../../../cli/errors";
import { translator } from "../../../cli/strings";

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
    ["environments: [{url: a, tennant: x}]", "Cli_Environments_UnknownField"],
    ["environments: [{url: a, tenant: ''}]", "Cli_Environments_EmptyField"],
    ["environments: [[a]]", "Cli_Environments_BadEntry"],
    ["environments: []", "Cli_Environments_NoList"],
    ["environments: [{name: a}]", "Cli_Environments_NoUrl"],
    ["environments: [ {", "Cli_Environments_Invalid"],
  ])("refuses %j", async (text, key) => {
    await expect(readEnvironmentsFile(write("bad.yaml", text))).rejects.toMatchObject({ key, exitCode: 2 });
  });

  // The sentence is the admin's language through and through: no English fragment inside the French one.
  it.each(["1033", "1036"] as const)("says what is wrong in %s, every placeholder filled, the parser's words only in the details", async (lang) => {
    const t = translator(lang);
    const en = translator("1033");
    for (const text of ["environments: [{url: a}, {url: b, tennant: x}]", "environments: [{name: a}]", "environments: []", "environments: [ {"]) {
      const error = (await readEnvironmentsFile(write("bad.yaml", text)).catch((e: unknown) => e)) as CliError;
      const message = t(error.key, error.params);
      expect(message).not.toMatch(/[{}]/);
      // The old fragments (`environments[1]: unknown key "tennant"`) and the YAML parser's English.
      expect(message).not.toMatch(/environments\[|unknown key|not a text|flow collection|expected/i);
      if (lang === "1036") expect(message).not.toMatch(/\b(has no|is not|the file|environment \d)\b/i);
      if (lang === "1036") expect(message).not.toBe(en(error.key, error.params));
      if (error.key === "Cli_Environments_UnknownField") expect(message).toMatch(/\b2\b.*tennant/);
      if (error.key === "Cli_Environments_Invalid") expect(error.details).toBeTruthy();
    }
  });

  it("--url lists and --parallel", () => {
    expect(urlList("a, b,,c")).toEqual(["a", "b", "c"]);
    expect(parallelism(undefined)).toBe(4);
    expect(() => parallelism("0")).toThrow();
    expect(() => parallelism("2.5")).toThrow();
  });
});
