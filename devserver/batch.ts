/**
 * `$batch` (multipart/mixed) as Dataverse does it
 * (powerapps-docs/developer/data-platform/webapi/execute-batch-operations-using-web-api.md):
 * parts are `application/http` requests; change sets are nested multipart bodies, run all or
 * nothing; `Content-ID` values can be referenced as `$n` later in the same change set. Without
 * `Prefer: odata.continue-on-error` the batch stops at the first failing request and the batch
 * itself answers with that request's status; with it the batch answers 200 and every part runs.
 */
import { randomUUID } from "node:crypto";
import { ApiRequest, ApiResponse, JSON_HEADERS, ServerContext, errorResponse, parsePrefer } from "./context";
import { HttpError, badQuery } from "./errors";
import { API_PREFIX } from "./paths";

const CRLF = "\r\n";

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  412: "Precondition Failed",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  return m ? (m[1] ?? m[2]) : undefined;
}

function splitMultipart(body: string, boundary: string): string[] {
  const lines = body.split(/\r?\n/);
  const parts: string[] = [];
  let current: string[] | null = null;
  let closed = false;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${boundary}--`) {
      if (current) parts.push(current.join(CRLF));
      closed = true;
      break;
    }
    if (trimmed === `--${boundary}`) {
      if (current) parts.push(current.join(CRLF));
      current = [];
      continue;
    }
    current?.push(line);
  }
  if (!closed) throw badQuery(`The batch body does not end with the closing delimiter '--${boundary}--'.`);
  return parts;
}

function splitHead(text: string): [string[], string] {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const body = m ? text.slice(m.index + m[0].length) : "";
  return [head.split(/\r?\n/).filter((l) => l.length > 0), body];
}

function headerMap(lines: string[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    if (i > 0) h[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return h;
}

interface Operation {
  contentId?: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

type Item = { kind: "request"; op: Operation } | { kind: "changeset"; ops: Operation[] };

function parseOperation(part: string): Operation {
  const [mimeLines, http] = splitHead(part);
  const mime = headerMap(mimeLines);
  if (!/application\/http/i.test(mime["content-type"] ?? "")) throw badQuery("Each batch part must have 'Content-Type: application/http'.");
  const [headLines, body] = splitHead(http);
  const m = /^([A-Z]+)\s+(.+?)\s+HTTP\/1\.[01]$/.exec(headLines[0] ?? "");
  if (!m) throw badQuery(`The batch part's request line is not valid: '${headLines[0] ?? ""}'.`);
  return { contentId: mime["content-id"], method: m[1], url: m[2], headers: headerMap(headLines.slice(1)), body: body.replace(/\r?\n$/, "") };
}

export function parseBatch(contentType: string | undefined, body: string): Item[] {
  const boundary = boundaryOf(contentType);
  if (!boundary || !/multipart\/mixed/i.test(contentType ?? "")) throw badQuery("A $batch request needs 'Content-Type: multipart/mixed; boundary=…'.");
  return splitMultipart(body, boundary).map((part): Item => {
    const [mimeLines, inner] = splitHead(part);
    const mime = headerMap(mimeLines);
    const nested = boundaryOf(mime["content-type"]);
    if (nested && /multipart\/mixed/i.test(mime["content-type"] ?? "")) {
      const ops = splitMultipart(inner, nested).map(parseOperation);
      if (ops.some((o) => o.method === "GET")) throw badQuery("GET requests are not allowed inside a change set.");
      return { kind: "changeset", ops };
    }
    return { kind: "request", op: parseOperation(part) };
  });
}

/** Turns a part's URL (absolute, rooted, relative or `$n/...`) into a path under the service root. */
function resolveUrl(ctx: ServerContext, url: string, contentIds: Map<string, string>): { path: string; rawQuery: string } {
  let u = url;
  const ref = /^\$(\w+)(\/.*)?$/.exec(u);
  if (ref) {
    const base = contentIds.get(ref[1]);
    if (!base) throw badQuery(`Content-ID Reference: '$${ref[1]}' does not exist in the batch context.`);
    u = base + (ref[2] ?? "");
  }
  u = u.replace(/^https?:\/\/[^/]+/i, "");
  // A raw '#' starts the URL's fragment, which never reaches the query: a part URL is read as a URI.
  u = u.replace(/#[\s\S]*$/, "");
  if (u.startsWith(API_PREFIX)) u = u.slice(API_PREFIX.length);
  else if (u.startsWith("/")) throw badQuery(`The URL '${url}' is not under ${API_PREFIX}.`);
  const q = u.indexOf("?");
  return q < 0 ? { path: u, rawQuery: "" } : { path: u.slice(0, q), rawQuery: u.slice(q + 1) };
}

export type Dispatch = (req: ApiRequest, contentIds: Map<string, string>) => Promise<{ response: ApiResponse; createdUrl?: string }>;
export type QueryParser = (rawQuery: string) => Record<string, string>;

interface Result {
  contentId?: string;
  response: ApiResponse;
}

function httpPart(r: Result): string {
  let out = `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}`;
  if (r.contentId) out += `Content-ID: ${r.contentId}${CRLF}`;
  out += CRLF;
  out += `HTTP/1.1 ${r.response.status} ${STATUS_TEXT[r.response.status] ?? ""}${CRLF}`;
  const failed = r.response.status >= 400;
  // As in the page's examples (Batch responses, Handling errors): a JSON result part is
  // "odata.metadata=minimal; odata.streaming=true"; an error part is "odata.metadata=minimal" and
  // carries a REQ_ID header.
  const headers: Record<string, string> = failed ? { REQ_ID: randomUUID(), ...r.response.headers } : { ...r.response.headers };
  if (!failed && headers["Content-Type"]?.startsWith("application/json")) headers["Content-Type"] = "application/json; odata.metadata=minimal; odata.streaming=true";
  for (const [k, v] of Object.entries(headers)) out += `${k}: ${v}${CRLF}`;
  out += CRLF;
  out += r.response.body ? r.response.body + CRLF : CRLF;
  return out;
}

export async function runBatch(ctx: ServerContext, outer: ApiRequest, dispatch: Dispatch, parseQuery: QueryParser): Promise<ApiResponse> {
  const items = parseBatch(outer.headers["content-type"], outer.body);
  if (items.reduce((n, i) => n + (i.kind === "changeset" ? i.ops.length : 1), 0) > 1000) {
    throw badQuery("The number of requests in a batch is limited to 1000.");
  }
  const continueOnError = parsePrefer(outer.headers["prefer"]).continueOnError;
  const contentIds = new Map<string, string>();

  const runOne = async (op: Operation): Promise<Result> => {
    let response: ApiResponse;
    try {
      const { path, rawQuery } = resolveUrl(ctx, op.url, contentIds);
      const req: ApiRequest = { method: op.method, path, rawQuery, query: parseQuery(rawQuery), headers: op.headers, body: op.body, userId: outer.userId };
      const result = await dispatch(req, contentIds);
      response = result.response;
      if (op.contentId && result.createdUrl) contentIds.set(op.contentId, result.createdUrl);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      response = errorResponse(e);
    }
    return { contentId: op.contentId, response };
  };

  const boundary = `batchresponse_${randomUUID()}`;
  let body = "";
  let failedStatus: number | undefined;
  for (const item of items) {
    if (item.kind === "request") {
      const r = await runOne(item.op);
      body += `--${boundary}${CRLF}${httpPart(r)}`;
      if (r.response.status >= 400) {
        failedStatus = r.response.status;
        if (!continueOnError) break;
      }
      continue;
    }
    const restore = ctx.org.snapshot();
    const results: Result[] = [];
    let failed: Result | undefined;
    for (const op of item.ops) {
      const r = await runOne(op);
      if (r.response.status >= 400) {
        failed = r;
        break;
      }
      results.push(r);
    }
    if (failed) {
      // All or nothing: undo the change set and report only the failing request.
      restore();
      body += `--${boundary}${CRLF}${httpPart(failed)}`;
      failedStatus = failed.response.status;
      if (!continueOnError) break;
      continue;
    }
    const cs = `changesetresponse_${randomUUID()}`;
    body += `--${boundary}${CRLF}Content-Type: multipart/mixed; boundary=${cs}${CRLF}${CRLF}`;
    for (const r of results) body += `--${cs}${CRLF}${httpPart(r)}`;
    body += `--${cs}--${CRLF}`;
  }
  body += `--${boundary}--${CRLF}`;
  const status = failedStatus !== undefined && !continueOnError ? failedStatus : 200;
  return { status, headers: { "Content-Type": `multipart/mixed; boundary=${boundary}`, "OData-Version": "4.0" }, body };
}

export { JSON_HEADERS };
