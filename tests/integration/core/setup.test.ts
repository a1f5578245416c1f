/**
 * core/ against the devserver: every checklist rule reached from fixture data, every action
 * changing the organisation as Dataverse would. Runs unchanged on both fixtures, which name
 * the Marketo Config table differently, to prove nothing depends on those names.
 */
import { DataverseClient } from "../../../core/dataverse/client";
import { assignSyncRole, enablePluginSteps, publishAll, removeSyncRoleFrom } from "../../../core/setup/actions";
import { evaluate, otherRoleHolders } from "../../../core/setup/evaluate";
import { loadSetupState } from "../../../core/setup/load";
import { missingPrivileges } from "../../../core/setup/privileges";
import { searchUsers } from "../../../core/setup/search";
import type { CheckId, SetupInput, SetupState } from "../../../core/setup/types";
import { startDevServer, type DevServer, type DevServerOptions } from "../../../devserver/server";
import { CONFIG, ROLE, ROLE_NAME, SOLUTION, STEP, USER } from "../../../devserver/fixtures/ids";

const FIXTURES = [
  ["demo-org", CONFIG.demo],
  ["other-names-org", CONFIG.otherNames],
] as const;

describe.each(FIXTURES)("with fixture %s", (fixture, names) => {
  let server: DevServer;
  let client: DataverseClient;

  async function start(options: DevServerOptions = {}) {
    await server?.close();
    server = await startDevServer({ fixture, publishDurationMs: 0, ...options });
    client = new DataverseClient({ orgUrl: server.url, sleep: async () => undefined });
  }
  beforeAll(() => start());
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const input = (chosenUserId: string | null = USER.marketoSync, extra: Partial<SetupInput> = {}): SetupInput => ({
    config: { entity: names.entity, id: CONFIG.defaultRecord, attribute: names.userAttribute },
    chosenUserId,
    roleName: ROLE_NAME,
    solutionName: SOLUTION.friendlyName,
    ...extra,
  });
  const load = (chosen?: string | null, extra?: Partial<SetupInput>) => loadSetupState(client, input(chosen, extra));
  const statuses = (s: SetupState) => Object.fromEntries(evaluate(s).map((i) => [i.id, i.status])) as Record<CheckId, string>;

  async function saveUser(id: string) {
    await client.update(names.entitySet, CONFIG.defaultRecord, { [`${names.navigation}@odata.bind`]: `/systemusers(${id})` });
  }

  it("reads the demo org in 2 requests on a client's first load, 1 after, and judges it", async () => {
    const fresh = new DataverseClient({ orgUrl: server.url, sleep: async () => undefined });
    server.resetCount();
    const cold = await loadSetupState(fresh, input());
    // Entity set, step ids and caller id come from the first answer (core/setup/load.ts).
    expect(server.requestCount()).toBe(2);
    expect(cold.roundTrips).toBe(2);
    server.resetCount();
    const state = await loadSetupState(fresh, input());
    // The form holds the Marketo User: the whole checklist in one $batch.
    expect(server.requestCount()).toBe(1);
    expect(state.roundTrips).toBe(1);
    expect(state.configEntitySet).toBe(names.entitySet);
    expect(statuses(state)).toEqual({
      "solution.installed": "pass",
      "solution.steps": "fail",
      "user.selected": "warn", // picked on the form, not saved yet
      "user.enabled": "pass",
      "user.application": "pass",
      "user.role": "fail",
      "role.exclusive": "fail",
      "role.disabledHolders": "warn",
      "user.configRead": "fail",
      publish: "unknown",
      "filter.field": "info",
    });
    const exclusive = evaluate(state).find((i) => i.id === "role.exclusive")!;
    expect(exclusive.params.names).toBe("John Smith, Maria Garcia, Team Sync App");
    expect(
      otherRoleHolders(state)
        .map((u) => u.id)
        .sort(),
    ).toEqual([USER.john, USER.maria, USER.teamOnlyApp].sort());
    expect(exclusive.fix).toBeUndefined(); // not before the picked sync user is saved
    expect(evaluate(state).find((i) => i.id === "filter.field")!.params.tables).toBe("lead");
  });

  it("without a chosen user, one round trip is enough for what can be known", async () => {
    const fresh = new DataverseClient({ orgUrl: server.url, sleep: async () => undefined });
    await loadSetupState(fresh, input(null));
    server.resetCount();
    const state = await loadSetupState(fresh, input(null));
    expect(server.requestCount()).toBe(1);
    expect(statuses(state)["user.selected"]).toBe("fail");
    expect(statuses(state)["user.role"]).toBe("unknown");
  });

  it.each([
    [USER.disabledApp, "user.enabled", "fail"],
    [USER.maria, "user.application", "warn"],
    [USER.teamOnlyApp, "user.role", "warn"],
    [USER.marketoSync, "user.configRead", "fail"],
  ] as const)("user %s: %s is %s", async (user, check, status) => {
    expect(statuses(await load(user))[check]).toBe(status);
  });

  it("is all green on an organisation set up right (after a publish)", async () => {
    await start({ allCorrect: true });
    const state = await load(USER.marketoSync, { publishLog: { lastPublishAt: new Date(Date.now() + 60_000).toISOString() } });
    const s = statuses(state);
    expect(Object.entries(s).filter(([, v]) => v !== "pass" && v !== "info")).toEqual([]);
    await start();
  });

  it("before 4.0.0.14 every enabled user needs the role: the line names the people who lack it", async () => {
    await start({ solutionVersion: "4.0.0.13" });
    const line = evaluate(await load()).find((i) => i.id === "role.exclusive")!;
    expect(line).toMatchObject({ status: "fail", fix: "assignRoleToEveryone", titleKey: "CheckTitle_role_everyone" });
    const lacking = line.affectedUsers!.map((u) => u.id);
    expect(lacking).toContain(USER.admin); // a Read-Write user without the role
    // Not those who hold it, not a disabled user, not an application user.
    for (const id of [USER.maria, USER.john, USER.formerEmployee, USER.europeApp, USER.marketoSync]) expect(lacking).not.toContain(id);
    await start({ solutionVersion: "4.0.0.14" });
    expect(statuses(await load())["role.exclusive"]).toBe("fail");
    await start();
  });

  it("assigns the business unit's own copy of the role; doing it twice changes nothing more", async () => {
    const roleIds = () => server.org.rolesOf(USER.europeApp).direct.map((r) => r.roleid as string);
    const before = roleIds();
    const europe = await load(USER.europeApp);
    await expect(assignSyncRole(client, europe)).resolves.toEqual({ changed: true });
    expect(roleIds().sort()).toEqual([...before, ROLE.marketoSyncEurope].sort());
    // A stale state (the role was assigned since it was read) meets "duplicate key": still success.
    await expect(assignSyncRole(client, europe)).resolves.toEqual({ changed: false });
    expect(roleIds()).toHaveLength(before.length + 1);
    expect(statuses(await load(USER.europeApp))["user.role"]).toBe("pass");
  });

  it("a role copy of another business unit is refused by the server", async () => {
    const state = await load(USER.marketoSync);
    await expect(client.associate("systemusers", USER.marketoSync, "systemuserroles_association", "roles", ROLE.marketoSyncEurope)).rejects.toMatchObject({
      kind: "wrongBusinessUnit",
    });
    expect(statuses(state)["user.role"]).toBe("fail");
  });

  it("removes the role from the other users and never from the sync user", async () => {
    await saveUser(USER.marketoSync);
    await assignSyncRole(client, await load());
    const state = await load();
    const others = otherRoleHolders(state);
    await expect(removeSyncRoleFrom(client, state, [...others, { id: USER.marketoSync, fullName: "Marketo Sync", isDisabled: false }])).rejects.toMatchObject({
      key: "refuseSyncUser",
    });
    expect(server.org.rolesOf(USER.john).direct.map((r) => r.roleid)).toContain(ROLE.marketoSync);
    const line = evaluate(state).find((i) => i.id === "role.exclusive")!;
    await removeSyncRoleFrom(client, state, line.affectedUsers!, { teams: line.affectedTeams });
    expect(server.org.rolesOf(USER.john).direct).toHaveLength(0);
    expect(server.org.rolesOf(USER.teamOnlyApp).viaTeams).toHaveLength(0);
    expect(server.org.rolesOf(USER.marketoSync).direct.map((r) => r.roleid)).toEqual([ROLE.marketoSync]);
    expect(statuses(await load())["role.exclusive"]).toBe("pass");
  });

  it("enables the disabled plugin steps of the Marketo solution only", async () => {
    await enablePluginSteps(client, await load());
    expect(server.org.get("sdkmessageprocessingstep", STEP.disabled)?.statecode).toBe(0);
    expect(server.org.get("sdkmessageprocessingstep", STEP.unrelated)?.statecode).toBe(1);
    expect(statuses(await load())["solution.steps"]).toBe("pass");
  });

  it("publishes, and waits for a publish already running instead of failing", async () => {
    // No wall clock: the first publish runs until the second call has met it, then both end at once.
    server.org.publishDurationMs = 60 * 60_000;
    const endPublishes = () => {
      server.org.publishDurationMs = 0;
      for (const job of server.org.jobs) if (job.kind === "publish" && !job.done) job.startedAt = Date.now() - job.durationMs;
    };
    const pause = () => new Promise<void>((r) => setImmediate(r));
    const phases: string[] = [];
    let secondAsks = 0;
    const other = new DataverseClient({ orgUrl: server.url, onRequest: ({ url }) => void (url.endsWith("/PublishAllXmlAsync") && ++secondAsks === 2 && endPublishes()) });
    let second: Promise<unknown> | undefined;
    // The second call starts once the first polls its job, so it lands while the first runs.
    const first = publishAll(client, {
      pollIntervalMs: 10,
      sleep: pause,
      onProgress: (p) => void (p === "running" && (second = publishAll(other, { pollIntervalMs: 10, onProgress: (q) => phases.push(q), sleep: pause }))),
    });
    await first;
    await second;
    expect(secondAsks).toBe(2);
    expect(phases).toContain("waitingForOther");
    expect(server.org.publishCount).toBe(2);
    expect(server.org.lastPublishedOn).not.toBeNull();
  });

  it("the sync user can read the config record once it holds the role", async () => {
    await assignSyncRole(client, await load());
    expect(statuses(await load())["user.configRead"]).toBe("pass");
  });

  it("reads which fixes the admin's own roles allow, still in 2 requests", async () => {
    server.org.currentUserId = USER.limited;
    server.resetCount();
    const state = await load();
    expect(server.requestCount()).toBe(2);
    expect(missingPrivileges(state, "assignRole")).toEqual(["prvAssignRole"]);
    expect(missingPrivileges(state, "publish")).toEqual(["prvPublishCustomization"]);
    expect(missingPrivileges(state, "enableSteps")).toEqual([]);
    server.org.currentUserId = USER.admin;
    expect(missingPrivileges(await load(), "assignRole")).toEqual([]);
  });

  it.each([
    ["O'Brien", true, ["Siobhan O'Brien"]],
    ["100%", false, ["100% Data Bot"]],
    ["a_b", false, ["a_b Integration"]],
    ["R&D", false, ["R&D Sync"]],
    ["marketo sync", false, ["Marketo Sync"]],
  ] as const)("search %s returns exactly the matching users", async (text, includeAllUsers, expected) => {
    const found = await searchUsers(client, { text, roleName: ROLE_NAME, includeAllUsers });
    expect(found.map((u) => u.fullName)).toEqual(expected);
  });

  it("search by Client ID finds the application user and says whether it holds the role", async () => {
    const [user] = await searchUsers(client, { text: "c1000000-0000-0000-0000-000000000002", roleName: ROLE_NAME });
    expect(user).toMatchObject({ id: USER.marketoSync, hasRole: false });
    const [maria] = await searchUsers(client, { text: "Maria", roleName: ROLE_NAME, includeAllUsers: true });
    expect(maria.hasRole).toBe(true);
  });
});
