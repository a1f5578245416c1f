/**
 * `create-sync-user --client-id ID`: the application user of a registered app, created once (root
 * business unit by default), given the sync role and saved as the Marketo User; reused after; and
 * Dynamics' refusals said in plain words, in English and French.
 */
import type { FetchLike } from "../../../core/dataverse/client";
import { APP, BU, ROLE, USER } from "../../../devserver/fixtures/ids";
import { startDevServer, type DevServer } from "../../../devserver/server";
import { cli, connectionArgs, type CliResult } from "./helpers";

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ auth: "token", deviceCodeIntervalSeconds: 0, publishDurationMs: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const users = () => [...server.org.table(server.org.entity("systemuser")).values()];
const userOf = (appId: string) => users().filter((u) => String(u.applicationid ?? "").toLowerCase() === appId.toLowerCase());
const holds = (userId: string, roleId: string) => server.org.links.get("systemuserroles_association")!.has(`${userId.toLowerCase()}|${roleId.toLowerCase()}`);
const savedUser = () => {
  const m = server.org.fixture.marketo!;
  return [...server.org.table(server.org.entity(m.configEntity)).values()].find((r) => r[`${m.configEntity}id`] === m.defaultRecordId)![`_${m.userAttribute}_value`];
};

/** Signed in as another app registration (Marketo Sync's application user may create users in the demo org). */
async function run(extra: string[], options: { lang?: string } = {}): Promise<CliResult & { writes: string[] }> {
  const writes: string[] = [];
  const recording: FetchLike = (url, init) => {
    const method = (init.method ?? "GET").toUpperCase();
    if (method !== "GET" && url.includes("/api/data/") && !/\$batch$/.test(url)) writes.push(`${method} ${url}`);
    return fetch(url, init);
  };
  const args = ["create-sync-user", ...connectionArgs(server, APP.marketoSyncNew), "--admin-client-id", APP.marketoSync, ...(options.lang ? ["--lang", options.lang] : []), ...extra];
  return { ...(await cli(args, { fetch: recording })), writes };
}

test("creates the application user in the root business unit, gives it the role, saves it; a second run changes nothing", async () => {
  expect(userOf(APP.marketoSyncNew)).toHaveLength(0);
  const first = await run(["--yes"]);
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  const [created] = userOf(APP.marketoSyncNew);
  expect(created._businessunitid_value).toBe(BU.contoso);
  expect(holds(String(created.systemuserid), ROLE.marketoSync)).toBe(true);
  expect(savedUser()).toBe(created.systemuserid);
  expect(first.stdout).toMatch(/created for the Client ID/);

  const second = await run(["--yes", "--json"]);
  expect(second.code).toBe(0);
  expect(second.writes).toEqual([]);
  expect(JSON.parse(second.stdout)).toMatchObject({ changed: false, created: false, roleAssigned: false, marketoUserSaved: false });
  expect(userOf(APP.marketoSyncNew)).toHaveLength(1);
});

test("--business-unit puts the user there and gives it that unit's copy of the role", async () => {
  const r = await run(["--yes", "--business-unit", "Contoso Europe"]);
  expect(r.code).toBe(0);
  const [created] = userOf(APP.marketoSyncNew);
  expect(created._businessunitid_value).toBe(BU.europe);
  expect(holds(String(created.systemuserid), ROLE.marketoSyncEurope)).toBe(true);
});

test("an app without a service principal: refused in plain words, in English and French, nothing created", async () => {
  const args = ["create-sync-user", ...connectionArgs(server, APP.noServicePrincipal), "--admin-client-id", APP.marketoSync, "--yes"];
  const en = await cli(args);
  expect(en.code).toBe(1);
  expect(en.stderr).toContain("no service principal");
  const fr = await cli([...args, "--lang", "1036"]);
  expect(fr.stderr).toContain("pas de principal de service");
  expect(userOf(APP.noServicePrincipal)).toHaveLength(0);
});

test("a disabled application user is named, not doubled; --enable enables it", async () => {
  const args = ["create-sync-user", ...connectionArgs(server, APP.disabledApp), "--admin-client-id", APP.marketoSync, "--yes"];
  const refused = await cli(args);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/disabled/);
  expect(refused.stderr).toContain("--enable");
  expect(users().find((u) => u.systemuserid === USER.disabledApp)!.isdisabled).toBe(true);
  const enabled = await cli([...args, "--enable"]);
  expect(enabled.code).toBe(0);
  expect(users().find((u) => u.systemuserid === USER.disabledApp)!.isdisabled).toBe(false);
  expect(userOf(APP.disabledApp)).toHaveLength(1);
});

test("without --yes and no terminal: a usage error before any request", async () => {
  const r = await run([]);
  expect(r.code).toBe(2);
  expect(r.urls).toEqual([]);
});

test("signed in as the admin with a device code (no --admin-client-id)", async () => {
  const running = cli(["create-sync-user", ...connectionArgs(server, APP.marketoSyncNew), "--yes"], { secret: null });
  const code = await server.entra.nextDeviceCode();
  server.entra.approve(code.userCode, USER.admin);
  const r = await running;
  expect(r.stderr).toContain(code.userCode);
  expect(r.code).toBe(0);
  expect(userOf(APP.marketoSyncNew)).toHaveLength(1);
});
