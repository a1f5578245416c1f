import { DataverseClient } from "../../../core/dataverse/client";
import { assignSyncRole, enablePluginSteps, PartialRemovalError, publishAll, removeSyncRoleFrom, SetupActionError } from "../../../core/setup/actions";
import { describeError } from "../../../core/setup/messages";
import { dataverseError, fakeFetch, json, Responder } from "../../helpers/fakeFetch";
import { IDS, passingState, user } from "../../helpers/stateBuilder";

const ORG = "https://org.example";
const API = `${ORG}/api/data/v9.2/`;
const noContent = () => new Response(null, { status: 204 });

function client(answers: Responder | Array<Response | "drop">) {
  const f = fakeFetch(answers);
  return { c: new DataverseClient({ orgUrl: ORG, fetch: f.fetch, sleep: async () => undefined }), calls: f.calls };
}

function withoutRole() {
  const s = passingState();
  if (s.chosenUser?.ok) s.chosenUser.value.directRoleIds = [];
  if (s.roles.ok) s.roles.value[0].holders = [];
  return s;
}

describe("assignSyncRole", () => {
  it("associates the copy of the role in the user's own business unit", async () => {
    const s = withoutRole();
    if (s.chosenUser?.ok) s.chosenUser.value.businessUnitId = IDS.buChild;
    const { c, calls } = client([noContent()]);
    await expect(assignSyncRole(c, s)).resolves.toEqual({ changed: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: "POST", url: `${API}systemusers(${IDS.syncUser})/systemuserroles_association/$ref` });
    expect(JSON.parse(calls[0].body!)["@odata.id"]).toBe(`${API}roles(${IDS.roleChild})`);
  });

  it("sends nothing when the user already holds it", async () => {
    const { c, calls } = client([]);
    await expect(assignSyncRole(c, passingState())).resolves.toEqual({ changed: false });
    expect(calls).toHaveLength(0);
  });

  it("counts Dataverse's duplicate-key answer as success", async () => {
    const { c } = client([dataverseError(400, "0x80040237", "Cannot insert duplicate key.")]);
    await expect(assignSyncRole(c, withoutRole())).resolves.toEqual({ changed: false });
  });

  it("refuses without a request when the business unit has no copy", async () => {
    const s = withoutRole();
    if (s.chosenUser?.ok) s.chosenUser.value.businessUnitId = "77777777-0000-4000-8000-000000000001";
    const { c, calls } = client([]);
    await expect(assignSyncRole(c, s)).rejects.toMatchObject({ key: "noRoleCopy" });
    expect(calls).toHaveLength(0);
  });

  it("passes privilege errors on, typed", async () => {
    const { c } = client([dataverseError(403, "0x80040220", "missing prvAssignRole")]);
    await expect(assignSyncRole(c, withoutRole())).rejects.toMatchObject({ kind: "privilege" });
  });

  it("needs a chosen user", async () => {
    const s = passingState();
    s.chosenUser = undefined;
    await expect(assignSyncRole(client([]).c, s)).rejects.toBeInstanceOf(SetupActionError);
  });
});

describe("removeSyncRoleFrom", () => {
  function withOthers() {
    const s = passingState();
    const a = user(IDS.other1, "Zoe Admin");
    const b = user(IDS.other2, "Anna Sales", { businessUnitId: IDS.buChild });
    if (s.roles.ok) {
      s.roles.value[0].holders.push(a);
      s.roles.value[1].holders.push(b);
    }
    return { s, a, b };
  }

  it("removes each user's copy of the role, one user after another", async () => {
    const { s, a, b } = withOthers();
    const { c, calls } = client([noContent(), noContent()]);
    await expect(removeSyncRoleFrom(c, s, [a, b])).resolves.toEqual({ removed: [a, b], teams: [] });
    expect(calls.map((x) => `${x.method} ${x.url.replace(API, "")}`)).toEqual([
      `DELETE systemusers(${IDS.other1})/systemuserroles_association(${IDS.roleRoot})/$ref`,
      `DELETE systemusers(${IDS.other2})/systemuserroles_association(${IDS.roleChild})/$ref`,
    ]);
  });

  it("refuses to touch the sync user and sends nothing", async () => {
    const { s, a } = withOthers();
    const { c, calls } = client([]);
    await expect(removeSyncRoleFrom(c, s, [a, user(IDS.syncUser, "Marketo Sync")])).rejects.toMatchObject({ key: "refuseSyncUser" });
    expect(calls).toHaveLength(0);
  });

  it("also protects the saved user while the form holds another", async () => {
    const { s, a } = withOthers();
    s.savedUserId = { ok: true, value: IDS.other1 };
    await expect(removeSyncRoleFrom(client([]).c, s, [a])).rejects.toMatchObject({ key: "refuseSyncUser" });
  });

  it("treats an association already gone as removed", async () => {
    const { s, a } = withOthers();
    const { c } = client([dataverseError(404, "0x80040217", "Does Not Exist")]);
    await expect(removeSyncRoleFrom(c, s, [a])).resolves.toEqual({ removed: [a], teams: [] });
  });

  it("stops at the first failure and says who was done", async () => {
    const { s, a, b } = withOthers();
    const { c, calls } = client([noContent(), dataverseError(403, "0x80040220", "no")]);
    const error = await removeSyncRoleFrom(c, s, [a, b]).catch((e) => e);
    expect(error).toBeInstanceOf(PartialRemovalError);
    expect(error.removed).toEqual([a]);
    expect(error.failedFor).toEqual(b);
    expect(calls).toHaveLength(2);
  });
});

describe("enablePluginSteps", () => {
  it("patches only the disabled steps to Enabled", async () => {
    const s = passingState();
    s.steps = {
      ok: true,
      value: [
        { id: IDS.step1, name: "Create lead", enabled: false },
        { id: IDS.step2, name: "Update lead", enabled: true },
      ],
    };
    const { c, calls } = client([noContent()]);
    await expect(enablePluginSteps(c, s)).resolves.toEqual({ enabled: ["Create lead"], skipped: [] });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: "PATCH", url: `${API}sdkmessageprocessingsteps(${IDS.step1})` });
    expect(JSON.parse(calls[0].body!)).toEqual({ statecode: 0, statuscode: 1 });
  });

  it("skips managed steps that are not customizable without sending anything for them", async () => {
    const s = passingState();
    s.steps = {
      ok: true,
      value: [
        { id: IDS.step1, name: "Create lead", enabled: false, isManaged: true, isCustomizable: false },
        { id: IDS.step2, name: "Update lead", enabled: false, isManaged: true, isCustomizable: true },
      ],
    };
    const { c, calls } = client([noContent()]);
    await expect(enablePluginSteps(c, s)).resolves.toEqual({ enabled: ["Update lead"], skipped: ["Create lead"] });
    expect(calls.map((x) => x.url)).toEqual([`${API}sdkmessageprocessingsteps(${IDS.step2})`]);
  });

  it("counts a step Dataverse refuses as read-only as skipped and goes on with the others", async () => {
    const s = passingState();
    s.steps = {
      ok: true,
      value: [
        { id: IDS.step1, name: "Create lead", enabled: false },
        { id: IDS.step2, name: "Update lead", enabled: false },
      ],
    };
    const { c, calls } = client([dataverseError(400, "0x8004022E", "The object cannot be updated because it is read-only."), noContent()]);
    await expect(enablePluginSteps(c, s)).resolves.toEqual({ enabled: ["Update lead"], skipped: ["Create lead"] });
    expect(calls).toHaveLength(2);
  });

  it("still fails on any other refusal", async () => {
    const s = passingState();
    s.steps = { ok: true, value: [{ id: IDS.step1, name: "Create lead", enabled: false }] };
    const { c } = client([dataverseError(403, "0x80040220", "no privilege")]);
    await expect(enablePluginSteps(c, s)).rejects.toMatchObject({ kind: "privilege" });
  });
});

describe("publishAll", () => {
  const OP = "88888888-0000-4000-8000-000000000001";
  const op = (statecode: number, statuscode: number, extra = {}) => json(200, { statecode, statuscode, ...extra });
  const opts = { sleep: async () => undefined, pollIntervalMs: 1 };

  it("starts PublishAllXmlAsync and follows the async operation to success", async () => {
    const phases: string[] = [];
    const { c, calls } = client([json(200, { AsyncOperationId: OP }), op(2, 20), op(3, 30, { completedon: "2026-11-27T10:00:00Z" })]);
    await expect(publishAll(c, { ...opts, onProgress: (p) => phases.push(p) })).resolves.toEqual({ completedOn: "2026-11-27T10:00:00Z", joined: false });
    expect(calls.map((x) => `${x.method} ${x.url.replace(API, "").split("?")[0]}`)).toEqual(["POST PublishAllXmlAsync", `GET asyncoperations(${OP})`, `GET asyncoperations(${OP})`]);
    expect(phases).toEqual(["starting", "running", "done"]);
  });

  it("waits for another publish instead of failing", async () => {
    const phases: string[] = [];
    const busy = () => dataverseError(400, "0x8004F063", "Cannot start another [PublishAll] because there is a previous [PublishAll] running at this moment.");
    const { c } = client([busy(), busy(), json(200, { AsyncOperationId: OP }), op(3, 30)]);
    await expect(publishAll(c, { ...opts, onProgress: (p) => phases.push(p) })).resolves.toMatchObject({ joined: false });
    expect(phases).toEqual(["starting", "waitingForOther", "waitingForOther", "running", "done"]);
  });

  it("waits for an import (any lock form), telling which operation holds the lock", async () => {
    const progress: unknown[] = [];
    const { c, calls } = client([
      dataverseError(429, "0x80071151", "Cannot start the requested operation [PublishAll] because there is another [Import] running at this moment."),
      dataverseError(400, "0x8004F061", "Cannot start the requested operation because there is a customization running at this moment."),
      json(200, { AsyncOperationId: OP }),
      op(3, 30),
    ]);
    await expect(publishAll(c, { ...opts, onProgress: (p, d) => progress.push([p, d]) })).resolves.toMatchObject({ joined: false });
    expect(progress).toEqual([
      ["starting", undefined],
      ["waitingForOther", { blockedBy: "Import", attempt: 1 }],
      ["waitingForOther", { blockedBy: undefined, attempt: 2 }],
      // The publish's system job, once started: Ctrl-C in the CLI names it (publish --job ID).
      ["running", { attempt: 0, operationId: OP }],
      ["done", undefined],
    ]);
    expect(calls.filter((x) => x.method === "POST")).toHaveLength(3);
  });

  it("starts again when the lock ends our own publish job (another import started first)", async () => {
    const { c, calls } = client([
      json(200, { AsyncOperationId: OP }),
      op(3, 31, { message: "Cannot start the requested operation [PublishAll] because there is another [Import] running at this moment." }),
      json(200, { AsyncOperationId: OP }),
      op(3, 30, { completedon: "2026-11-27T10:00:00Z" }),
    ]);
    await expect(publishAll(c, opts)).resolves.toEqual({ completedOn: "2026-11-27T10:00:00Z", joined: false });
    expect(calls.filter((x) => x.method === "POST")).toHaveLength(2);
  });

  it("gives up waiting for the lock after maxWaitMs, with publishLocked naming the operation", async () => {
    let clock = 0;
    const lock = () => dataverseError(400, "0x8004F064", "Cannot start the requested operation [PublishAll] because there is another [Import] running at this moment.");
    const { c, calls } = client(() => lock());
    const error = await publishAll(c, { pollIntervalMs: 1, maxWaitMs: 5 * 60_000, now: () => clock, sleep: async () => void (clock += 60_000) }).catch((e) => e);
    expect(error).toBeInstanceOf(SetupActionError);
    expect(error).toMatchObject({ key: "publishLocked", params: { operation: "Import", minutes: 5 } });
    expect(describeError(error, "publish")).toMatchObject({ key: "Action_publishLocked", details: expect.stringContaining("Code: 0x8004F064") });
    expect(calls).toHaveLength(7); // one a minute from 0 to 6: the one past the 5-minute bound is the last
  });

  it("waits for the lock on the synchronous PublishAllXml too", async () => {
    const phases: string[] = [];
    const { c } = client([
      dataverseError(404, "0x80060888", "Resource not found for the segment 'PublishAllXmlAsync'."),
      dataverseError(400, "0x8004F063", "Cannot start another [PublishAll] because there is a previous [PublishAll] running at this moment."),
      new Response(null, { status: 204 }),
    ]);
    await expect(publishAll(c, { ...opts, onProgress: (p) => phases.push(p) })).resolves.toMatchObject({ joined: false });
    expect(phases).toEqual(["starting", "running", "waitingForOther", "running", "done"]);
  });

  it("reports a failed publish with the server's message", async () => {
    const { c } = client([json(200, { AsyncOperationId: OP }), op(3, 31, { message: "Publish failed: entity x" })]);
    await expect(publishAll(c, opts)).rejects.toMatchObject({ key: "publishFailed", message: "Publish failed: entity x" });
  });

  it("does not start a second publish while one runs", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { c, calls } = client(async (call) => {
      if (call.url.endsWith("PublishAllXmlAsync")) return json(200, { AsyncOperationId: OP });
      await gate;
      return op(3, 30);
    });
    const first = publishAll(c, opts);
    const second = publishAll(c, opts);
    release();
    await expect(first).resolves.toMatchObject({ joined: false });
    await expect(second).resolves.toMatchObject({ joined: true });
    expect(calls.filter((x) => x.method === "POST")).toHaveLength(1);
  });

  it("falls back to PublishAllXml where the async action does not exist", async () => {
    const { c, calls } = client([dataverseError(404, "0x80060888", "Resource not found for the segment 'PublishAllXmlAsync'."), noContent()]);
    await expect(publishAll(c, opts)).resolves.toMatchObject({ joined: false });
    expect(calls.map((x) => x.url.replace(API, ""))).toEqual(["PublishAllXmlAsync", "PublishAllXml"]);
  });

  it("gives up waiting after maxWaitMs", async () => {
    let t = 0;
    const busy = () => dataverseError(400, "0x8004F063", "Cannot start another [PublishAll]");
    const { c } = client(() => busy());
    await expect(publishAll(c, { sleep: async () => void (t += 1000), now: () => t, pollIntervalMs: 1000, maxWaitMs: 5000 })).rejects.toMatchObject({ key: "publishLocked" }); // ours never started: not "taking longer than expected"
  });

  it("gives up following its own publish after maxWaitMs with publishTimeout", async () => {
    let t = 0;
    const { c } = client((call) => (call.method === "POST" ? json(200, { AsyncOperationId: OP }) : op(2, 20)));
    await expect(publishAll(c, { sleep: async () => void (t += 1000), now: () => t, pollIntervalMs: 1000, maxWaitMs: 5000 })).rejects.toMatchObject({ key: "publishTimeout" });
  });
});
