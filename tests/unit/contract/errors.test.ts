/**
 * Core's reading of error responses as Microsoft documents them: the error body with its detail
 * annotations (webapi/compose-http-requests-handle-errors.md) and the service protection 429 with
 * Retry-After in seconds (api-limits.md).
 */
import { DataverseClient } from "../../../core/dataverse/client";
import { errorFromResponse } from "../../../core/dataverse/errors";
import { fakeFetch, json } from "../../helpers/fakeFetch";
import { ORG, errorWithAnnotations, throttled, toResponse } from "./examples";

describe("error body with annotations (webapi/compose-http-requests-handle-errors.md)", () => {
  it("takes code and message and leaves the annotations aside", () => {
    const error = errorFromResponse(errorWithAnnotations.status, errorWithAnnotations.body, { method: "POST", url: `${ORG}/api/data/v9.1/accounts` });
    expect(error).toMatchObject({ kind: "badQuery", status: 400, code: "0x80040265", message: "Example Error Message." });
    expect(error.technicalDetails).toBe(["HTTP 400", "Code: 0x80040265", `Request: POST ${ORG}/api/data/v9.1/accounts`, "Message: Example Error Message."].join("\n"));
  });

  it("reaches the caller the same way through the client", async () => {
    const f = fakeFetch([toResponse(errorWithAnnotations)]);
    const client = new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 });
    await expect(client.create("accounts", { name: "Example Account" })).rejects.toMatchObject({ code: "0x80040265", message: "Example Error Message." });
  });
});

describe("429 Too Many Requests with Retry-After (api-limits.md)", () => {
  it.each([
    ["requests", "0x80072322"],
    ["time", "0x80072321"],
    ["concurrency", "0x80072326"],
  ] as const)("the %s limit (%s) is 'throttled', with the seconds to wait", (limit, code) => {
    const e = throttled(limit, 37);
    const error = errorFromResponse(e.status, e.body, { retryAfter: e.headers["Retry-After"] });
    expect(error).toMatchObject({ kind: "throttled", status: 429, code, retryAfterSeconds: 37 });
  });

  it("the client waits Retry-After seconds, then sends the request again", async () => {
    const waits: number[] = [];
    const f = fakeFetch([toResponse(throttled("requests", 4)), json(200, { UserId: "d96e9f55-f06d-e511-80d0-00155db07cb1" })]);
    const client = new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 1, sleep: async (ms) => void waits.push(ms) });
    await expect(client.get("WhoAmI()")).resolves.toEqual({ UserId: "d96e9f55-f06d-e511-80d0-00155db07cb1" });
    expect(waits).toEqual([4000]);
    expect(f.calls).toHaveLength(2);
  });

  it("a wait longer than the client accepts goes to the user as 'throttled', with the seconds", async () => {
    const f = fakeFetch([toResponse(throttled("time", 300))]);
    const client = new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 3, maxRetryDelayMs: 60_000, sleep: async () => undefined });
    await expect(client.get("WhoAmI()")).rejects.toMatchObject({ kind: "throttled", retryAfterSeconds: 300, code: "0x80072321" });
    expect(f.calls).toHaveLength(1);
  });
});
