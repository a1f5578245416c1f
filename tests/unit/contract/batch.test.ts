/**
 * Core's `$batch` decoding against the responses printed on Microsoft's
 * "Execute batch operations using the Web API" page (webapi/execute-batch-operations-using-web-api.md).
 */
import { DataverseClient } from "../../../core/dataverse/client";
import { decodeBatch } from "../../../core/dataverse/batch";
import { fakeFetch } from "../../helpers/fakeFetch";
import { ORG, batchContinuedResponse, batchResponse, batchStoppedResponse, changeSetResponse, throttled, toResponse, type DocExample } from "./examples";

const decode = (e: DocExample, body = e.body) => decodeBatch(e.headers["Content-Type"], body);
/** The same text as the page prints it: plain newlines. */
const asPrinted = (text: string) => text.replace(/\r\n/g, "\n");

function client(example: DocExample) {
  const f = fakeFetch([toResponse(example)]);
  return { c: new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 }), calls: f.calls };
}

describe("Batch responses (page section 'Batch responses')", () => {
  it("gives each part's status, headers and body in order; a 204 has an empty body", () => {
    const parts = decode(batchResponse);
    expect(parts.map((p) => p.status)).toEqual([204, 204, 200]);
    expect(parts[0]).toEqual({
      status: 204,
      headers: {
        "odata-version": "4.0",
        location: `${ORG}/api/data/v9.2/tasks(d31ba648-c592-ed11-aad1-000d3a993550)`,
        "odata-entityid": `${ORG}/api/data/v9.2/tasks(d31ba648-c592-ed11-aad1-000d3a993550)`,
      },
      body: "",
    });
    expect(parts[2].headers["content-type"]).toBe("application/json; odata.metadata=minimal; odata.streaming=true");
    expect(JSON.parse(parts[2].body).value.map((t: { subject: string }) => t.subject)).toEqual(["Task 1 in batch", "Task 2 in batch"]);
  });

  it("reads the page's text as printed (LF line endings) the same way", () => {
    expect(decode(batchResponse, asPrinted(batchResponse.body))).toEqual(decode(batchResponse).map((p) => ({ ...p, body: asPrinted(p.body) })));
  });

  it("batchGet hands back one result per part: data for the 200, no data for a 204", async () => {
    const { c } = client(batchResponse);
    const results = await c.batchGet(["a", "b", "tasks?$select=subject"]);
    expect(results.map((r) => [r.status, r.ok])).toEqual([
      [204, true],
      [204, true],
      [200, true],
    ]);
    expect(results[0].data).toBeUndefined();
    expect((results[2].data as { value: unknown[] }).value).toHaveLength(2);
  });
});

describe("Change sets (page section 'Change sets')", () => {
  it("flattens the change set's parts in place, before the GET that follows it", () => {
    const parts = decode(changeSetResponse);
    expect(parts.map((p) => p.status)).toEqual([204, 204, 200]);
    expect(parts[1].headers["odata-entityid"]).toBe(`${ORG}/api/data/v9.2/tasks(e83ffc82-e292-ed11-aad1-000d3a9933c9)`);
    expect(JSON.parse(parts[2].body)["@odata.context"]).toBe(`${ORG}/api/data/v9.2/$metadata#tasks(subject)`);
    expect(decode(changeSetResponse, asPrinted(changeSetResponse.body)).map((p) => p.status)).toEqual([204, 204, 200]);
  });
});

describe("Handling errors (page section 'Handling errors')", () => {
  it("with odata.continue-on-error: the failed part becomes a typed error in its slot, with its code and message", async () => {
    const { c } = client(batchContinuedResponse);
    const [failed, created] = await c.batchGet(["tasks", "tasks"]);
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatchObject({
      kind: "badQuery",
      status: 400,
      code: "0x80044331",
      message: "A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'.",
    });
    expect(created).toMatchObject({ status: 204, ok: true });
  });

  it("without it: the batch's own 400 is reported with the failing request's code and message, not the multipart text", async () => {
    const { c } = client(batchStoppedResponse);
    const error = await c.batchGet(["tasks", "tasks", "tasks"]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: "badQuery",
      status: 400,
      code: "0x80044331",
      message: "A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'.",
    });
    expect((error as Error).message).not.toContain("batchresponse_");
  });

  it("a REQ_ID header on an error part is kept with the part's headers", () => {
    const [part] = decode(batchStoppedResponse);
    expect(part.headers.req_id).toBe("5ecd1cb3-1730-4ffc-909c-d44c22270026");
  });
});

describe("a throttled $batch (api-limits.md: the batch is one request and gets a JSON 429)", () => {
  it("is reported as throttled with its Retry-After, not read as a multipart body", async () => {
    const { c } = client(throttled("concurrency", 90));
    await expect(c.batchGet(["WhoAmI()"])).rejects.toMatchObject({ kind: "throttled", status: 429, code: "0x80072326", retryAfterSeconds: 90 });
  });
});
