/**
 * The devserver: an HTTP server on 127.0.0.1 that answers Dataverse Web API v9.2 requests from
 * an in-memory organisation. See devserver/README.md for options, fixtures and the fault API.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import http, { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Auth, AuthMode } from "./auth";
import { runBatch } from "./batch";
import { ApiRequest, ApiResponse, ServerContext, errorResponse, json } from "./context";
import { DeviceCode } from "./entra/oauth";
import { GRAPH_PREFIX, graphRoute } from "./entra/graph";
import { Codes, HttpError } from "./errors";
import { FaultPresets, FaultService, FaultSpec, Faults } from "./faults";
import type { Fixture } from "./fixture";
import { allCorrect, withSolutionVersion } from "./fixtures/variants";
import { API_PREFIX } from "./paths";
import { route } from "./routes";
import { privilegeDenied } from "./security";
import { Org } from "./store";

export interface DevServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** A fixture object, a path to a JSON file, or a built-in name ("demo-org", "other-names-org"). */
  fixture?: string | Fixture;
  /** Added before every answer, to feel a real network. */
  latencyMs?: number;
  auth?: AuthMode;
  /** Overrides the fixture's publish duration (0 = publishes complete at once). */
  publishDurationMs?: number;
  importDurationMs?: number;
  tokenLifetimeSeconds?: number;
  /** `interval` of device-code sign-ins (Entra: 5). Tests use 0 so MSAL polls without waiting. */
  deviceCodeIntervalSeconds?: number;
  /**
   * Approve every device code as this systemuserid (or "admin": the fixture's current user) as soon
   * as it is issued (`--auto-approve` for `npm start` demos). Tests approve explicitly with `server.entra.approve(userCode, userId)`.
   */
  autoApproveDeviceCodesAs?: string;
  /** Derive a variant: the Marketo solution at this version (e.g. "4.0.0.13"). */
  solutionVersion?: string;
  /** Derive a variant where the setup is already correct. */
  allCorrect?: boolean;
  /**
   * Serves other paths on the same origin (the harness page of `npm start`): called for requests
   * outside the Web API, the admin routes and the token endpoints; returns true when it answered.
   */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
}

/** Which organisation to load: the part of the options that `reset()` can change. */
export type FixtureChoice = Pick<DevServerOptions, "fixture" | "solutionVersion" | "allCorrect">;

export interface LoggedRequest {
  method: string;
  url: string;
}

/** Test hooks for the Entra tenant: the signed-in admin at the verification page, and Graph's log. */
export interface EntraHooks {
  /** Resolves with the newest pending device code, or the next one issued (a gate, not a timer). */
  nextDeviceCode(): Promise<DeviceCode>;
  pendingDeviceCodes(): DeviceCode[];
  /** The user (a systemuserid of the org) enters the code and signs in. */
  approve(userCode: string, userId: string): void;
  decline(userCode: string): void;
  expire(userCode: string): void;
  /** The next poll of this code answers `slow_down` (RFC 8628) once. */
  slowDown(userCode: string): void;
  /** Graph requests received (method and URL only: bodies, and so secrets, are never kept). */
  graphRequests: LoggedRequest[];
}

export interface DevServer {
  url: string;
  /** Microsoft Graph's base URL on this server (the real one is https://graph.microsoft.com/v1.0/). */
  graphUrl: string;
  entra: EntraHooks;
  /** The in-memory org (replaced by reset()). */
  readonly org: Org;
  auth: Auth;
  requestCount(): number;
  resetCount(): void;
  requests: LoggedRequest[];
  faults: Faults & { presets: typeof FaultPresets };
  /** Reloads the fixture (or switches to another one for good), clears faults, counters and tokens. */
  reset(choice?: FixtureChoice): void;
  close(): Promise<void>;
}

export const FIXTURES_DIR = path.join(__dirname, "fixtures");

export function loadFixture(fixture: string | Fixture | undefined): Fixture {
  if (fixture && typeof fixture === "object") return structuredClone(fixture);
  const name = fixture ?? "demo-org";
  const isFile = /[\\/]|\.json$/i.test(name);
  const file = isFile ? path.resolve(name) : path.join(FIXTURES_DIR, `${name}.json`);
  if (!existsSync(file)) {
    const names = readdirSync(FIXTURES_DIR)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5));
    throw new Error(isFile ? `no fixture file ${file}` : `no fixture named "${name}": the built-in ones are ${names.join(", ")} (or give a path to a JSON fixture)`);
  }
  return JSON.parse(readFileSync(file, "utf8")) as Fixture;
}

/** Query string → decoded parameters. `+` is a space, as ASP.NET reads it. */
export function parseQueryString(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? "" : part.slice(eq + 1);
    try {
      out[decodeURIComponent(k.replace(/\+/g, " "))] = decodeURIComponent(v.replace(/\+/g, " "));
    } catch {
      throw new HttpError(400, Codes.badRequest, `The query string is not correctly URL-encoded near '${part.slice(0, 40)}'.`);
    }
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, r: ApiResponse): void {
  res.writeHead(r.status, r.headers);
  res.end(r.body);
}

/** How long an idle kept-alive connection stays open (sent as `Keep-Alive: timeout=120`). */
export const KEEP_ALIVE_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  let choice: FixtureChoice = { fixture: options.fixture, solutionVersion: options.solutionVersion, allCorrect: options.allCorrect };
  const build = (): Org => {
    let fixture = loadFixture(choice.fixture);
    if (choice.solutionVersion) fixture = withSolutionVersion(fixture, choice.solutionVersion);
    if (choice.allCorrect) fixture = allCorrect(fixture);
    const org = new Org(fixture);
    if (options.publishDurationMs !== undefined) org.publishDurationMs = options.publishDurationMs;
    if (options.importDurationMs !== undefined) org.importDurationMs = options.importDurationMs;
    return org;
  };
  let org = build();
  const auth = new Auth(options.auth ?? "session", () => org, options.tokenLifetimeSeconds ?? org.fixture.settings?.tokenLifetimeSeconds ?? 3599);
  if (options.deviceCodeIntervalSeconds !== undefined) auth.deviceCodeIntervalSeconds = options.deviceCodeIntervalSeconds;
  if (options.autoApproveDeviceCodesAs) auth.deviceCodes.autoApproveAs = (options.autoApproveDeviceCodesAs === "admin" ? org.currentUserId : options.autoApproveDeviceCodesAs).toLowerCase();
  const graphRequests: LoggedRequest[] = [];
  /** The person at the verification page: an enabled, interactive user of the organisation. */
  const approveDeviceCode = (userCode: string, userId: string) => {
    const user = org.get("systemuser", userId.toLowerCase());
    if (!user || user.applicationid || user.isdisabled) throw new Error(`'${userId}' is not an enabled interactive user of the organisation: it cannot sign in.`);
    auth.deviceCodes.approve(userCode, userId);
  };
  const faults = Object.assign(new Faults(), { presets: FaultPresets });
  const requests: LoggedRequest[] = [];
  let count = 0;
  let origin = "";
  const context = (): ServerContext => ({ org, origin, serviceRoot: origin + API_PREFIX });

  /** Applies a fault to a request; returns a response to send, "drop", or undefined to go on. */
  const applyFault = async (method: string, apiPath: string, userId: string, service: FaultService = "dataverse"): Promise<ApiResponse | "drop" | undefined> => {
    const fault = faults.take(method, apiPath, service);
    if (!fault) return undefined;
    const r = fault.respond;
    if (r === "drop") return "drop";
    if (r === "publishFail" || (typeof r === "object" && "publishFail" in r)) {
      org.failNextPublish = typeof r === "object" ? r.publishFail : "Publishing failed: the customizations could not be published (devserver fault).";
      return undefined;
    }
    if (r === "privilegeDenied" || (typeof r === "object" && "privilegeDenied" in r)) {
      return errorResponse(privilegeDenied(org, userId, typeof r === "object" ? r.privilegeDenied : "prvReadUser"));
    }
    if ("hold" in r) return (await r.hold) === "drop" ? "drop" : undefined;
    if ("delayMs" in r) {
      await sleep(r.delayMs);
      return undefined;
    }
    const body = r.body === undefined ? "" : typeof r.body === "string" ? r.body : JSON.stringify(r.body);
    return { status: r.status, headers: { ...(body ? { "Content-Type": "application/json; odata.metadata=minimal" } : {}), "OData-Version": "4.0", ...(r.headers ?? {}) }, body };
  };

  const dispatch = async (req: ApiRequest, contentIds?: Map<string, string>) => {
    try {
      return await route(context(), req, contentIds);
    } catch (e) {
      if (e instanceof HttpError) return { response: errorResponse(e) };
      throw e;
    }
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    let userId: string;
    try {
      userId = auth.userFor(req.headers, origin);
    } catch (e) {
      if (e instanceof HttpError) return send(res, errorResponse(e));
      throw e;
    }
    const rawQuery = url.search.replace(/^\?/, "");
    const apiPath = url.pathname.slice(API_PREFIX.length);
    let decodedPath: string;
    try {
      decodedPath = decodeURIComponent(apiPath + (rawQuery ? "?" + rawQuery : ""));
    } catch {
      decodedPath = apiPath;
    }
    const fault = await applyFault(req.method ?? "GET", decodedPath, userId);
    if (fault === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault) return send(res, fault);
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    let apiReq: ApiRequest;
    try {
      apiReq = { method: req.method ?? "GET", path: apiPath, rawQuery, query: parseQueryString(rawQuery), headers, body, userId };
    } catch (e) {
      if (e instanceof HttpError) return send(res, errorResponse(e));
      throw e;
    }
    org.tick();
    if (apiPath === "$batch") {
      if (apiReq.method !== "POST") return send(res, errorResponse(new HttpError(405, Codes.badRequest, `The requested resource does not support http method '${apiReq.method}'.`, { Allow: "POST" })));
      try {
        const batchDispatch = async (part: ApiRequest, contentIds: Map<string, string>) => {
          // Faults can target one request inside a batch too (not "drop": that would kill the batch).
          const partPath = decodeURIComponent(part.path + (part.rawQuery ? "?" + part.rawQuery : ""));
          const f = await applyFault(part.method, partPath, userId);
          if (f && f !== "drop") return { response: f };
          return dispatch(part, contentIds);
        };
        return send(res, await runBatch(context(), apiReq, batchDispatch, parseQueryString));
      } catch (e) {
        if (e instanceof HttpError) return send(res, errorResponse(e));
        throw e;
      }
    }
    const { response } = await dispatch(apiReq);
    send(res, response);
  };

  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    // Another web page open in the same browser must not script faults or resets (cross-site requests).
    if (req.headers.origin && req.headers.origin !== origin) {
      return send(res, json(403, { error: { code: Codes.badRequest, message: `The devserver admin routes answer only to ${origin}.` } }));
    }
    const what = url.pathname.slice("/_devserver/".length);
    const body = req.method === "POST" ? await readBody(req) : "";
    if (what === "requests" && req.method === "GET") return send(res, json(200, { count, requests }));
    if (what === "faults" && req.method === "GET") return send(res, json(200, { faults: faults.pending().map((f) => ({ ...f, match: { ...f.match, path: String(f.match.path ?? "") } })) }));
    if (what === "faults" && req.method === "POST") {
      const input = body ? JSON.parse(body) : {};
      const specs = Array.isArray(input) ? input : [input];
      return send(res, json(200, { ids: specs.map((s: Record<string, unknown>) => faults.addFromJson(s)) }));
    }
    if (what === "faults" && req.method === "DELETE") {
      faults.clear();
      return send(res, { status: 204, headers: {}, body: "" });
    }
    if (what === "reset" && req.method === "POST") {
      handle.reset();
      return send(res, { status: 204, headers: {}, body: "" });
    }
    if (what === "entra/devicecodes" && req.method === "GET") {
      return send(res, json(200, { pending: auth.deviceCodes.pending().map((c) => ({ userCode: c.userCode, clientId: c.clientId, scope: c.scope })) }));
    }
    const deviceAction = /^entra\/devicecodes\/(approve|decline|expire|slowdown)$/.exec(what);
    if (deviceAction && req.method === "POST") {
      const input = (body ? JSON.parse(body) : {}) as { userCode?: string; userId?: string };
      try {
        const code = String(input.userCode ?? "");
        if (deviceAction[1] === "approve") approveDeviceCode(code, String(input.userId ?? org.currentUserId));
        else if (deviceAction[1] === "decline") auth.deviceCodes.decline(code);
        else if (deviceAction[1] === "expire") auth.deviceCodes.expire(code);
        else auth.deviceCodes.slowDown(code);
      } catch (e) {
        return send(res, json(404, { error: { code: Codes.badRequest, message: (e as Error).message } }));
      }
      return send(res, { status: 204, headers: {}, body: "" });
    }
    if (what === "org" && req.method === "GET") {
      org.tick();
      return send(
        res,
        json(200, { lastPublishedOn: org.lastPublishedOn, publishCount: org.publishCount, imports: org.imports, currentUserId: org.currentUserId, publishRunning: org.publishRunning() }),
      );
    }
    send(res, json(404, { error: { code: Codes.badRequest, message: `Unknown devserver admin route '${req.method} ${url.pathname}'.` } }));
  };

  // Dataverse accepts URLs up to 32 KB ("Query data using the Web API"); Node's default header limit is 16 KB.
  const server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    const url = new URL(req.url ?? "/", origin || "http://127.0.0.1");
    const isApi = url.pathname.startsWith(API_PREFIX);
    if (isApi) {
      count++;
      requests.push({ method: req.method ?? "GET", url: url.pathname + url.search });
    }
    const run = async () => {
      if (options.latencyMs) await sleep(options.latencyMs);
      if (isApi) return handleApi(req, res, url);
      if (url.pathname.startsWith("/_devserver/")) return handleAdmin(req, res, url);
      const token = /^\/([^/]+)\/oauth2\/v2\.0\/(token|devicecode)$/.exec(url.pathname);
      if (token && req.method === "POST") {
        const fault = await applyFault("POST", token[2], "", "entra");
        if (fault === "drop") return void req.socket.destroy();
        if (fault) return send(res, fault);
        const form = new URLSearchParams(await readBody(req));
        const tenant = decodeURIComponent(token[1]);
        const r = token[2] === "token" ? auth.tokenEndpoint(tenant, form, origin) : auth.deviceCodeEndpoint(tenant, form, origin);
        return send(res, { status: r.status, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" }, body: JSON.stringify(r.body) });
      }
      if (url.pathname.startsWith(GRAPH_PREFIX)) {
        graphRequests.push({ method: req.method ?? "GET", url: url.pathname + url.search });
        const fault = await applyFault(req.method ?? "GET", decodeURIComponent(url.pathname.slice(GRAPH_PREFIX.length) + url.search), "", "graph");
        if (fault === "drop") return void req.socket.destroy();
        if (fault) return send(res, fault);
        const body = await readBody(req);
        const graphReq = { method: req.method ?? "GET", path: url.pathname.slice(GRAPH_PREFIX.length), query: url.searchParams, headers: req.headers, body };
        return send(res, graphRoute(org, auth, origin, graphReq));
      }
      if (url.pathname === "/devicelogin" && req.method === "GET") {
        // The real page is https://microsoft.com/devicelogin; here a person approves with the devserver's admin route.
        const text = `devserver: approve a device code with POST ${origin}/_devserver/entra/devicecodes/approve {"userCode":"…","userId":"<systemuserid>"}, or start the devserver with --auto-approve.\n`;
        return send(res, { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: text });
      }
      const oidc = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
      if (oidc && req.method === "GET")
        return send(res, { status: 200, headers: { "Content-Type": "application/json; charset=utf-8" }, body: JSON.stringify(auth.openIdConfiguration(oidc[1], origin)) });
      if (options.extraRoutes && (await options.extraRoutes(req, res, url))) return;
      send(res, { status: 404, headers: { "Content-Type": "text/plain" }, body: "Not found (the Web API is under /api/data/v9.2/)" });
    };
    run().catch((e: unknown) => {
      if (!res.headersSent) send(res, json(500, { error: { code: Codes.unexpected, message: `devserver internal error: ${(e as Error)?.message ?? e}` } }));
      else res.destroy();
    });
  });

  // Node closes an idle kept-alive connection after 5 s. A client that reuses it as the close happens
  // gets ECONNRESET before any answer, and a busy event loop (a test under load) widens that moment:
  // when the loop stalls past 5 s, the server's close runs before it reads the request already sent.
  // Kept for 2 minutes here, an idle connection is closed by the client (Node's fetch: 4 s), not under
  // it. close() destroys every socket, so nothing waits on them. headersTimeout stays above it.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  const handle: DevServer = {
    url: origin,
    graphUrl: origin + GRAPH_PREFIX,
    entra: {
      nextDeviceCode: () => auth.deviceCodes.next(),
      pendingDeviceCodes: () => auth.deviceCodes.pending(),
      approve: approveDeviceCode,
      decline: (userCode) => auth.deviceCodes.decline(userCode),
      expire: (userCode) => auth.deviceCodes.expire(userCode),
      slowDown: (userCode) => auth.deviceCodes.slowDown(userCode),
      graphRequests,
    },
    get org() {
      return org;
    },
    auth,
    requestCount: () => count,
    resetCount: () => {
      count = 0;
      requests.length = 0;
    },
    requests,
    faults,
    reset: (next?: FixtureChoice) => {
      if (next) choice = { ...next };
      org = build();
      faults.clear();
      auth.reset();
      graphRequests.length = 0;
      count = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return handle;
}

export type { FaultSpec, Fixture };
