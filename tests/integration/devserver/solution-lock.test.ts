/**
 * Dataverse's solution-operation lock on the devserver, and the publish that waits for it: while an
 * import or a publish runs, the publishes and imports are refused with the lock the error reference
 * gives for that pair; every form the lock takes (fault presets) makes publishAll wait, then succeed.
 * Time never passes on its own: the held import ends when the test's sleep gate says so.
 */
import { DataverseClient } from "../../../core/dataverse/client";
import { publishAll, type PublishPhase, type PublishProgress } from "../../../core/setup/actions";
import { SOLUTION_LOCK_FORMS } from "../../../devserver/faults";
import { USER } from "../../../devserver/fixtures/ids";
import type { DevServer } from "../../../devserver/server";
import { holdImport } from "../../helpers/solutionLock";
import { call, get, start, type Collection } from "./helpers";

let server: DevServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const PARAMETER_XML = "<importexportxml><entities><entity>lead</entity></entities></importexportxml>";
const error = (r: { status: number; body: unknown }) => ({ status: r.status, ...((r.body as { error: { code: string; message: string } }).error ?? {}) });

describe("the devserver refuses a second solution operation as Dataverse does", () => {
  it("while an import runs: publishes get 0x8004F064 naming [Import], another import 429 0x80071151", async () => {
    const held = await holdImport(server);
    expect(error(await call(server, "POST", "PublishAllXmlAsync", {}))).toEqual({
      status: 400,
      code: "0x8004F064",
      message: "Cannot start the requested operation [PublishAll] because there is another [Import] running at this moment. Use Solution History for more details.",
    });
    expect(error(await call(server, "POST", "PublishAllXml", {}))).toMatchObject({ status: 400, code: "0x8004F064" });
    expect(error(await call(server, "POST", "PublishXml", { ParameterXml: PARAMETER_XML }))).toMatchObject({
      code: "0x8004F064",
      message: expect.stringContaining("[Publish] because there is another [Import]"),
    });
    expect(error(await call(server, "POST", "ImportSolution", { CustomizationFile: "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==" }))).toMatchObject({
      status: 429,
      code: "0x80071151",
      message: expect.stringContaining("installation or removal of another solution at the same time"),
    });
    expect(server.org.publishCount).toBe(0);

    held.finish();
    expect((await call(server, "POST", "PublishAllXml", {})).status).toBe(204);
    const solutions = (await get<Collection>(server, "solutions?$select=uniquename&$filter=uniquename eq 'LockTestSolution'")).body.value;
    expect(solutions).toHaveLength(1); // the held import completed (successfully), then the publish ran
  });

  it("while a publish runs: another PublishAll gets 0x8004F063, PublishXml and imports 0x8004F064 naming [PublishAll]", async () => {
    server.org.publishDurationMs = 60 * 60_000;
    const started = await call<{ AsyncOperationId: string }>(server, "POST", "PublishAllXmlAsync", {});
    expect(started.status).toBe(200);
    expect(error(await call(server, "POST", "PublishAllXmlAsync", {}))).toEqual({
      status: 400,
      code: "0x8004F063",
      message: "Cannot start another [PublishAll] because there is a previous [PublishAll] running at this moment. Use Solution History for more details.",
    });
    expect(error(await call(server, "POST", "PublishXml", { ParameterXml: PARAMETER_XML }))).toMatchObject({
      code: "0x8004F064",
      message: expect.stringContaining("[Publish] because there is another [PublishAll]"),
    });
    expect(error(await call(server, "POST", "ImportSolutionAsync", { CustomizationFile: "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==" }))).toMatchObject({
      status: 400,
      code: "0x8004F064",
      message: expect.stringContaining("[Import] because there is another [PublishAll]"),
    });
    expect(server.org.imports).toHaveLength(0);
  });

  it("checks the privilege before the lock", async () => {
    await holdImport(server);
    const r = await call(server, "POST", "PublishAllXmlAsync", {}, { "x-devserver-user": USER.limited });
    expect(error(r)).toMatchObject({ status: 403, code: "0x80040220" });
  });
});

describe("publishAll waits for the lock, then publishes", () => {
  /** A publish whose every pause is a gate: the held import ends at the given pause. */
  function gatedPublish(finishAt: number, finish: () => void) {
    const client = new DataverseClient({ orgUrl: server.url, sleep: async () => undefined });
    const progress: Array<[PublishPhase, PublishProgress | undefined]> = [];
    let pauses = 0;
    const result = publishAll(client, {
      pollIntervalMs: 1,
      onProgress: (phase, detail) => progress.push([phase, detail]),
      sleep: async () => {
        if (++pauses === finishAt) finish();
      },
    });
    return { result, progress, pauses: () => pauses };
  }

  it("while the devserver holds an import: waits (naming the Import), then succeeds once it ends", async () => {
    const held = await holdImport(server);
    const p = gatedPublish(3, held.finish);
    await expect(p.result).resolves.toMatchObject({ joined: false });
    const waits = p.progress.filter(([phase]) => phase === "waitingForOther");
    expect(waits).toEqual([
      ["waitingForOther", { blockedBy: "Import", attempt: 1 }],
      ["waitingForOther", { blockedBy: "Import", attempt: 2 }],
      ["waitingForOther", { blockedBy: "Import", attempt: 3 }],
    ]);
    expect(p.progress.at(-1)?.[0]).toBe("done");
    expect(server.org.publishCount).toBe(1);
    expect(server.org.get("importjob", held.importJobId)?.completedon).toBeTruthy();
  });

  it.each(SOLUTION_LOCK_FORMS)("lock form %s (fault) on top of a held import: waits, then succeeds", async (form) => {
    const held = await holdImport(server);
    const id = server.faults.add({ match: { method: "POST", path: "PublishAllXmlAsync" }, times: 1, respond: server.faults.presets.solutionLock(form) });
    // Pause 1: after the fault's answer; pause 2: after the devserver's own lock; then the import ends.
    const p = gatedPublish(2, held.finish);
    await expect(p.result).resolves.toMatchObject({ joined: false });
    expect(server.faults.fired(id)).toBe(1);
    const waits = p.progress.filter(([phase]) => phase === "waitingForOther").map(([, d]) => d?.blockedBy);
    // What each form names as holding the lock: nobody for the "customization" forms, the requested
    // operation itself for "another [X] … a previous [X]", the other one for the rest.
    const named = form === "0x8004F061" || form === "0x8004F067" ? undefined : form === "0x8004F063" ? "PublishAll" : "Import";
    expect(waits).toEqual([named, "Import"]);
    expect(server.org.publishCount).toBe(1);
    expect(requestsTo("PublishAllXmlAsync")).toBe(3);
  });

  it("gives up after its bound with a clear error, having published nothing", async () => {
    await holdImport(server);
    const client = new DataverseClient({ orgUrl: server.url, sleep: async () => undefined });
    let clock = 0;
    const result = publishAll(client, { pollIntervalMs: 1, maxWaitMs: 60_000, now: () => clock, sleep: async () => void (clock += 20_000) });
    await expect(result).rejects.toMatchObject({ key: "publishLocked", params: { operation: "Import", minutes: 1 } });
    expect(server.org.publishCount).toBe(0);
  });

  const requestsTo = (path: string) => server.requests.filter((r) => r.method === "POST" && r.url.includes(path)).length;
});
