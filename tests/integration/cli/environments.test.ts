/**
 * One run over many environments (issue 15, "Many environments, CI sign-in"): three stand-in
 * organisations, one right, one failing a check, one unreachable (a closed port); a list of URLs
 * or a YAML/JSON file with each environment's own sign-in; bounded parallelism; one summary table,
 * one JSON report, one JUnit report; the exit code is the worst (2 > 1 > 3 > 0).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { FetchLike } from "../../../core/dataverse/client";
import { APP, ORG, SECRET } from "../../../devserver/fixtures/ids";
import { startDevServer, type DevServer } from "../../../devserver/server";
import { cli, connectionArgs } from "./helpers";
import { makeCertificate } from "./testCredentials";

jest.setTimeout(90_000);

let good: DevServer;
let failing: DevServer;
let closedUrl: string;
let dir: string;
const cert = makeCertificate();

/** A port that was just listened on and closed: connections to it are refused. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  good = await startDevServer({ auth: "token", allCorrect: true });
  failing = await startDevServer({ auth: "token" });
  closedUrl = `http://127.0.0.1:${await closedPort()}`;
  dir = mkdtempSync(join(tmpdir(), "md-envs-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([good.close(), failing.close()]);
});
beforeEach(() => {
  good.reset({ allCorrect: true });
  failing.reset();
  failing.auth.assertions.addCertificate(APP.marketoSync, cert.certificatePem);
});

const ENV = { MSS_SECRET_GOOD: SECRET.marketoSync, MSS_SECRET_DOWN: SECRET.marketoSync };

function yamlFile(name = "envs.yaml"): string {
  writeFileSync(join(dir, "cert.pem"), cert.pem);
  const text = [
    "# one tenant and app for all; each environment its own credential",
    `tenant: ${ORG.tenantId}`,
    `clientId: ${APP.marketoSync}`,
    "environments:",
    "  - name: good",
    `    url: ${good.url}`,
    `    authority: ${good.url}/${ORG.tenantId}`,
    "    secretEnv: MSS_SECRET_GOOD",
    "  - name: failing",
    `    url: ${failing.url}`,
    `    authority: ${failing.url}/${ORG.tenantId}`,
    `    certificate: ${join(dir, "cert.pem")}`,
    "  - name: down",
    `    url: ${closedUrl}`,
    `    authority: ${closedUrl}/${ORG.tenantId}`,
    "    secretEnv: MSS_SECRET_DOWN",
    "",
  ].join("\n");
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface EnvJson {
  name: string;
  url: string;
  exitCode: number;
  signIn: string;
  result: { checks?: Array<{ id: string; status: string }>; overall?: string } | null;
  error: { key: string; message: string } | null;
}

describe("verify over three organisations", () => {
  it("one JSON report per environment, and the worst exit code (1: a failed check beats one that could not run)", async () => {
    const r = await cli(["verify", "--json", "--environments", yamlFile()], { secret: null, env: ENV });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { schemaVersion: number; command: string; exitCode: number; environments: EnvJson[] };
    expect(j).toMatchObject({ schemaVersion: 1, command: "verify", exitCode: 1 });
    expect(j.environments.map((e) => [e.name, e.exitCode, e.signIn])).toEqual([
      ["good", 0, "secret"],
      ["failing", 1, "certificate"],
      ["down", 3, "secret"],
    ]);
    expect(j.environments[0].result?.overall).toBe("pass");
    expect(j.environments[1].result?.checks?.some((c) => c.status === "fail")).toBe(true);
    expect(j.environments[2]).toMatchObject({ result: null, error: { key: "Cli_ConnectionRefused" } });
    expect(r.stdout + r.stderr).not.toContain(SECRET.marketoSync);
  });

  it("a summary table in text, and a JUnit report: a suite per environment, a case per check", async () => {
    const junit = join(dir, "report.xml");
    const r = await cli(["verify", "--environments", yamlFile(), "--junit", junit], { secret: null, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Environment +URL +Result +Exit code$/m);
    expect(r.stdout).toMatch(new RegExp(`^good +${good.url.replace(/[.:/]/g, "\\$&")} +Passed +0$`, "m"));
    expect(r.stdout).toMatch(/^failing +\S+ +Failed \(\d+ lines? failed or could not run\) +1$/m);
    expect(r.stdout).toMatch(/^down +\S+ +Could not run +3$/m);
    expect(r.stdout).toContain("Environments: 3. Passed: 1, failed: 1, usage or sign-in error: 0, could not run: 1. Exit code 1 (the worst of them).");

    const xml = readFileSync(junit, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => name === "testsuite" || name === "testcase" }).parse(xml);
    const suites = doc.testsuites.testsuite as Array<{ name: string; tests: string; failures: string; errors: string; testcase: Array<Record<string, unknown>> }>;
    expect(suites.map((s) => s.name)).toEqual(["good", "failing", "down"]);
    expect(suites[0]).toMatchObject({ failures: "0", errors: "0" });
    expect(Number(suites[0].tests)).toBeGreaterThan(5);
    expect(Number(suites[1].failures)).toBeGreaterThan(0);
    expect(suites[1].testcase.filter((c) => c.failure).length).toBe(Number(suites[1].failures));
    // A line that waits for something (no Marketo User yet) was not judged: skipped.
    expect(suites[1].testcase.some((c) => c.skipped !== undefined)).toBe(true);
    expect(suites[2]).toMatchObject({ tests: "1", errors: "1" });
    expect(suites[2].testcase[0].error).toBeDefined();
    // Written atomically: no temporary file left beside it.
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a list of URLs: --url a --url b, or a,b (the command line's sign-in for each; 2 beats every other code)", async () => {
    // Each stand-in is its own tenant: the first one's token service knows no resource at the second
    // one's URL (AADSTS500011), so that environment is a sign-in error (2), which wins.
    const base = ["--tenant", ORG.tenantId, "--client-id", APP.marketoSync, "--authority", `${good.url}/${ORG.tenantId}`];
    const r = await cli(["verify", "--json", "--url", good.url, "--url", failing.url, ...base]);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout) as { environments: EnvJson[] };
    expect(j.environments.map((e) => [e.url, e.exitCode])).toEqual([
      [good.url, 0],
      [failing.url, 2],
    ]);
    expect(j.environments[1].error?.message).toContain("AADSTS500011");
    const comma = await cli(["verify", "--json", "--url", `${good.url},${failing.url}`, ...base]);
    expect(comma.code).toBe(2);
    expect((JSON.parse(comma.stdout) as { environments: EnvJson[] }).environments.map((e) => e.url)).toEqual([good.url, failing.url]);
  });

  it("every fix command too: enable-steps on two organisations", async () => {
    const envs = join(dir, "two.json");
    writeFileSync(
      envs,
      JSON.stringify({
        tenant: ORG.tenantId,
        clientId: APP.marketoSync,
        environments: [
          { name: "good", url: good.url, authority: `${good.url}/${ORG.tenantId}` },
          { name: "failing", url: failing.url, authority: `${failing.url}/${ORG.tenantId}` },
        ],
      }),
    );
    const r = await cli(["enable-steps", "--json", "--environments", envs]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { command: string; environments: EnvJson[] }).environments.map((e) => e.exitCode)).toEqual([0, 0]);
    expect((await cli(["verify", "--json", ...connectionArgs(failing)])).stdout).not.toMatch(/"disabledStepIds": \[\s*"/);
  });

  it("--parallel bounds how many organisations are worked on at once", async () => {
    let active = new Map<string, number>();
    let most = 0;
    const counting: FetchLike = async (url, init) => {
      const host = new URL(url).host;
      active.set(host, (active.get(host) ?? 0) + 1);
      most = Math.max(most, [...active.values()].filter((n) => n > 0).length);
      try {
        return await fetch(url, init);
      } finally {
        active.set(host, (active.get(host) ?? 1) - 1);
      }
    };
    const r = await cli(["verify", "--json", "--parallel", "1", "--environments", yamlFile()], { secret: null, env: ENV, fetch: counting });
    expect(r.code).toBe(1);
    expect(most).toBe(1);
    active = new Map();
    expect((await cli(["verify", "--parallel", "zero", "--environments", yamlFile()], { secret: null, env: ENV })).code).toBe(2);
  });

  it("refuses a secret in the file, an environment variable that is not set, and names used twice", async () => {
    const withSecret = join(dir, "secret.json");
    writeFileSync(withSecret, JSON.stringify({ environments: [{ url: good.url, clientSecret: "s3cr3t" }] }));
    const r = await cli(["verify", "--json", "--environments", withSecret]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr).error.key).toBe("Cli_Environments_SecretInFile");
    expect(r.urls).toEqual([]);

    const missing = await cli(["verify", "--json", "--environments", yamlFile()], { secret: null, env: { MSS_SECRET_GOOD: SECRET.marketoSync } });
    // "down" has no secret: 2, the worst.
    expect(missing.code).toBe(2);
    const down = (JSON.parse(missing.stdout) as { environments: EnvJson[] }).environments[2];
    expect(down).toMatchObject({ exitCode: 2, error: { key: "Cli_Environments_SecretEnvMissing" } });
    expect(down.error?.message).toContain("MSS_SECRET_DOWN");

    const twice = join(dir, "twice.json");
    writeFileSync(
      twice,
      JSON.stringify([
        { name: "a", url: good.url },
        { name: "a", url: failing.url },
      ]),
    );
    expect(JSON.parse((await cli(["verify", "--json", "--environments", twice])).stderr).error.key).toBe("Cli_Environments_DuplicateName");
    expect(existsSync(join(dir, "report.xml.tmp"))).toBe(false);
  });
});
