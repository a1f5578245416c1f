/**
 * `setup` from an empty tenant to a passing checklist, signed in as the admin with a device code
 * (approved through the stand-in's hook), then again: the second run finds everything and changes
 * nothing. And the new secret goes only where it was asked to go.
 */
import { GRAPH_MAX_RETRIES } from "../../../cli/graph";
import { PROPAGATION_PAUSES } from "../../../cli/propagation";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FetchLike } from "../../../core/dataverse/client";
import { allCorrect } from "../../../devserver/fixtures/variants";
import { ORG, USER } from "../../../devserver/fixtures/ids";
import type { Fixture } from "../../../devserver/fixture";
import { loadFixture, startDevServer, type DevServer } from "../../../devserver/server";
import { cli, type CliResult } from "./helpers";

// The module object itself (not an import's read-only namespace), so one test can watch the CLI's writes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsp = require("node:fs/promises") as typeof import("node:fs/promises");
import { clientCredentials } from "../devserver/entraHelpers";

/**
 * The demo organisation with no app registration at all (only Microsoft's public clients sign in),
 * no Marketo User saved, nobody holding the sync role and one plugin step disabled: what an admin
 * has after installing Marketo's solution (step 1).
 */
function emptyTenant(): Fixture {
  const f = allCorrect(loadFixture("demo-org"));
  const m = f.marketo!;
  f.appRegistrations = [];
  const roleIds = new Set(f.records.role.filter((r) => r.name === m.roleName).map((r) => r.roleid as string));
  f.associations.systemuserroles_association = f.associations.systemuserroles_association.filter(([, r]) => !roleIds.has(r));
  const config = f.records[m.configEntity].find((r) => r[`${m.configEntity}id`] === m.defaultRecordId)!;
  config[`_${m.userAttribute}_value`] = null;
  const stepIds = new Set(f.records.solutioncomponent.filter((c) => c._solutionid_value === m.solutionId && c.componenttype === 92).map((c) => c.objectid as string));
  Object.assign(
    f.records.sdkmessageprocessingstep.find((s) => stepIds.has(s.sdkmessageprocessingstepid as string))!,
    { statecode: 1, statuscode: 2 },
  );
  return f;
}

const APP_NAME = "Marketo Integration (test)";
let server: DevServer;
let dir: string;

beforeAll(async () => {
  server = await startDevServer({ auth: "token", fixture: emptyTenant(), deviceCodeIntervalSeconds: 0, publishDurationMs: 0 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  dir = mkdtempSync(join(tmpdir(), "setup-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Sent {
  method: string;
  url: string;
  body: string;
}

/** Runs `setup`, approving its device code as the admin (the hook stands for the admin's browser). */
async function runSetup(extra: string[], env: Record<string, string> = {}, approver: string = USER.admin): Promise<CliResult & { sent: Sent[] }> {
  const sent: Sent[] = [];
  const recording: FetchLike = (url, init) => {
    sent.push({ method: (init.method ?? "GET").toUpperCase(), url, body: typeof init.body === "string" ? init.body : "" });
    return fetch(url, init);
  };
  const args = ["setup", "--url", server.url, "--tenant", ORG.tenantId, "--authority", `${server.url}/${ORG.tenantId}`, "--graph-url", server.graphUrl, "--app-name", APP_NAME, ...extra];
  const running = cli(args, { secret: null, fetch: recording, env });
  const code = await server.entra.nextDeviceCode();
  server.entra.approve(code.userCode, approver);
  return { ...(await running), sent };
}

const apps = () => [...server.org.entra.applications.values()].filter((a) => a.displayName === APP_NAME);
const usersOf = (appId: string) => [...server.org.table(server.org.entity("systemuser")).values()].filter((u) => String(u.applicationid ?? "").toLowerCase() === appId.toLowerCase());
const occurrences = (text: string, part: string) => text.split(part).length - 1;

/** A change: any request but a GET, the sign-in's and a $batch whose parts are all reads. */
const changes = (sent: Sent[]) =>
  sent.filter((r) => r.method !== "GET" && !/\/oauth2\/v2\.0\/(token|devicecode)(\?|$)/.test(r.url) && !(/\/\$batch$/.test(r.url) && !/^(POST|PATCH|PUT|DELETE) /m.test(r.body)));

test("from an empty tenant to a passing verify; the second run finds everything and changes nothing", async () => {
  const secretFile = join(dir, "marketo-secret.txt");
  const missesBefore = server.org.entra.missesServed;
  const first = await runSetup(["--secret-file", secretFile, "--verbose"]);
  expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  // Entra's replication lag (the demo's propagationMisses 1) was met at each new object, and waited out:
  // the service principal and the secret (new app), the application user (new service principal), the sign-in (new secret).
  expect(server.org.entra.missesServed - missesBefore).toBe(4);
  expect(occurrences(first.stderr, "has not yet made the new")).toBe(4);
  // Entra: one single-tenant app, its service principal, one secret.
  expect(apps()).toHaveLength(1);
  const [app] = apps();
  expect(app.signInAudience).toBe("AzureADMyOrg");
  expect(app.passwordCredentials).toHaveLength(1);
  expect(server.org.entra.servicePrincipalByAppId(app.appId)).toBeDefined();
  // Dataverse: one application user in the root business unit, holding the role, saved as Marketo User.
  const users = usersOf(app.appId);
  expect(users).toHaveLength(1);
  const m = server.org.fixture.marketo!;
  const config = [...server.org.table(server.org.entity(m.configEntity)).values()].find((r) => r[`${m.configEntity}id`] === m.defaultRecordId)!;
  expect(config[`_${m.userAttribute}_value`]).toBe(users[0].systemuserid);
  // The checklist ran signed in as the new app, and passed; step 3's values are printed.
  expect(first.stdout).toContain(app.appId);
  expect(first.stdout).toContain(ORG.tenantId);
  expect(first.stdout).toContain(String(users[0].internalemailaddress));
  expect(first.stdout).not.toMatch(/^\s*(Fail|Warning)/m);
  // The demo tenant's one domain is managed: no AD FS note.
  expect(first.stdout).not.toContain("Home Realm Discovery");
  const verify = await cli(["verify", "--url", server.url, "--tenant", ORG.tenantId, "--client-id", app.appId, "--authority", `${server.url}/${ORG.tenantId}`], {
    secret: readFileSync(secretFile, "utf8").trim(),
  });
  expect(verify.code).toBe(0);
  expect(changes(first.sent).length).toBeGreaterThan(0);

  const second = await runSetup(["--secret-file", secretFile]);
  expect(second.code).toBe(0);
  expect(changes(second.sent)).toEqual([]);
  expect(apps()).toHaveLength(1);
  expect(apps()[0].passwordCredentials).toHaveLength(1);
  expect(usersOf(app.appId)).toHaveLength(1);
  expect(second.stdout).toContain("found");
  // The secret was kept, read back from the file: step 3 says where it is, not "shown above".
  expect(second.stdout).toContain(`Client secret: in ${secretFile}`);
  expect(second.stdout).not.toContain("the one shown above");
});

describe("Microsoft Entra ID's replication lag", () => {
  test("longer than the waits: the run stops at the service principal, says to run again, and the next run reuses the app", async () => {
    server.org.entra.propagationMisses = PROPAGATION_PAUSES.length + 1;
    const before = server.org.entra.missesServed;
    const stopped = await runSetup([]);
    expect(server.org.entra.missesServed - before).toBe(PROPAGATION_PAUSES.length + 1);
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toContain("is still not visible after 60 s");
    expect(stopped.stderr).toContain("run the same command again");
    expect(apps()).toHaveLength(1);
    expect(server.org.entra.servicePrincipalByAppId(apps()[0].appId)).toBeUndefined();

    // A few minutes later, as the message says.
    server.org.entra.propagationMisses = 0;
    server.org.entra.settle();
    const again = await runSetup(["--secret-file", join(dir, "lag-secret.txt")]);
    expect({ code: again.code, waited: again.stderr.includes("has not yet made the new") }).toEqual({ code: 0, waited: false });
    expect(apps()).toHaveLength(1);
    expect(server.org.entra.servicePrincipalByAppId(apps()[0].appId)).toBeDefined();
  });

  test("a wrong secret of an earlier run is reported at once, not waited for", async () => {
    const secretFile = join(dir, "old-secret.txt");
    expect((await runSetup(["--secret-file", secretFile])).code).toBe(0);
    writeFileSync(secretFile, "not-the-secret-of-this-app\n", { mode: 0o600 });
    const before = server.org.entra.missesServed;
    const run = await runSetup(["--secret-file", secretFile]);
    expect(server.org.entra.missesServed).toBe(before);
    expect(run.stderr).not.toContain("has not yet made the new");
    expect(run.stderr).toContain("AADSTS7000215");
    // The secret came from the file: the message names the file, not the environment variable.
    expect(run.stderr).toContain(`the client secret in ${secretFile} is wrong or expired`);
    expect(run.stderr).not.toContain("Check MARKETO_DYNAMICS_CLIENT_SECRET");
    expect(run.code).not.toBe(0);
  });
});

test("a tenant with a federated domain is told about Adobe's Home Realm Discovery policy; JSON names the domains", async () => {
  server.org.entra.domains.push({ id: "contoso.com", authenticationType: "Federated", isDefault: false });
  const secretFile = join(dir, "federated-secret.txt");
  const run = await runSetup(["--secret-file", secretFile]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("Federated domains: contoso.com sign in through another identity provider (AD FS)");
  expect(run.stdout).toContain(`Home Realm Discovery policy for the app ${apps()[0].appId}`);
  const json = await runSetup(["--secret-file", secretFile, "--json"]);
  expect(JSON.parse(json.stdout).federatedDomains).toEqual(["contoso.com"]);
});

describe("who may register the app", () => {
  test("a member who is no admin, where the tenant lets nobody else register apps: refused in plain words, nothing made", async () => {
    server.org.entra.usersCanRegisterApps = false;
    const run = await runSetup([], {}, USER.limited);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Sign in as the app's owner or as an Application Administrator");
    expect(run.stderr).toContain("Authorization_RequestDenied");
    expect(apps()).toHaveLength(0);
  });

  test("a member who is no admin, where members may register apps (Entra's default): the app is theirs; Dynamics then asks for its privileges", async () => {
    const run = await runSetup(["--secret-file", join(dir, "member-secret.txt")], {}, USER.limited);
    expect(apps()).toHaveLength(1);
    expect(apps()[0].owners).toEqual([USER.limited]);
    expect(server.org.entra.servicePrincipalByAppId(apps()[0].appId)).toBeDefined();
    // The demo's limited user may not create users or assign roles in Dynamics: the run stops there, saying so.
    expect(run.code).not.toBe(0);
    expect(usersOf(apps()[0].appId).length).toBeLessThanOrEqual(1);
    // The refusal is explained as the step's (assigning the role), not as the command's last one.
    expect(run.stderr).toContain("prvAssignRole");
    expect(run.stderr).toContain("Assigning a security role needs the Assign privilege on security roles");
    expect(run.stderr).not.toContain("Setting the Marketo User needs write access");
  });
});

describe("Microsoft Graph throttling", () => {
  const tooMany = (seconds: string) => ({ status: 429, headers: { "Retry-After": seconds }, body: { error: { code: "TooManyRequests", message: "Too many requests." } } });

  test("a 429 on a write and a 503 on a read are sent again after Retry-After: one app, one service principal", async () => {
    const create = server.faults.add({ match: { service: "graph", method: "POST", path: "applications" }, times: 2, respond: tooMany("0") });
    const list = server.faults.add({
      match: { service: "graph", method: "GET", path: "servicePrincipals" },
      respond: { status: 503, headers: { "Retry-After": "0" }, body: { error: { code: "serviceNotAvailable", message: "Service unavailable." } } },
    });
    const run = await runSetup(["--secret-file", join(dir, "throttled-secret.txt")]);
    expect(server.faults.fired(create)).toBe(2);
    expect(server.faults.fired(list)).toBe(1);
    expect(run.code).toBe(0);
    expect(apps()).toHaveLength(1);
    expect(server.org.entra.servicePrincipalByAppId(apps()[0].appId)).toBeDefined();
  });

  test("past the retries, the throttling is reported plainly and nothing was created", async () => {
    const create = server.faults.add({ match: { service: "graph", method: "POST", path: "applications" }, times: 10, respond: tooMany("0") });
    const run = await runSetup([]);
    expect(server.faults.fired(create)).toBe(GRAPH_MAX_RETRIES + 1);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/429|TooManyRequests|Too many requests/);
    expect(apps()).toHaveLength(0);
  });
});

test("--dry-run lists the Entra and Dataverse changes and makes none", async () => {
  const run = await runSetup(["--dry-run"]);
  expect(run.code).toBe(0);
  expect(changes(run.sent)).toEqual([]);
  expect(apps()).toHaveLength(0);
  expect(run.stdout).toMatch(/POST \S+\/graph\/v1\.0\/applications\b/);
  expect(run.stdout).toMatch(/POST \S+\/graph\/v1\.0\/servicePrincipals\b/);
  expect(run.stdout).toMatch(/POST \S+\/api\/data\/v9\.2\/systemusers\b/);
  expect(run.stdout).toMatch(/PublishAllXmlAsync/);
  expect(run.stdout).toContain("/applications/<new>/addPassword");
  // Nothing was made: no line says so, and no placeholder id is shown as a result.
  expect(run.stdout).not.toMatch(/created|assigned|Enabled \d|published\./i);
  expect(run.stdout).not.toContain("(Client ID 00000000-0000-0000-0000-000000000000)");
});

describe("the new secret appears only where it was asked to go", () => {
  test("--secret-file: in the file (mode 0600), nowhere in stdout, stderr or --verbose", async () => {
    const secretFile = join(dir, "s.txt");
    const run = await runSetup(["--secret-file", secretFile, "--verbose"]);
    expect(run.code).toBe(0);
    const secret = readFileSync(secretFile, "utf8").trim();
    expect(secret.length).toBeGreaterThan(20);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    // It is the app's real secret: it signs in.
    expect((await clientCredentials(server, apps()[0].appId, secret)).status).toBe(200);
    expect(occurrences(run.stdout + run.stderr, secret)).toBe(0);
    expect(run.stderr).toMatch(/POST \S+\/addPassword 200/);
  });

  test("--secret-file over an existing file others may read: the secret never goes into it before it is 0600", async () => {
    const secretFile = join(dir, "existing.txt");
    writeFileSync(secretFile, "old\n", { mode: 0o644 });
    chmodSync(secretFile, 0o644);
    // Every write of the CLI, with the mode its target had at that moment (none: a new file).
    const writes: Array<{ path: string; mode: number | null }> = [];
    const original = fsp.writeFile;
    const spy = jest.spyOn(fsp, "writeFile").mockImplementation(async (...args: Parameters<typeof fsp.writeFile>) => {
      const path = String(args[0]);
      writes.push({ path, mode: existsSync(path) ? statSync(path).mode & 0o777 : null });
      return original(...args);
    });
    try {
      const run = await runSetup(["--secret-file", secretFile, "--new-secret"]);
      expect(run.code).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const secret = readFileSync(secretFile, "utf8").trim();
    expect((await clientCredentials(server, apps()[0].appId, secret)).status).toBe(200);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((w) => w.mode !== null && (w.mode & 0o077) !== 0)).toEqual([]);
    // Nothing left beside it (the file written first, then renamed).
    expect(readdirSync(dir)).toEqual(["existing.txt"]);
  });

  test("no file: once on stdout, clearly marked; never on stderr; a second --json run without --show-secret is refused", async () => {
    const run = await runSetup(["--verbose"]);
    expect(run.code).toBe(0);
    const secret = /CLIENT SECRET[^\n]*\n\n {4}(\S+)\n/.exec(run.stdout)?.[1] ?? "";
    expect((await clientCredentials(server, apps()[0].appId, secret)).status).toBe(200);
    expect(occurrences(run.stdout, secret)).toBe(1);
    expect(occurrences(run.stderr, secret)).toBe(0);
    const json = await cli(["setup", "--json", "--url", server.url, "--tenant", ORG.tenantId, "--app-name", APP_NAME, "--new-secret"], { secret: null });
    expect(json.code).toBe(2);
    expect(json.stdout).toBe("");
  });

  test("--json --show-secret: in the JSON document once; --json with --secret-file: not in the document", async () => {
    const shown = await runSetup(["--json", "--show-secret", "--verbose"]);
    expect(shown.code).toBe(0);
    const doc = JSON.parse(shown.stdout) as { clientSecret: string; marketoStep3: { clientId: string } };
    expect(doc.marketoStep3.clientId).toBe(apps()[0].appId);
    expect(occurrences(shown.stdout, doc.clientSecret)).toBe(1);
    expect(occurrences(shown.stderr, doc.clientSecret)).toBe(0);

    const secretFile = join(dir, "again.txt");
    const filed = await runSetup(["--json", "--new-secret", "--secret-file", secretFile]);
    expect(filed.code).toBe(0);
    const secret = readFileSync(secretFile, "utf8").trim();
    expect(secret).not.toBe(doc.clientSecret);
    expect(JSON.parse(filed.stdout)).not.toHaveProperty("clientSecret");
    expect(occurrences(filed.stdout + filed.stderr, secret)).toBe(0);
    expect(apps()[0].passwordCredentials).toHaveLength(2);
  });

  test("--json --show-secret, stopped after the secret was made: the secret still comes out, once, on stdout", async () => {
    const refused = server.faults.add({
      match: { method: "POST", path: "systemusers" },
      times: 1,
      respond: { status: 403, body: { error: { code: "0x80040220", message: "Principal user is missing prvCreateUser privilege." } } },
    });
    const run = await runSetup(["--json", "--show-secret"]);
    expect(server.faults.fired(refused)).toBe(1);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as { completed: boolean; clientSecret: string; app: { clientId: string } };
    expect(doc).toMatchObject({ completed: false, app: { clientId: apps()[0].appId } });
    expect(doc.clientSecret).toHaveLength(40);
    expect(occurrences(run.stdout, doc.clientSecret)).toBe(1);
    expect(occurrences(run.stderr, doc.clientSecret)).toBe(0);
    expect(JSON.parse(run.stderr.slice(run.stderr.indexOf("{")))).toMatchObject({ error: { key: "Cli_SyncUser_NoPrivilege" } });
  });
});

describe("setup on several environments", () => {
  it("is refused before any sign-in: one run makes one app registration and prints its one secret", async () => {
    const sent: string[] = [];
    const recording: FetchLike = (url, init) => {
      sent.push(url);
      return fetch(url, init);
    };
    const r = await cli(["setup", "--url", server.url, "--url", `${server.url}/other`, "--tenant", ORG.tenantId, "--app-name", APP_NAME], { secret: null, fetch: recording });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("one environment at a time");
    expect(sent).toEqual([]);
    expect(apps()).toHaveLength(0);
  });
});
