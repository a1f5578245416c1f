/**
 * Who else holds the role, against the stand-in: members of a team that holds it (from Marketo
 * solution 4.0.0.14 on), disabled holders, and before 4.0.0.14 the users who lack it, read past
 * a page and given the role in batches.
 */
import { DataverseClient } from "../../../core/dataverse/client";
import { ASSIGN_BATCH_SIZE, assignRoleToUsers, PartialAssignError, removeSyncRoleFrom } from "../../../core/setup/actions";
import { evaluate } from "../../../core/setup/evaluate";
import { loadSetupState } from "../../../core/setup/load";
import type { CheckId, SetupInput, SetupState } from "../../../core/setup/types";
import { buildDemoFixture } from "../../../devserver/fixtures/demo";
import { withSolutionVersion } from "../../../devserver/fixtures/variants";
import { generateLargeOrg } from "../../../devserver/generate";
import { BU, CONFIG, ROLE, ROLE_NAME, SOLUTION, TEAM, USER } from "../../../devserver/fixtures/ids";
import { startDevServer, type DevServer } from "../../../devserver/server";

jest.setTimeout(120_000);

const input: SetupInput = {
  config: { entity: CONFIG.demo.entity, id: CONFIG.defaultRecord, attribute: CONFIG.demo.userAttribute },
  chosenUserId: USER.marketoSync,
  roleName: ROLE_NAME,
  solutionName: SOLUTION.friendlyName,
};
const check = (s: SetupState, id: CheckId) => evaluate(s).find((c) => c.id === id);

describe("from 4.0.0.14: teams and disabled holders (demo organisation)", () => {
  let server: DevServer;
  let client: DataverseClient;
  beforeEach(async () => {
    server = await startDevServer({ fixture: buildDemoFixture(), publishDurationMs: 0 });
    client = new DataverseClient({ orgUrl: server.url });
    // Saved = picked: the removal is offered.
    await client.update(CONFIG.demo.entitySet, CONFIG.defaultRecord, { [`${CONFIG.demo.userAttribute}@odata.bind`]: `/systemusers(${USER.marketoSync})` });
  });
  afterEach(() => server.close());

  it("names the team's enabled member among the others, and the disabled holder on its own line", async () => {
    const state = await loadSetupState(client, input);
    const line = check(state, "role.exclusive")!;
    expect(line).toMatchObject({ status: "fail", messageKey: "Check_RoleNotExclusiveTeams", fix: "removeRoleFromOthers", params: { teams: "Marketo Admins" } });
    expect(line.affectedTeams!.map((t) => [t.id, t.members.map((m) => m.id)])).toEqual([[TEAM.marketoAdmins, [USER.teamOnlyApp]]]);
    expect(String(line.params.names)).toContain("Team Sync App");
    expect(check(state, "role.disabledHolders")).toMatchObject({ status: "warn", affectedUsers: [expect.objectContaining({ id: USER.formerEmployee })] });
  });

  it("the removal takes the role from the users and from the team, which keeps its members; the line then passes", async () => {
    let state = await loadSetupState(client, input);
    const line = check(state, "role.exclusive")!;
    await removeSyncRoleFrom(client, state, line.affectedUsers!, { teams: line.affectedTeams });
    expect(server.org.links.get("teamroles_association")!.has(`${TEAM.marketoAdmins}|${ROLE.marketoSync}`)).toBe(false);
    expect(server.org.links.get("teammembership_association")!.has(`${TEAM.marketoAdmins}|${USER.teamOnlyApp}`)).toBe(true);
    const disabled = check(state, "role.disabledHolders")!;
    await removeSyncRoleFrom(client, state, disabled.affectedUsers!);
    state = await loadSetupState(client, input);
    expect(check(state, "role.exclusive")!.status).toBe("pass");
    expect(check(state, "role.disabledHolders")).toBeUndefined();
  });
});

describe("the role on a business unit's default team (every user of the unit is a member)", () => {
  let server: DevServer;
  let client: DataverseClient;
  beforeEach(async () => {
    const fixture = buildDemoFixture();
    fixture.associations.teamroles_association.push([TEAM.contosoDefault, ROLE.marketoSync]);
    // The sync user holds the role itself too, so taking it from the team it belongs to is offered.
    fixture.associations.systemuserroles_association.push([USER.marketoSync, ROLE.marketoSync]);
    server = await startDevServer({ fixture, publishDurationMs: 0 });
    client = new DataverseClient({ orgUrl: server.url });
    await client.update(CONFIG.demo.entitySet, CONFIG.defaultRecord, { [`${CONFIG.demo.userAttribute}@odata.bind`]: `/systemusers(${USER.marketoSync})` });
  });
  afterEach(() => server.close());

  /** The enabled users of the root business unit, as the organisation has them. */
  const enabledInContoso = () =>
    [...server.org.table(server.org.entity("systemuser")).values()].filter((u) => u._businessunitid_value === BU.contoso && u.isdisabled !== true).map((u) => String(u.systemuserid));

  it("names the default team and counts every enabled user of the unit but the sync user; removal takes the role from the team only", async () => {
    let state = await loadSetupState(client, input);
    const line = check(state, "role.exclusive")!;
    expect(line).toMatchObject({ status: "fail", messageKey: "Check_RoleNotExclusiveTeams" });
    const team = line.affectedTeams!.find((t) => t.id === TEAM.contosoDefault)!;
    expect(team.members.map((m) => m.id).sort()).toEqual(
      enabledInContoso()
        .filter((id) => id !== USER.marketoSync)
        .sort(),
    );
    expect(enabledInContoso().length).toBeGreaterThan(20);

    await removeSyncRoleFrom(client, state, line.affectedUsers!, { teams: line.affectedTeams });
    expect(server.org.links.get("teamroles_association")!.has(`${TEAM.contosoDefault}|${ROLE.marketoSync}`)).toBe(false);
    // The unit's users are still its default team's members: nobody was moved.
    expect(enabledInContoso().every((id) => server.org.links.get("teammembership_association")!.has(`${TEAM.contosoDefault}|${id}`))).toBe(true);
    state = await loadSetupState(client, input);
    expect(check(state, "role.exclusive")!.status).toBe("pass");
  });

  it("a user created in the unit joins its default team; its membership cannot be changed by hand", async () => {
    const id = await client.create("systemusers", { firstname: "New", lastname: "Hire", internalemailaddress: "new.hire@contoso.com", "businessunitid@odata.bind": `/businessunits(${BU.contoso})` });
    expect(server.org.links.get("teammembership_association")!.has(`${TEAM.contosoDefault}|${id}`)).toBe(true);
    await expect(client.disassociate("teams", TEAM.contosoDefault, "teammembership_association", id)).rejects.toMatchObject({ status: 400, code: "0x80040203" });
    expect(server.org.links.get("teammembership_association")!.has(`${TEAM.contosoDefault}|${id}`)).toBe(true);
    // Moved to another business unit: out of the old unit's default team, into the new one's.
    const europeDefault = "7ea00000-0000-0000-0000-0000000e0de1";
    server.org.insert(server.org.entity("team"), { teamid: europeDefault, name: "Contoso Europe", teamtype: 0, isdefault: true, _businessunitid_value: BU.europe });
    await client.update("systemusers", id, { "businessunitid@odata.bind": `/businessunits(${BU.europe})` });
    expect(server.org.links.get("teammembership_association")!.has(`${TEAM.contosoDefault}|${id}`)).toBe(false);
    expect(server.org.links.get("teammembership_association")!.has(`${europeDefault}|${id}`)).toBe(true);
  });
});

describe("before 4.0.0.14: every enabled user needs the role", () => {
  let server: DevServer;
  let requests: string[];
  let client: DataverseClient;
  // 12,000 users, none holding the role: past two pages of 5,000 lacking it.
  beforeAll(async () => {
    server = await startDevServer({ fixture: withSolutionVersion(generateLargeOrg({ users: 12_000, roles: 0, roleHolders: 0 }), "4.0.0.13"), publishDurationMs: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    requests = [];
    client = new DataverseClient({ orgUrl: server.url, onRequest: (r) => requests.push(`${r.method} ${r.url}`) });
  });

  /** What the organisation says: enabled Read-Write users without a Client ID who hold no copy of the role. */
  function lacking(): string[] {
    const holders = new Set(
      [...server.org.links.get("systemuserroles_association")!]
        .map((p) => p.split("|"))
        .filter(([, r]) => r === ROLE.marketoSync || r === ROLE.marketoSyncEurope)
        .map(([u]) => u),
    );
    return [...server.org.tables.get("systemuser")!.values()]
      .filter((u) => u.isdisabled !== true && u.accessmode === 0 && !u.applicationid && !holders.has(String(u.systemuserid)))
      .map((u) => String(u.systemuserid))
      .sort();
  }

  it("lists everybody who lacks it, following the pages, and assigns it in batches of 100", async () => {
    const state = await loadSetupState(client, input);
    const expected = lacking();
    expect(expected.length).toBeGreaterThan(10_000);
    expect(state.usersWithoutRole!.ok && state.usersWithoutRole!.value.map((u) => u.id).sort()).toEqual(expected);
    // Page links of the users' read: 5,000 a page.
    expect(requests.filter((r) => r.startsWith("GET") && r.includes("systemusers?") && r.includes("skiptoken"))).toHaveLength(2);
    const line = check(state, "role.exclusive")!;
    expect(line).toMatchObject({ status: "fail", fix: "assignRoleToEveryone", params: { count: expected.length } });

    requests = [];
    const some = line.affectedUsers!.slice(0, 250);
    const { assigned } = await assignRoleToUsers(client, state, some);
    expect(assigned).toHaveLength(250);
    expect(requests.filter((r) => r.endsWith("$batch"))).toHaveLength(Math.ceil(250 / ASSIGN_BATCH_SIZE));
    const links = server.org.links.get("systemuserroles_association")!;
    for (const u of some) expect([...links].some((l) => l.startsWith(`${u.id}|`))).toBe(true);
    expect(lacking()).toHaveLength(expected.length - 250);
  });

  it("counts an assignment already there as done, and names who still lacks it when a part fails", async () => {
    const state = await loadSetupState(client, input);
    const users = check(state, "role.exclusive")!.affectedUsers!.slice(0, 3);
    await assignRoleToUsers(client, state, users.slice(0, 1));
    const fault = server.faults.add({ match: { method: "POST", path: `systemusers(${users[2].id})/systemuserroles_association/$ref` }, respond: "privilegeDenied" });
    const error = await assignRoleToUsers(client, state, users).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialAssignError);
    expect((error as PartialAssignError).assigned.map((u) => u.id)).toEqual([users[0].id, users[1].id]);
    expect((error as PartialAssignError).failed.map((u) => u.id)).toEqual([users[2].id]);
    expect(server.faults.fired(fault)).toBe(1);
  });
});
