import { blockingOperation, classify, DataverseError, errorFromResponse, isSolutionLock, parseErrorBody, parseRetryAfter } from "../../../core/dataverse/errors";

const body = (code: string, message: string) => JSON.stringify({ error: { code, message } });

describe("errorFromResponse", () => {
  it.each([
    [403, "0x80040220", "Principal user (Id=…) is missing prvAssignRole privilege", "privilege"],
    [404, "0x80040217", "systemuser With Id = 1 Does Not Exist", "notFound"],
    [400, "0x80060888", "Could not find a property named 'x'", "badQuery"],
    [429, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.", "throttled"],
    [400, "0x8004F063", "Cannot start another [PublishAll] because there is a previous [PublishAll] running at this moment.", "publishBusy"],
    [400, "0x8004F064", "Cannot start another [Import] because there is a previous [PublishAll] running", "publishBusy"],
    [400, "0x80041409", "The role and the user are in different business units", "wrongBusinessUnit"],
    [401, "", "", "sessionExpired"],
    [400, "0x80040237", "Cannot insert duplicate key.", "duplicate"],
    [500, "0x80040216", "An unexpected error occurred.", "server"],
    [503, "", "Service Unavailable", "server"],
    [418, "", "teapot", "unknown"],
  ])("HTTP %i %s → %s", (status, code, message, kind) => {
    const e = errorFromResponse(status, code || message ? body(code, message) : "", { method: "POST", url: "https://org/api/data/v9.2/x" });
    expect(e).toBeInstanceOf(DataverseError);
    expect(e.kind).toBe(kind);
    expect(e.status).toBe(status);
    expect(e.code).toBe(code || undefined);
  });

  it("keeps status, code, request and message in the technical details", () => {
    const e = errorFromResponse(403, body("0x80040220", "missing prvAssignRole"), { method: "POST", url: "https://org/api/data/v9.2/systemusers(1)/x/$ref" });
    expect(e.technicalDetails).toContain("HTTP 403");
    expect(e.technicalDetails).toContain("0x80040220");
    expect(e.technicalDetails).toContain("POST https://org/api/data/v9.2/systemusers(1)/x/$ref");
    expect(e.technicalDetails).toContain("missing prvAssignRole");
  });

  it("recognises a duplicate association by its message when the code differs", () => {
    expect(classify(500, "0x80040216", "Cannot insert duplicate key.")).toBe("duplicate");
  });

  it("reads Retry-After", () => {
    const e = errorFromResponse(429, body("0x80072322", "limit"), { retryAfter: "12" });
    expect(e.retryAfterSeconds).toBe(12);
  });
});

describe("parseErrorBody", () => {
  it("tolerates an HTML gateway page", () => {
    expect(parseErrorBody("<html><body>  Bad   Gateway </body></html>")).toEqual({ message: "<html><body> Bad Gateway </body></html>" });
    expect(parseErrorBody("")).toEqual({});
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("5")).toBe(5);
    expect(parseRetryAfter(null)).toBeUndefined();
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("the solution-operation lock", () => {
  // Codes and texts: "Web service error codes" (CustomizationLockEx_*), KB 4343228 (0x80071151),
  // "Concurrent solution operation failures" (CustomizationLockException text).
  it.each([
    [400, "0x8004F061", "Cannot start the requested operation because there is a customization running at this moment. Use Solution History for more details.", undefined],
    [400, "0x8004F062", "Cannot start the requested operation because there is another [Import] running at this moment. Use Solution History for more details.", "Import"],
    [400, "0x8004F063", "Cannot start another [PublishAll] because there is a previous [PublishAll] running at this moment. Use Solution History for more details.", "PublishAll"],
    [400, "0x8004F064", "Cannot start the requested operation [PublishAll] because there is another [Import] running at this moment. Use Solution History for more details.", "Import"],
    [400, "0x8004f067", "Cannot start the requested operation [PublishAll] because there is a customization running at this moment.", undefined],
    [429, "0x80071151", "Cannot start the requested operation [Publish] because there is another [Import] running at this moment.", "Import"],
    [429, "0x80071151", "The solution installation or removal failed due to the installation or removal of another solution at the same time. Please try again later.", undefined],
    [500, "0x80040216", "Microsoft.Crm.ObjectModel.CustomizationLockException: Cannot start the requested operation [PublishAll] because there is another [Import] running at this moment.", "Import"],
    [400, "", "Cannot start the requested operation [Import] because there is another [Uninstall] running at this moment.", "Uninstall"],
    [500, "", "The solution installation or removal failed due to the installation or removal of another solution at the same time.", undefined],
  ])("HTTP %i %s %s → publishBusy", (status, code, message, blockedBy) => {
    const e = errorFromResponse(status, body(code, message), { method: "POST", url: "https://org/api/data/v9.2/PublishAllXmlAsync" });
    expect(e.kind).toBe("publishBusy");
    expect(isSolutionLock(e.code, e.message)).toBe(true);
    expect(blockingOperation(e.message)).toBe(blockedBy);
  });

  it.each([
    [429, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.", "throttled"],
    [429, "0x80072326", "Number of concurrent requests exceeded the limit of 52.", "throttled"],
    [500, "0x80040216", "An unexpected error occurred.", "server"],
    [400, "0x80048060", "Cannot start the import: the file is invalid.", "badQuery"],
  ])("HTTP %i %s is not the lock → %s", (status, code, message, kind) => {
    expect(isSolutionLock(code, message)).toBe(false);
    expect(errorFromResponse(status, body(code, message), {}).kind).toBe(kind);
  });
});
