/** Contract tests for $batch, token mode, fault injection, the CLI and the fixtures. */
import { spawn } from "node:child_process";
import path from "node:path";
import { DevServer, KEEP_ALIVE_MS, startDevServer } from "../../../devserver/server";
import { APP, CONFIG, ROLE, SECRET, USER } from "../../../devserver/fixtures/ids";
import { FIXTURE_FILES } from "../../../devserver/fixtures/demo";
import { generateLargeOrg } from "../../../devserver/generate";
import { Collection, STANDARD_HEADERS, call, get, start } from "./helpers";
import { readFileSync } from "node:fs";

const CRLF = "\r\n";

function batchBody(boundary: string, root: string, parts: string[]): string {
  return parts.map((p) => `--${boundary}${CRLF}${p}`).join("") + `--${boundary}--${CRLF}`;
}
const getPart = (url: string) =>
  `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}GET ${url} HTTP/1.1${CRLF}Accept: application/json${CRLF}Prefer: odata.include-annotations="*"${CRLF}${CRLF}`;

async function postBatch(server: DevServer, body: string, boundary: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/api/data/v9.2/$batch`, { method: "POST", headers: { ...STANDARD_HEADERS, "Content-Type": `multipart/mixed;boundary=${boundary}`, ...headers }, body });
  return { status: res.status, contentType: res.headers.get("Content-Type") ?? "", text: await res.text() };
}

describe("$batch", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it("answers GET parts in one round trip, in the documented multipart format", async () => {
    const root = `${server.url}/api/data/v9.2/`;
    const body = batchBody("batch_abc", root, [
      getPart(`${root}WhoAmI()`),
      getPart(`/api/data/v9.2/systemusers(${USER.maria})?$select=fullname`),
      getPart(`roles?$select=name&$filter=name eq 'Marketo Sync User'`),
    ]);
    const r = await postBatch(server, body, "batch_abc");
    expect(server.requestCount()).toBe(1);
    expect(r.status).toBe(200);
    const boundary = /boundary=(batchresponse_[0-9a-f-]{36})$/.exec(r.contentType)?.[1];
    expect(r.contentType).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(boundary).toBeDefined();
    const parts = r.text.split(`--${boundary}`);
    expect(parts).toHaveLength(5); // preamble, 3 parts, closing "--\r\n"
    expect(parts[4]).toBe(`--${CRLF}`);
    for (const p of parts.slice(1, 4)) {
      expect(p.startsWith(`${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}`)).toBe(true);
      const json = JSON.parse(p.split(`${CRLF}${CRLF}`)[2]);
      expect(json["@odata.context"]).toBeDefined();
    }
    expect(r.text).not.toMatch(/[^\r]\n/);
  });

  it("stops at the first failing part unless odata.continue-on-error", async () => {
    const root = `${server.url}/api/data/v9.2/`;
    const parts = [getPart(`${root}systemusers(00000000-0000-0000-0000-00000000dead)?$select=fullname`), getPart(`${root}WhoAmI()`)];
    const stop = await postBatch(server, batchBody("batch_1", root, parts), "batch_1");
    expect(stop.status).toBe(404);
    expect(stop.text).toContain("HTTP/1.1 404 Not Found");
    expect(stop.text).not.toContain("WhoAmIResponse");
    const cont = await postBatch(server, batchBody("batch_2", root, parts), "batch_2", { Prefer: "odata.continue-on-error" });
    expect(cont.status).toBe(200);
    expect(cont.text).toContain("HTTP/1.1 404 Not Found");
    expect(cont.text).toContain('"code":"0x80040217"');
    expect(cont.text).toContain("WhoAmIResponse");
  });

  it("runs change sets all or nothing, with Content-ID references", async () => {
    const root = `${server.url}/api/data/v9.2/`;
    const change = (id: number, method: string, url: string, body: unknown) =>
      `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}Content-ID: ${id}${CRLF}${CRLF}${method} ${url} HTTP/1.1${CRLF}Content-Type: application/json;type=entry${CRLF}${CRLF}${JSON.stringify(body)}${CRLF}`;
    const changeset = (cs: string, ops: string[]) => `Content-Type: multipart/mixed; boundary=${cs}${CRLF}${CRLF}` + ops.map((o) => `--${cs}${CRLF}${o}`).join("") + `--${cs}--${CRLF}`;
    const good = changeset("changeset_a", [
      change(1, "POST", `${root}leads`, { fullname: "Batch Lead" }),
      change(2, "PATCH", "$1", { new_synctomkto: false }),
      change(3, "POST", `${root}systemusers(${USER.marketoSync})/systemuserroles_association/$ref`, { "@odata.id": `${root}roles(${ROLE.marketoSync})` }),
    ]);
    const ok = await postBatch(server, batchBody("batch_cs", root, [good]), "batch_cs");
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/Content-Type: multipart\/mixed; boundary=changesetresponse_/);
    expect(ok.text.match(/HTTP\/1\.1 204 No Content/g)).toHaveLength(3);
    expect(ok.text).toContain("Content-ID: 1");
    expect([...server.org.table(server.org.entity("lead")).values()].find((l) => l.fullname === "Batch Lead")).toMatchObject({ new_synctomkto: false });

    server.reset();
    const bad = changeset("changeset_b", [
      change(1, "POST", `${root}leads`, { fullname: "Rolled Back" }),
      change(2, "POST", `${root}systemusers(${USER.europeApp})/systemuserroles_association/$ref`, { "@odata.id": `${root}roles(${ROLE.marketoSync})` }),
    ]);
    const failed = await postBatch(server, batchBody("batch_cs2", root, [bad]), "batch_cs2");
    expect(failed.status).toBe(400);
    expect(failed.text).toContain("0x80041409");
    expect([...server.org.table(server.org.entity("lead")).values()].some((l) => l.fullname === "Rolled Back")).toBe(false);
  });
});

describe("token mode", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await start({ auth: "token" });
  });
  afterAll(() => server.close());

  const tokenUrl = () => `${server.url}/${server.org.organization.TenantId}/oauth2/v2.0/token`;
  const askToken = (secret: string) =>
    fetch(tokenUrl(), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: APP.marketoSync, client_secret: secret, scope: `${server.url}/.default` }).toString(),
    });

  it("401s API calls without a token, in Dataverse's shape", async () => {
    const r = await fetch(`${server.url}/api/data/v9.2/WhoAmI()`);
    expect(r.status).toBe(401);
    expect(r.headers.get("WWW-Authenticate")).toMatch(/^Bearer authorization_uri=/);
    expect(await r.json()).toEqual({ error: { code: expect.stringMatching(/^0x/), message: expect.any(String) } });
  });

  it("refuses a wrong secret without echoing it", async () => {
    const r = await askToken("wrong-secret-value");
    expect(r.status).toBe(401);
    const text = await r.text();
    expect(text).toContain("AADSTS7000215");
    expect(text).not.toContain("wrong-secret-value");
    expect(JSON.parse(text)).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
  });

  it("issues tokens acting as the mapped app user, and they expire", async () => {
    const r = await askToken(SECRET.marketoSync);
    expect(r.status).toBe(200);
    const t = (await r.json()) as { token_type: string; expires_in: number; access_token: string };
    expect(t).toMatchObject({ token_type: "Bearer", expires_in: expect.any(Number) });
    const who = await fetch(`${server.url}/api/data/v9.2/WhoAmI()`, { headers: { Authorization: `Bearer ${t.access_token}` } });
    expect(((await who.json()) as { UserId: string }).UserId).toBe(USER.marketoSync);
    server.auth.expireAll();
    const expired = await fetch(`${server.url}/api/data/v9.2/WhoAmI()`, { headers: { Authorization: `Bearer ${t.access_token}` } });
    expect(expired.status).toBe(401);
    const renewed = (await (await askToken(SECRET.marketoSync)).json()) as { access_token: string };
    expect((await fetch(`${server.url}/api/data/v9.2/WhoAmI()`, { headers: { Authorization: `Bearer ${renewed.access_token}` } })).status).toBe(200);
  });

  it("serves OpenID metadata pointing back at itself", async () => {
    const r = await fetch(`${server.url}/${server.org.organization.TenantId}/v2.0/.well-known/openid-configuration`);
    expect(((await r.json()) as { token_endpoint: string }).token_endpoint).toBe(tokenUrl());
  });
});

describe("fault injection", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it("scripts each service protection 429, always with Retry-After, then recovers", async () => {
    server.faults.add({ match: { method: "GET", path: "systemusers" }, times: 1, respond: server.faults.presets.throttle(2) });
    server.faults.add({ match: { path: /^systemusers/ }, times: 1, respond: server.faults.presets.throttle(0, "concurrency") });
    server.faults.add({ match: { path: /^systemusers/ }, times: 1, respond: server.faults.presets.throttle(5, "executionTime") });
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const r = await get(server, "systemusers?$select=fullname&$top=1");
      answers.push({ status: r.status, retryAfter: r.headers.get("Retry-After"), code: JSON.parse(r.text).error.code });
    }
    expect(answers).toEqual([
      { status: 429, retryAfter: "2", code: "0x80072322" },
      { status: 429, retryAfter: "0", code: "0x80072326" },
      { status: 429, retryAfter: "5", code: "0x80072321" },
    ]);
    expect((await get(server, "systemusers?$select=fullname&$top=1")).status).toBe(200);
    expect((await get(server, "WhoAmI()")).status).toBe(200);
  });

  it("drops connections, delays, and denies privileges", async () => {
    server.faults.add({ match: { path: "WhoAmI" }, respond: "drop" });
    await expect(fetch(`${server.url}/api/data/v9.2/WhoAmI()`)).rejects.toThrow();
    server.faults.add({ match: { path: "WhoAmI" }, respond: { delayMs: 120 } });
    const t0 = Date.now();
    expect((await get(server, "WhoAmI()")).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    server.faults.add({ match: { path: "WhoAmI" }, respond: { status: 503 } });
    expect((await get(server, "WhoAmI()")).status).toBe(503);
    server.faults.add({ match: { path: "roles" }, respond: { privilegeDenied: "prvReadRole" } });
    const denied = await get(server, "roles?$select=name");
    expect(denied.status).toBe(403);
    expect(denied.text).toContain("prvReadRole");
  });

  it("is scriptable over HTTP, and counts requests", async () => {
    const add = await fetch(`${server.url}/_devserver/faults`, {
      method: "POST",
      body: JSON.stringify({ match: { method: "GET", pathRegex: "^WhoAmI" }, times: 2, respond: { status: 429, headers: { "Retry-After": "1" } } }),
    });
    expect(add.status).toBe(200);
    expect((await get(server, "WhoAmI()")).status).toBe(429);
    expect((await get(server, "WhoAmI()")).status).toBe(429);
    expect((await get(server, "WhoAmI()")).status).toBe(200);
    const log = (await (await fetch(`${server.url}/_devserver/requests`)).json()) as { count: number; requests: Array<{ method: string; url: string }> };
    expect(log.count).toBe(3);
    expect(log.requests[0]).toEqual({ method: "GET", url: "/api/data/v9.2/WhoAmI()" });
    expect((await fetch(`${server.url}/_devserver/reset`, { method: "POST" })).status).toBe(204);
    expect(server.requestCount()).toBe(0);
  });
});

describe("fixtures", () => {
  it("JSON files are the builder's output", () => {
    for (const [file, build] of Object.entries(FIXTURE_FILES)) {
      expect(JSON.parse(readFileSync(path.join(__dirname, "../../../devserver/fixtures", file), "utf8"))).toEqual(JSON.parse(JSON.stringify(build())));
    }
  });

  it("serves the other-names fixture under its own names only", async () => {
    const server = await start({ fixture: "other-names-org" });
    try {
      const names = CONFIG.otherNames;
      const meta = await get(server, `EntityDefinitions(LogicalName='${names.entity}')?$select=LogicalName,EntitySetName,PrimaryNameAttribute`);
      expect(meta.body).toMatchObject({ EntitySetName: names.entitySet, PrimaryNameAttribute: names.nameAttribute });
      expect((await get(server, `mkto_marketoconfigs(${CONFIG.defaultRecord})`)).status).toBe(404);
      const bind = await call(server, "PATCH", `${names.entitySet}(${CONFIG.defaultRecord})`, { [`${names.navigation}@odata.bind`]: `systemusers(${USER.marketoSync})` }, { "If-Match": "*" });
      expect(bind.status).toBe(204);
      const read = await get(server, `${names.entitySet}(${CONFIG.defaultRecord})?$select=_${names.userAttribute}_value`);
      expect(read.body[`_${names.userAttribute}_value`]).toBe(USER.marketoSync);
    } finally {
      await server.close();
    }
  });

  it("derives the 4.0.0.13 and all-correct variants", async () => {
    const server = await start({ solutionVersion: "4.0.0.13", allCorrect: true });
    try {
      const s = await get<Collection>(server, `solutions?$select=version&$filter=uniquename eq 'MarketoLeadManagement'`);
      expect(s.body.value[0].version).toBe("4.0.0.13");
      const holders = await get<Collection>(server, `roles?$select=name&$filter=name eq 'Marketo Sync User'&$expand=systemuserroles_association($select=systemuserid)`);
      expect(holders.body.value.flatMap((r) => (r.systemuserroles_association as Array<{ systemuserid: string }>).map((u) => u.systemuserid))).toEqual([USER.marketoSync]);
      const steps = await get<Collection>(server, `sdkmessageprocessingsteps?$select=name&$filter=statecode eq 1`);
      expect(steps.body.value.map((x) => x.name)).toEqual(["Contoso.Plugins.Audit: Update of account"]);
    } finally {
      await server.close();
    }
  });

  it("generates large orgs", () => {
    const f = generateLargeOrg({ users: 1000, roles: 20 });
    expect(f.records.systemuser.length).toBe(1000 + 32);
    expect(f.records.role.length).toBe(6 + 40);
  });
});

describe("CLI", () => {
  it("starts, prints its URL and answers", async () => {
    const child = spawn(process.execPath, [require.resolve("tsx/cli"), path.join(__dirname, "../../../devserver/cli.ts"), "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15000);
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const r = await fetch(`${url}/api/data/v9.2/WhoAmI()`, { headers: STANDARD_HEADERS });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { UserId: string }).UserId).toBe(USER.admin);
    } finally {
      child.kill("SIGTERM");
    }
  }, 20000);

  it("refuses a mistyped --auth or fixture name, naming what it takes", async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [require.resolve("tsx/cli"), path.join(__dirname, "../../../devserver/cli.ts"), "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("exit", (code) => resolve({ code, stderr }));
      });
    const auth = await run(["--auth", "tokens"]);
    expect(auth).toEqual({ code: 1, stderr: expect.stringContaining("--auth tokens: use session") });
    const fixture = await run(["--fixture", "nosuch"]);
    expect(fixture).toEqual({ code: 1, stderr: expect.stringContaining('no fixture named "nosuch": the built-in ones are demo-org, other-names-org') });
  }, 20000);
});

describe("admin routes", () => {
  it("refuse requests sent by another site's page", async () => {
    const s = await startDevServer({});
    try {
      const foreign = await fetch(`${s.url}/_devserver/reset`, { method: "POST", headers: { Origin: "http://evil.example" } });
      expect(foreign.status).toBe(403);
      const own = await fetch(`${s.url}/_devserver/reset`, { method: "POST", headers: { Origin: s.url } });
      expect(own.status).toBeLessThan(300);
    } finally {
      await s.close();
    }
  });
});

describe("connections", () => {
  it("keep an idle connection longer than the client does, and close() ends them all", async () => {
    // Node's default (5 s) let a reused connection be closed under a request sent during a stall of the
    // event loop: ECONNRESET before any answer. The client (Node's fetch: 4 s) must be the one to close.
    const s = await startDevServer({});
    const idle = await fetch(`${s.url}/api/data/v9.2/WhoAmI`, { headers: { Accept: "application/json" } });
    await idle.text();
    expect(idle.headers.get("keep-alive")).toBe(`timeout=${KEEP_ALIVE_MS / 1000}`);
    expect(KEEP_ALIVE_MS).toBeGreaterThanOrEqual(60_000);
    // The idle connection is still open: close() must not wait the two minutes for it (the test's
    // timeout would fail it).
    await s.close();
  });
});
