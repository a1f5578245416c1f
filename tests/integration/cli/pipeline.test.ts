/**
 * The CLI in a pipeline (issue 15, "Exit codes and output a pipeline can trust"): exit codes that tell
 * "the setup is wrong" from "could not check", JSON a tool can read, --version, --verbose, --timeout
 * over the whole command, heartbeats during long waits, and unreachable hosts named.
 * Waits are driven by a manual clock and the stand-in's holds, never by the wall clock.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP, ORG, SECRET, STEP, TEAM, USER } from "../../../devserver/fixtures/ids";
import { startDevServer, type DevServer } from "../../../devserver/server";
import { cli, connectionArgs, REPO } from "./helpers";
import { ManualClock } from "./manualClock";
import { buildZips } from "./zips";

jest.setTimeout(60_000);

let server: DevServer;
let args: string[];

beforeAll(async () => {
  server = await startDevServer({ auth: "token", publishDurationMs: 150, importDurationMs: 400 });
  args = connectionArgs(server);
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
const internalError = { status: 500, body: { error: { code: "0x80040216", message: "An unexpected error occurred." } } };

describe("exit codes: 0 passed, 1 failed, 2 usage or sign-in, 3 could not check", () => {
  it("0 on an org that is right, 1 on the demo org", async () => {
    const ok = await startDevServer({ auth: "token", allCorrect: true, publishDurationMs: 0 });
    try {
      expect((await cli(["verify", ...connectionArgs(ok)])).code).toBe(0);
      // A failed part of the load's batch: the line is "error" with the error, and the run exits 3.
      ok.faults.add({ match: { method: "GET", path: "sdkmessageprocessingsteps" }, times: 10, respond: internalError });
      const r = await cli(["verify", "--json", ...connectionArgs(ok)]);
      expect(r.code).toBe(3);
      const line = JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === "solution.steps");
      expect(line).toMatchObject({ status: "error", error: { kind: "server", status: 500, code: "0x80040216", message: "An unexpected error occurred." } });
      expect(line.fix).toBeUndefined();
      expect(JSON.parse(r.stdout).exitCode).toBe(3);
      ok.faults.add({ match: { method: "GET", path: "sdkmessageprocessingsteps" }, times: 10, respond: internalError });
      const text = await cli(["verify", ...connectionArgs(ok)]);
      expect(text.code).toBe(3);
      expect(text.stdout).toMatch(/^Error +Plugin steps: This could not be checked\.\n +Dynamics 365 could not answer the request/m);
      expect(text.stdout).toContain("1 check could not run: the setup is not known to be right (exit code 3).");
    } finally {
      await ok.close();
    }
    expect((await cli(["verify", ...args])).code).toBe(1);
  });

  it("a failed check wins over one that could not run (1), and a read denied is 3, not a warning", async () => {
    server.faults.add({ match: { method: "GET", path: "sdkmessageprocessingsteps" }, times: 10, respond: "privilegeDenied" });
    const r = await cli(["verify", "--json", ...args]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === "solution.steps")).toMatchObject({ status: "error", error: { kind: "privilege", status: 403 } });
  });

  it("2 for usage and sign-in", async () => {
    expect((await cli(["verify", "--tenant", ORG.tenantId, "--client-id", APP.marketoSync])).code).toBe(2);
    expect((await cli(["verify", ...args], { secret: "not-the-secret" })).code).toBe(2);
    expect((await cli(["verify", "--output", "xml", ...args])).code).toBe(2);
  });
});

describe("JSON a tool can read", () => {
  it("has the schema version, the tool's version, a timestamp and ids per check", async () => {
    const r = await cli(["verify", "--json", ...args]);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ schemaVersion: 1, tool: { name: "marketo-dynamics", version: VERSION }, overall: "fail", exitCode: 1 });
    expect(Number.isNaN(Date.parse(j.generatedAt))).toBe(false);
    expect(Number.isNaN(Date.parse(j.checkedAt))).toBe(false);
    const check = (id: string) => j.checks.find((c: { id: string }) => c.id === id);
    expect(check("role.exclusive").data.otherHolderIds.sort()).toEqual([USER.john, USER.maria, USER.teamOnlyApp].sort());
    expect(check("role.exclusive").data.otherTeamIds).toEqual([TEAM.marketoAdmins]);
    expect(check("role.disabledHolders").data.disabledHolderIds).toEqual([USER.formerEmployee]);
    expect(check("solution.steps").data).toMatchObject({ disabledStepIds: [STEP.disabled] });
    expect(check("solution.steps").data.stepIds).toHaveLength(6);
    expect(check("solution.steps")).toMatchObject({ status: "fail", fix: "marketo-dynamics enable-steps", fixId: "enableSteps" });
    expect(check("solution.installed").data.version).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // --output json is --json.
    expect(JSON.parse((await cli(["verify", "--output", "json", ...args])).stdout).checks).toHaveLength(j.checks.length);
  });

  it("writes errors in JSON mode as JSON on stderr, nothing on stdout", async () => {
    const r = await cli(["verify", "--json", "--config-entity", "nope_table", ...args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(JSON.parse(r.stderr)).toMatchObject({ schemaVersion: 1, tool: { version: VERSION }, exitCode: 1, error: { key: "Cli_ConfigEntityUnknown" } });
  });

  it("--output text is the plain report, --output table the aligned checklist", async () => {
    const text = await cli(["verify", "--output", "text", ...args]);
    expect(text.stdout).toContain("[Failed] Plugin steps: 1 of 6 plugin steps is disabled.");
    const table = await cli(["verify", "--output", "table", ...args]);
    expect(table.stdout).toMatch(/^Failed +Plugin steps: 1 of 6 plugin steps is disabled\./m);
  });
});

describe("--version and --verbose", () => {
  it("--version prints package.json's version", async () => {
    const r = await cli(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it("--verbose traces each request (method, URL, status, ms) and never a token or the secret", async () => {
    const r = await cli(["verify", "--verbose", ...args]);
    expect(r.stderr).toMatch(new RegExp(`^POST ${server.url}/${ORG.tenantId}/oauth2/v2.0/token(\\?\\S*)? 200 \\d+ ms$`, "m"));
    expect(r.stderr).toMatch(new RegExp(`^POST ${server.url}/api/data/v9.2/\\$batch 200 \\d+ ms$`, "m"));
    const traced = r.stderr.split("\n").filter((l) => / \d+ ms$/.test(l));
    expect(traced.length).toBe(r.urls.length);
    for (const secret of [SECRET.marketoSync, "[secret hidden]", "Bearer", "Authorization", "client_secret", "eyJ"]) expect(r.stderr).not.toContain(secret);
    expect((await cli(["verify", ...args])).stderr).toBe("");
  });
});

describe("--timeout, heartbeats, unreachable hosts", () => {
  it("rejects a --timeout that is not a number (exit 2)", async () => {
    for (const value of ["abc", "0", "-5", "10s"]) {
      const r = await cli(["verify", "--timeout", value, ...args]);
      expect({ value, code: r.code }).toEqual({ value, code: 2 });
      expect(r.stderr).toContain(`--timeout ${value} is not a number of seconds`);
    }
  });

  it("bounds the whole command, retries included, and says the wait every 10 s", async () => {
    const clock = new ManualClock();
    // Each answer comes at once; only the pauses Retry-After asks for add up past the timeout.
    server.faults.add({
      match: { path: "EntityDefinitions" },
      times: 50,
      respond: { status: 429, headers: { "Retry-After": "30" }, body: { error: { code: "0x80072322", message: "Number of requests exceeded the limit." } } },
    });
    let attempts = 0;
    clock.onAfter = (ms) => {
      // A retry pause was set: move time on through it, 5 s at a time, after the current turn.
      if (ms === 30_000) setImmediate(() => [1, 2, 3, 4, 5, 6].forEach(() => clock.advance(5_000)));
    };
    const r = await cli(["verify", "--timeout", "45", ...args], { clock, onFetch: (url) => void (url.includes("EntityDefinitions") && attempts++) });
    expect(r.code).toBe(3);
    expect(attempts).toBe(2); // two attempts of a few ms each: the 45 s are the command's, not one attempt's
    expect(r.stderr).toContain("Dynamics 365 asked to wait (HTTP 429): retrying in 30 s.");
    expect(r.stderr).toContain("Still waiting before retrying (HTTP 429): 20 s left.");
    expect(r.stderr).toContain("Still waiting before retrying (HTTP 429): 10 s left.");
    expect(r.stderr).toContain("The command did not finish within --timeout 45 s and was stopped.");
  });

  it("publish says it is still running at least every 10 s, also when not on a terminal", async () => {
    const clock = new ManualClock();
    const held = server.faults.hold({ match: { method: "GET", path: "asyncoperations(" } });
    const running = cli(["publish", ...args], { clock });
    await held.arrived();
    clock.advance(10_000);
    clock.advance(10_000);
    held.release();
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\(10 s\)\n/);
    expect(r.stderr).toMatch(/\(20 s\)\n/);
  });

  /** The stand-in's token endpoint issues tokens for its own origin only: the scope asked for the unreachable org is changed to it. */
  const tokenFor = (org: string) => (url: string, init: RequestInit) =>
    fetch(url, url.includes("/oauth2/") && typeof init.body === "string" ? { ...init, body: init.body.replace(encodeURIComponent(org), encodeURIComponent(server.url)) } : init);

  it("deploy says the import is still running at least every 10 s, also when not on a terminal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mss-pipeline-"));
    try {
      const zip = buildZips(dir).v1Managed;
      const clock = new ManualClock();
      const held = server.faults.hold({ match: { method: "GET", path: "importjobs(" } });
      const running = cli(["deploy", "--no-publish", zip, ...args], { clock });
      await held.arrived();
      clock.advance(10_000);
      clock.advance(10_000);
      held.release();
      const r = await running;
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/Importing MarketoConfigControl \(10 s\)\n/);
      expect(r.stderr).toMatch(/Importing MarketoConfigControl \(20 s\)\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says the org's host name did not resolve, at once (no retries)", async () => {
    // .invalid never resolves (RFC 2606, RFC 6761): no network is needed to get ENOTFOUND.
    const org = "https://contoso.invalid";
    const r = await cli(["verify", "--url", org, "--tenant", ORG.tenantId, "--client-id", APP.marketoSync, "--authority", `${server.url}/${ORG.tenantId}`], { fetch: tokenFor(org) });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("The host name contoso.invalid does not resolve (DNS).");
    expect(r.urls.filter((u) => u.startsWith("https://contoso.invalid"))).toHaveLength(1);
  });

  it("says the connection was refused, at once", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const org = `http://127.0.0.1:${port}`;
    const r = await cli(["verify", "--url", org, "--tenant", ORG.tenantId, "--client-id", APP.marketoSync, "--authority", `${server.url}/${ORG.tenantId}`], { fetch: tokenFor(org) });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`127.0.0.1:${port} refused the connection`);
    expect(r.urls.filter((u) => u.startsWith(`http://127.0.0.1:${port}`))).toHaveLength(1);
  });
});

describe("a closed pipe", () => {
  it("ends quietly when the reader goes away (verify | head -1)", async () => {
    const child = spawn(process.execPath, [join(REPO, "bin", "marketo-dynamics.js"), "verify", ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", MARKETO_DYNAMICS_CLIENT_SECRET: SECRET.marketoSync },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // The reader is gone before the first line is written: every write meets a closed pipe (EPIPE).
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(1);
  });
});
