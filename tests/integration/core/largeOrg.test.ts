/**
 * A large organisation: more than 5,000 users hold the role. Dataverse returns at most 5,000 rows
 * of an expanded collection, then `<nav>@odata.nextLink` (join-tables.md); the loader follows it,
 * so "nobody else has the role" and "remove from the others" see every holder.
 */
import { DataverseClient } from "../../../core/dataverse/client";
import { removeSyncRoleFrom } from "../../../core/setup/actions";
import { evaluate, otherRoleHolders } from "../../../core/setup/evaluate";
import { EXPANDED_ROWS_LIMIT, loadSetupState } from "../../../core/setup/load";
import type { SetupInput } from "../../../core/setup/types";
import { generateLargeOrg } from "../../../devserver/generate";
import { CONFIG, ROLE, ROLE_NAME, SOLUTION, USER } from "../../../devserver/fixtures/ids";
import { startDevServer, type DevServer } from "../../../devserver/server";

jest.setTimeout(120_000);

let server: DevServer;
let requests: string[];
let client: DataverseClient;
const input: SetupInput = {
  config: { entity: CONFIG.demo.entity, id: CONFIG.defaultRecord, attribute: CONFIG.demo.userAttribute },
  chosenUserId: USER.marketoSync,
  roleName: ROLE_NAME,
  solutionName: SOLUTION.friendlyName,
};

beforeAll(async () => {
  // 14,000 generated users; every second one (its business unit's) holds the role: 7,000 holders.
  server = await startDevServer({ fixture: generateLargeOrg({ users: 14_000, roles: 0, roleHolders: 14_000 }), publishDurationMs: 0 });
  client = new DataverseClient({ orgUrl: server.url, onRequest: (r) => requests.push(r.url) });
});
afterAll(() => server.close());
beforeEach(() => {
  requests = [];
});

/** What the organisation says: enabled users other than the sync user holding a copy of the role, directly or through a team. */
function expectedOthers(): string[] {
  const copies = new Set([ROLE.marketoSync, ROLE.marketoSyncEurope]);
  const pairs = (rel: string) => [...server.org.links.get(rel)!].map((p) => p.split("|"));
  const teams = new Set(
    pairs("teamroles_association")
      .filter(([, role]) => copies.has(role))
      .map(([team]) => team),
  );
  const holders = [
    ...pairs("systemuserroles_association")
      .filter(([, role]) => copies.has(role))
      .map(([user]) => user),
    ...pairs("teammembership_association")
      .filter(([team]) => teams.has(team))
      .map(([, user]) => user),
  ];
  return [...new Set(holders)].filter((id) => id !== USER.marketoSync && server.org.get("systemuser", id)!.isdisabled !== true).sort();
}

it("sees every holder of the role, following the expansion's nextLink", async () => {
  const state = await loadSetupState(client, input);
  expect(state.roles.ok).toBe(true);
  const copy = state.roles.ok ? state.roles.value.find((r) => r.id === ROLE.marketoSync)! : undefined;
  expect(copy!.holders.length).toBeGreaterThan(EXPANDED_ROWS_LIMIT + 1000);
  const others = otherRoleHolders(state)
    .map((u) => u.id)
    .sort();
  expect(others).toEqual(expectedOthers());
  // Two batches, then the link's two pages (5,000 and the rest) for the cut copy only.
  const followUps = requests.filter((u) => u.includes(`/roles(${ROLE.marketoSync})/systemuserroles_association`));
  expect(followUps).toHaveLength(2);
  expect(requests).toHaveLength(4);
  expect(state.roundTrips).toBe(4);
  const exclusive = evaluate(state).find((c) => c.id === "role.exclusive")!;
  expect(exclusive.status).not.toBe("pass");
});

it("remove-role targets the holders past the first 5,000 too", async () => {
  const state = await loadSetupState(client, input);
  const firstPage = await client.get<{ value: Array<{ systemuserroles_association: Array<{ systemuserid: string }> }> }>(
    `roles?$select=roleid&$filter=roleid eq ${ROLE.marketoSync}&$expand=systemuserroles_association($select=systemuserid)`,
  );
  const inFirstPage = new Set(firstPage.value[0].systemuserroles_association.map((u) => u.systemuserid));
  expect(inFirstPage.size).toBe(EXPANDED_ROWS_LIMIT);
  const hidden = otherRoleHolders(state).filter((u) => !inFirstPage.has(u.id));
  expect(hidden.length).toBeGreaterThan(1000);
  // Removing from a few of those the first page hides is enough to show they are targeted.
  const some = hidden.slice(0, 5);
  const { removed } = await removeSyncRoleFrom(client, state, some);
  expect(removed.map((u) => u.id)).toEqual(some.map((u) => u.id));
  const links = server.org.links.get("systemuserroles_association")!;
  for (const u of some) expect(links.has(`${u.id}|${ROLE.marketoSync}`)).toBe(false);
});

it("reports the roles as unknown when a page of the link fails, never a short list", async () => {
  server.faults.add({ match: { path: `roles(${ROLE.marketoSync})/systemuserroles_association` }, respond: { status: 500, body: { error: { code: "0x80040216", message: "boom" } } } });
  const state = await loadSetupState(new DataverseClient({ orgUrl: server.url, maxRetries: 0 }), input);
  expect(state.roles.ok).toBe(false);
  expect(evaluate(state).find((c) => c.id === "role.exclusive")!.status).toBe("unknown");
});
