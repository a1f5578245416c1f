/**
 * Every action under every fault: the admin gets a plain message or the action recovers; the
 * Marketo User stored on the record never changes; no role is removed or doubled by a retry;
 * and the checklist after recovery is right. Every scenario asserts that its fault was met (a
 * fault aimed at a request nobody sends would otherwise leave "recovers" green), and no scenario
 * depends on how fast the machine is: a timeout is a request held until the test drops it.
 */
import { DataverseClient } from "../../../core/dataverse/client";
import { assignSyncRole, enablePluginSteps, publishAll, removeSyncRoleFrom } from "../../../core/setup/actions";
import { evaluate, otherRoleHolders } from "../../../core/setup/evaluate";
import { loadSetupState } from "../../../core/setup/load";
import { describeError } from "../../../core/setup/messages";
import { searchUsers } from "../../../core/setup/search";
import type { SetupInput, SetupState } from "../../../core/setup/types";
import { startDevServer, type DevServer } from "../../../devserver/server";
import type { FaultResponse, Held } from "../../../devserver/faults";
import { CONFIG, ROLE, ROLE_NAME, SECRET, SOLUTION, STEP, USER } from "../../../devserver/fixtures/ids";
import { readResx } from "../../helpers/resx";
import { cli, connectionArgs } from "../cli/helpers";
import { buildZips } from "../cli/zips";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCENARIOS, type Action, type FaultName } from "./scenarios";

jest.setTimeout(20_000);

const names = CONFIG.demo;
const en = readResx("1033");
const fr = readResx("1036");
let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ publishDurationMs: 0 });
});
afterAll(() => server.close());

const input = (): SetupInput => ({
  config: { entity: names.entity, id: CONFIG.defaultRecord, attribute: names.userAttribute },
  chosenUserId: USER.marketoSync,
  roleName: ROLE_NAME,
  solutionName: SOLUTION.friendlyName,
});

/**
 * Retries pause for a macrotask, not for the delay asked. The timeout is the client's default
 * (30 s) except in the "timeout" scenarios, where the held request can never be answered in time:
 * there one second is the wait under test, and the retry that follows is not held.
 */
function client(timeoutMs?: number) {
  return new DataverseClient({ orgUrl: server.url, timeoutMs, maxRetries: 2, baseRetryDelayMs: 5, sleep: () => new Promise((r) => setImmediate(r)) });
}
const TIMEOUT_UNDER_TEST_MS = 1000;

/** Where each action's requests go: the fault hits that request. */
const TARGET: Record<Exclude<Action, "CLI deploy">, { method: string; path: string | RegExp }> = {
  load: { method: "POST", path: "$batch" },
  search: { method: "GET", path: /^systemusers\?/ },
  assign: { method: "POST", path: "systemuserroles_association/$ref" },
  remove: { method: "DELETE", path: "systemuserroles_association(" },
  enableSteps: { method: "PATCH", path: "sdkmessageprocessingsteps(" },
  publish: { method: "POST", path: "PublishAllXmlAsync" },
};

const busy = { status: 400, body: { error: { code: "0x8004F063", message: "Cannot start another [PublishAll] because there is a previous [PublishAll] running at this moment." } } };

/** `respond: "held"`: the request waits for the test (faults.hold), never for a clock. */
function faultFor(fault: FaultName): { respond: FaultResponse | "held"; times: number; target?: { method: string; path: string | RegExp } } {
  switch (fault) {
    case "429 with Retry-After":
      return { respond: server.faults.presets.throttle(0), times: 1 };
    // Each of the three service protection limits; Dataverse always gives Retry-After with them.
    case "429 execution time":
      return { respond: server.faults.presets.throttle(0, "executionTime"), times: 1 };
    case "429 concurrent requests":
      return { respond: server.faults.presets.throttle(0, "concurrency"), times: 1 };
    case "429 storm":
      return { respond: server.faults.presets.throttle(0), times: 10 };
    // 503 without Retry-After: the client's own back-off.
    case "503":
      return { respond: server.faults.presets.unavailable(), times: 1 };
    case "timeout":
    case "slow answer":
      return { respond: "held", times: 1 };
    case "dropped connection":
      return { respond: "drop", times: 1 };
    case "401 session expired":
      return { respond: { status: 401, body: { error: { code: "0x80072560", message: "The user is not authenticated." } } }, times: 1 };
    case "403 privilege":
      return { respond: "privilegeDenied", times: 1 };
    case "publish lock":
      return { respond: busy, times: 2 };
    case "publish fails":
      return { respond: "publishFail", times: 1 };
    case "server error mid-batch":
      return { respond: { status: 500, body: { error: { code: "0x80040216", message: "An unexpected error occurred." } } }, times: 1, target: { method: "GET", path: /^roles\?/ } };
  }
}

async function prepared(): Promise<SetupState> {
  server.reset();
  // The sync user is saved and holds the role, so removal has others to act on and a user to protect.
  const c = client();
  await c.update(names.entitySet, CONFIG.defaultRecord, { [`${names.navigation}@odata.bind`]: `/systemusers(${USER.marketoSync})` });
  await assignSyncRole(c, await loadSetupState(c, input()));
  return loadSetupState(c, input());
}

/**
 * Adds the scenario's fault where the action's request goes. A held request is dropped at the end
 * of a timeout scenario (its client gave up) and let through as soon as it arrives for a slow answer.
 */
function inject(on: DevServer, fault: FaultName, match: { method: string; path: string | RegExp }, respond: FaultResponse | "held", times: number): { id: number; end: () => void } {
  if (respond !== "held") return { id: on.faults.add({ match, times, respond }), end: () => undefined };
  const held: Held = on.faults.hold({ match, times });
  if (fault === "slow answer") void held.arrived().then(held.release);
  return { id: held.id, end: held.drop };
}

/** A scenario that recovers has met every use of its fault; one that is explained, at least one. */
function expectFaultMet(on: DevServer, id: number, outcome: string, times: number): void {
  if (outcome === "recovers") expect({ fired: on.faults.fired(id) }).toEqual({ fired: times });
  else expect(on.faults.fired(id)).toBeGreaterThanOrEqual(1);
}

async function run(action: Exclude<Action, "CLI deploy">, c: DataverseClient, state: SetupState): Promise<unknown> {
  switch (action) {
    case "load":
      return loadSetupState(c, input());
    case "search":
      return searchUsers(c, { text: "O'Brien", roleName: ROLE_NAME, includeAllUsers: true });
    case "assign":
      // A state read before the role was given: the action really sends the association.
      return assignSyncRole(c, { ...state, chosenUser: state.chosenUser?.ok ? { ok: true, value: { ...state.chosenUser.value, directRoleIds: [] } } : state.chosenUser });
    case "remove": {
      // As the checklist offers it: the users who hold the role, and the team that gives it to one.
      const line = evaluate(state).find((i) => i.id === "role.exclusive")!;
      return removeSyncRoleFrom(c, state, line.affectedUsers ?? otherRoleHolders(state), { teams: line.affectedTeams });
    }
    case "enableSteps":
      return enablePluginSteps(c, state);
    case "publish":
      return publishAll(c, { pollIntervalMs: 5, sleep: () => new Promise((r) => setImmediate(r)) });
  }
}

const savedUser = () => server.org.get(names.entity, CONFIG.defaultRecord)?.[`_${names.userAttribute}_value`];
const roleHolders = () => [USER.marketoSync, USER.john, USER.maria].map((u) => server.org.rolesOf(u).direct.filter((r) => r.roleid === ROLE.marketoSync).length);

const CONTROL_SCENARIOS = SCENARIOS.filter((s): s is typeof s & { action: Exclude<Action, "CLI deploy"> } => s.action !== "CLI deploy");

describe.each(CONTROL_SCENARIOS.map((s) => [s.action, s.fault, s.outcome] as const))("%s under %s", (action, fault, outcome) => {
  it(outcome === "recovers" ? "recovers" : `explains with ${outcome}`, async () => {
    const state = await prepared();
    const rolesBefore = roleHolders();
    const spec = faultFor(fault);
    const target = spec.target ?? TARGET[action];
    const injected = inject(server, fault, { method: target.method, path: target.path }, spec.respond, spec.times);

    const c = client(fault === "timeout" ? TIMEOUT_UNDER_TEST_MS : undefined);
    const result = await run(action, c, state).then(
      (value) => ({ ok: true as const, value }),
      (error) => ({ ok: false as const, error }),
    );
    injected.end();
    expectFaultMet(server, injected.id, outcome, spec.times);

    if (outcome === "recovers") {
      expect(result).toMatchObject({ ok: true });
    } else if (outcome === "Check_Unknown") {
      expect(result.ok).toBe(true);
      const items = evaluate((result as { value: SetupState }).value);
      const unknown = items.filter((i) => i.status === "unknown" && i.error);
      expect(unknown.map((i) => i.id)).toEqual(expect.arrayContaining(["user.role", "role.exclusive"]));
      expect(items.find((i) => i.id === "solution.installed")!.status).toBe("pass");
    } else {
      expect(result.ok).toBe(false);
      const message = describeError((result as { error: unknown }).error, action === "remove" ? "removeRole" : action === "assign" ? "assignRole" : action);
      expect(message.key).toBe(outcome);
      expect(en.get(message.key)).toBeTruthy();
      expect(fr.get(message.key)).toBeTruthy();
      if (message.hintKey) expect(en.get(message.hintKey)).toBeTruthy();
      expect(message.details).not.toBe("");
    }

    // Nothing the admin did not ask for changed.
    expect(savedUser()).toBe(USER.marketoSync);
    const rolesAfter = roleHolders();
    expect(rolesAfter[0]).toBe(1); // the sync user keeps exactly one copy: never removed, never doubled
    if (action !== "remove") expect(rolesAfter).toEqual(rolesBefore);
    if (action === "remove" && outcome !== "recovers") expect(rolesAfter.slice(1).every((n) => n <= 1)).toBe(true);

    // After recovery the checklist tells the truth.
    server.faults.clear();
    const after = evaluate(await loadSetupState(client(), input()));
    const status = (id: string) => after.find((i) => i.id === id)!.status;
    expect(status("user.role")).toBe("pass");
    expect(status("user.selected")).toBe("pass");
    if (action === "remove") expect(status("role.exclusive")).toBe(outcome === "recovers" ? "pass" : "fail");
    if (action === "enableSteps") expect(status("solution.steps")).toBe(outcome === "recovers" ? "pass" : "fail");
    if (action === "enableSteps" && outcome === "recovers") expect(server.org.get("sdkmessageprocessingstep", STEP.disabled)?.statecode).toBe(0);
  });
});

/**
 * The CLI's deploy against the token-mode devserver: the import request meets the fault. Whatever
 * happens, the solution is imported at most once, and a failure is explained in plain words.
 */
describe("CLI deploy", () => {
  let tokenServer: DevServer;
  let zip: string;
  let dir: string;
  beforeAll(async () => {
    tokenServer = await startDevServer({ auth: "token", publishDurationMs: 0, importDurationMs: 0 });
    dir = mkdtempSync(join(tmpdir(), "mss-faults-"));
    zip = buildZips(dir).v1Managed;
  });
  afterAll(async () => {
    await tokenServer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deployScenarios = SCENARIOS.filter((s) => s.action === "CLI deploy");
  it.each(deployScenarios.map((s) => [s.fault, s.outcome] as const))("under %s: %s", async (fault, outcome) => {
    tokenServer.reset();
    const spec = faultFor(fault);
    const respond = spec.respond === "privilegeDenied" ? { privilegeDenied: "prvImportCustomization" } : spec.respond;
    const injected = inject(tokenServer, fault, { method: "POST", path: "ImportSolutionAsync" }, respond, spec.times);
    const result = await cli(["deploy", zip, "--no-publish", ...connectionArgs(tokenServer)]);
    injected.end();
    const output = result.stdout + result.stderr;
    expectFaultMet(tokenServer, injected.id, outcome, spec.times);
    if (outcome === "recovers") {
      expect({ code: result.code, output }).toMatchObject({ code: 0 });
      expect(tokenServer.org.imports).toHaveLength(1);
    } else {
      expect(result.code).not.toBe(0);
      expect(output).toContain(en.get(outcome)!);
      expect(tokenServer.org.imports).toHaveLength(0);
    }
    expect(output).not.toContain(SECRET.marketoSync);
  });
});

/** The hold the scenarios rely on: a request waits for the test, then is answered or dropped. */
describe("a held request", () => {
  const whoAmI = () => fetch(`${server.url}/api/data/v9.2/WhoAmI`, { headers: { Accept: "application/json" } });

  it("is answered only once released, and counted as it arrives", async () => {
    server.reset();
    const held = server.faults.hold({ match: { path: "WhoAmI" } });
    let answered = false;
    const first = whoAmI().then((r) => {
      answered = true;
      return r.status;
    });
    await held.arrived();
    expect(server.faults.fired(held.id)).toBe(1);
    // A whole round trip later the held one still waits: the hold is used up, this one is not held.
    expect((await whoAmI()).status).toBe(200);
    expect(answered).toBe(false);
    held.release();
    expect(await first).toBe(200);
  });

  it("is dropped when the test says so", async () => {
    server.reset();
    const held = server.faults.hold({ match: { path: "WhoAmI" } });
    const first = whoAmI();
    await held.arrived();
    held.drop();
    await expect(first).rejects.toThrow();
    await expect(server.faults.whenFired(held.id, 1)).resolves.toBeUndefined();
  });
});
