import { DataverseClient } from "../../../core/dataverse/client";
import { DataverseError } from "../../../core/dataverse/errors";
import { dataverseError, fakeFetch, json } from "../../helpers/fakeFetch";

const ORG = "https://contoso.crm.dynamics.com";
const USER = "ab8b4c38-1f3c-4a5f-9c3b-2e0c1b7a9d10";
const ROLE = "5a3c9e3e-8c1d-4b8e-9d1f-0a1b2c3d4e5f";

function client(answers: Parameters<typeof fakeFetch>[0], extra: Partial<ConstructorParameters<typeof DataverseClient>[0]> = {}) {
  const f = fakeFetch(answers);
  const delays: number[] = [];
  const c = new DataverseClient({
    orgUrl: ORG + "/",
    fetch: f.fetch,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...extra,
  });
  return { c, calls: f.calls, delays };
}

describe("requests", () => {
  it("sends the standard OData headers and annotations on GET, same-origin without a token", async () => {
    const { c, calls } = client([json(200, { value: [] })]);
    await c.get("roles?$select=name");
    expect(calls[0].url).toBe(`${ORG}/api/data/v9.2/roles?$select=name`);
    expect(calls[0].headers).toMatchObject({
      Accept: "application/json",
      "OData-MaxVersion": "4.0",
      "OData-Version": "4.0",
      Prefer: 'odata.include-annotations="*"',
    });
    expect(calls[0].headers.Authorization).toBeUndefined();
  });

  it("adds the bearer token from the provider in Node", async () => {
    const { c, calls } = client([json(200, {}), json(200, {})], { tokenProvider: async () => "tok-1" });
    await c.get("WhoAmI()");
    await c.get("WhoAmI()");
    expect(calls.map((x) => x.headers.Authorization)).toEqual(["Bearer tok-1", "Bearer tok-1"]);
  });

  it("renews an expired token once after a 401", async () => {
    const tokens = ["old", "new"];
    const requested: boolean[] = [];
    const { c, calls } = client([dataverseError(401, "", "expired"), json(200, { UserId: USER })], {
      tokenProvider: async ({ forceRefresh }) => {
        requested.push(forceRefresh);
        return tokens.shift()!;
      },
    });
    await expect(c.get("WhoAmI()")).resolves.toEqual({ UserId: USER });
    expect(calls.map((x) => x.headers.Authorization)).toEqual(["Bearer old", "Bearer new"]);
    expect(requested).toEqual([false, true]);
  });

  it("reports a second 401 as an expired session", async () => {
    const { c } = client([dataverseError(401, "", "no"), dataverseError(401, "", "no")], { tokenProvider: async () => "t" });
    await expect(c.get("WhoAmI()")).rejects.toMatchObject({ kind: "sessionExpired", status: 401 });
  });

  it("follows @odata.nextLink with the page size preference", async () => {
    const { c, calls } = client([json(200, { value: [1, 2], "@odata.nextLink": `${ORG}/api/data/v9.2/systemusers?$skiptoken=abc` }), json(200, { value: [3] })]);
    await expect(c.getAll("systemusers", { maxPageSize: 2 })).resolves.toEqual([1, 2, 3]);
    expect(calls[1].url).toBe(`${ORG}/api/data/v9.2/systemusers?$skiptoken=abc`);
    expect(calls[1].headers.Prefer).toBe('odata.include-annotations="*",odata.maxpagesize=2');
  });

  it("stops paging at the limit", async () => {
    const { c, calls } = client([json(200, { value: [1, 2], "@odata.nextLink": `${ORG}/api/data/v9.2/x?p=2` })]);
    await expect(c.getAll("x", { limit: 2 })).resolves.toEqual([1, 2]);
    expect(calls).toHaveLength(1);
  });

  it("associates and disassociates through $ref", async () => {
    const { c, calls } = client([new Response(null, { status: 204 }), new Response(null, { status: 204 })]);
    await c.associate("systemusers", USER, "systemuserroles_association", "roles", ROLE);
    await c.disassociate("systemusers", USER, "systemuserroles_association", ROLE);
    expect(calls[0]).toMatchObject({ method: "POST", url: `${ORG}/api/data/v9.2/systemusers(${USER})/systemuserroles_association/$ref` });
    expect(JSON.parse(calls[0].body!)).toEqual({ "@odata.id": `${ORG}/api/data/v9.2/roles(${ROLE})` });
    expect(calls[1]).toMatchObject({ method: "DELETE", url: `${ORG}/api/data/v9.2/systemusers(${USER})/systemuserroles_association(${ROLE})/$ref` });
  });

  it("updates with If-Match: * so it never creates", async () => {
    const { c, calls } = client([new Response(null, { status: 204 })]);
    await c.update("sdkmessageprocessingsteps", ROLE, { statecode: 0 });
    expect(calls[0]).toMatchObject({ method: "PATCH", headers: expect.objectContaining({ "If-Match": "*" }) });
  });

  it("reads a created record's id from OData-EntityId", async () => {
    const { c } = client([new Response(null, { status: 204, headers: { "OData-EntityId": `${ORG}/api/data/v9.2/accounts(${ROLE.toUpperCase()})` } })]);
    await expect(c.create("accounts", { name: "x" })).resolves.toBe(ROLE);
  });

  it("writes function parameters as aliases with escaped literals", () => {
    const { c } = client([]);
    expect(c.functionPath("WhoAmI")).toBe("WhoAmI()");
    expect(c.functionPath("RetrieveCurrentOrganization", { AccessType: { raw: "Microsoft.Dynamics.CRM.EndpointAccessType'Default'" } })).toBe(
      "RetrieveCurrentOrganization(AccessType=@p1)?@p1=Microsoft.Dynamics.CRM.EndpointAccessType'Default'",
    );
    const access = c.functionPath("RetrievePrincipalAccess", { Target: { record: `accounts(${ROLE})` } }, `systemusers(${USER})`);
    expect(decodeURIComponent(access)).toBe(`systemusers(${USER})/Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@p1)?@p1={"@odata.id":"accounts(${ROLE})"}`);
    expect(decodeURIComponent(c.functionPath("F", { Name: "O'Brien & co" }))).toBe("F(Name=@p1)?@p1='O''Brien & co'");
  });

  it("turns error bodies into typed errors", async () => {
    const { c } = client([dataverseError(403, "0x80040220", "Principal user is missing prvAssignRole privilege")]);
    const error = await c.associate("systemusers", USER, "systemuserroles_association", "roles", ROLE).catch((e) => e);
    expect(error).toBeInstanceOf(DataverseError);
    expect(error).toMatchObject({ kind: "privilege", status: 403, code: "0x80040220", method: "POST" });
  });
});

describe("retries", () => {
  it("waits exactly Retry-After seconds on 429, then succeeds", async () => {
    const { c, calls, delays } = client([dataverseError(429, "0x80072322", "limit", { "Retry-After": "7" }), json(200, { ok: 1 })]);
    await expect(c.get("x")).resolves.toEqual({ ok: 1 });
    expect(delays).toEqual([7000]);
    expect(calls).toHaveLength(2);
  });

  it("backs off exponentially on 503 without Retry-After, and gives up after maxRetries", async () => {
    const busy = () => dataverseError(503, "", "Service Unavailable");
    const { c, calls, delays } = client([busy(), busy(), busy(), busy()], { maxRetries: 3, baseRetryDelayMs: 500 });
    await expect(c.get("x")).rejects.toMatchObject({ kind: "server", status: 503 });
    expect(delays).toEqual([500, 1000, 2000]);
    expect(calls).toHaveLength(4);
  });

  it("does not wait for a Retry-After longer than allowed: the user is told instead", async () => {
    const { c, delays } = client([dataverseError(429, "0x80072322", "limit", { "Retry-After": "600" })], { maxRetryDelayMs: 60_000 });
    await expect(c.get("x")).rejects.toMatchObject({ kind: "throttled", retryAfterSeconds: 600 });
    expect(delays).toEqual([]);
  });

  it("hands a 429 that is the solution lock (0x80071151) straight back as publishBusy, body intact", async () => {
    const lock = () => dataverseError(429, "0x80071151", "Cannot start the requested operation [PublishAll] because there is another [Import] running at this moment.", { "Retry-After": "2" });
    const { c, calls, delays } = client([lock(), json(204)]);
    await expect(c.callAction("PublishAllXmlAsync")).rejects.toMatchObject({ kind: "publishBusy", status: 429, code: "0x80071151", message: expect.stringContaining("another [Import]") });
    expect(calls).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("still retries a 429 of service protection whose text mentions nothing of a lock", async () => {
    const { c, calls } = client([dataverseError(429, "0x80072321", "Combined execution time of incoming requests exceeded the limit"), json(200, { ok: 1 })]);
    await expect(c.get("x")).resolves.toEqual({ ok: 1 });
    expect(calls).toHaveLength(2);
  });

  it("does not retry other errors", async () => {
    const { c, calls } = client([dataverseError(400, "0x80060888", "bad")]);
    await expect(c.get("x")).rejects.toMatchObject({ kind: "badQuery" });
    expect(calls).toHaveLength(1);
  });

  it("retries a dropped connection on a read, not on a create", async () => {
    const read = client(["drop", json(200, { ok: 1 })]);
    await expect(read.c.get("x")).resolves.toEqual({ ok: 1 });
    const write = client(["drop"]);
    await expect(write.c.create("accounts", {})).rejects.toMatchObject({ kind: "network" });
    expect(write.calls).toHaveLength(1);
  });

  describe("with fake timers", () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it("the default sleep honours Retry-After on the clock", async () => {
      const f = fakeFetch([dataverseError(429, "0x80072322", "limit", { "Retry-After": "3" }), json(200, { done: true })]);
      const c = new DataverseClient({ orgUrl: ORG, fetch: f.fetch });
      const result = c.get("x");
      await jest.advanceTimersByTimeAsync(2999);
      expect(f.calls).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      await expect(result).resolves.toEqual({ done: true });
      expect(f.calls).toHaveLength(2);
    });

    it("times out a request that never answers", async () => {
      const c = new DataverseClient({
        orgUrl: ORG,
        timeoutMs: 1000,
        maxRetries: 0,
        fetch: (_url, init) => new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")))),
      });
      const result = c.get("x").catch((e) => e);
      await jest.advanceTimersByTimeAsync(1000);
      expect(await result).toMatchObject({ kind: "timeout" });
    });

    it("cancels on the caller's AbortSignal, also during a retry wait", async () => {
      const f = fakeFetch([dataverseError(429, "0x80072322", "limit", { "Retry-After": "30" })]);
      const c = new DataverseClient({ orgUrl: ORG, fetch: f.fetch });
      const controller = new AbortController();
      const result = c.get("x", { signal: controller.signal }).catch((e) => e);
      await jest.advanceTimersByTimeAsync(1000);
      controller.abort();
      await jest.advanceTimersByTimeAsync(0);
      expect(await result).toMatchObject({ kind: "aborted" });
      expect(f.calls).toHaveLength(1);
    });
  });
});

describe("batchGet", () => {
  it("sends one multipart request and returns per-part results", async () => {
    const { c, calls } = client((call) => {
      const boundary = /boundary=(\S+)/.exec(call.headers["Content-Type"])![1];
      expect(call.body).toContain(`--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET ${ORG}/api/data/v9.2/WhoAmI() HTTP/1.1`);
      const text = [
        "--batchresponse_x",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "",
        "HTTP/1.1 200 OK",
        "Content-Type: application/json",
        "",
        '{"UserId":"u"}',
        "--batchresponse_x",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "",
        "HTTP/1.1 403 Forbidden",
        "Content-Type: application/json",
        "",
        '{"error":{"code":"0x80040220","message":"no"}}',
        "--batchresponse_x--",
        "",
      ].join("\r\n");
      return new Response(text, { status: 200, headers: { "Content-Type": "multipart/mixed; boundary=batchresponse_x" } });
    });
    const [who, denied] = await c.batchGet(["WhoAmI()", "roles"]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: "POST", url: `${ORG}/api/data/v9.2/$batch` });
    expect(calls[0].headers.Prefer).toBe("odata.continue-on-error");
    expect(who).toMatchObject({ ok: true, status: 200, data: { UserId: "u" } });
    expect(denied.ok).toBe(false);
    expect(denied.error).toMatchObject({ kind: "privilege", code: "0x80040220" });
  });

  it("fails clearly when the answer has the wrong number of parts", async () => {
    const { c } = client([
      new Response("--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{}\r\n--b--\r\n", {
        headers: { "Content-Type": "multipart/mixed; boundary=b" },
      }),
    ]);
    await expect(c.batchGet(["a", "b"])).rejects.toMatchObject({ kind: "server" });
  });
});
