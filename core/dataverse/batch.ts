/**
 * OData `$batch` multipart/mixed encoding of requests (outside change sets: each part stands
 * alone), and decoding of the response.
 * Shapes as documented for Dataverse ("Execute batch operations using the Web API").
 */

import { DataverseError } from "./errors";

export interface BatchRequest {
  /** Path relative to the service root, e.g. `systemusers(…)?$select=fullname`. */
  path: string;
  headers?: Record<string, string>;
  /** GET when not given. */
  method?: string;
  /** A JSON body (sent with `Content-Type: application/json`). */
  body?: string;
}

export interface BatchPartResponse {
  status: number;
  headers: Record<string, string>;
  /** Raw body text; `json` parses it when it is JSON. */
  body: string;
}

const CRLF = "\r\n";

export function newBoundary(prefix = "batch"): string {
  const random = Math.random().toString(16).slice(2, 10) + Date.now().toString(16);
  return `${prefix}_${random}`;
}

/**
 * Each part is an `application/http` message with an absolute request URL (Dataverse accepts
 * absolute or relative; absolute avoids ambiguity behind proxies).
 */
export function encodeBatch(requests: BatchRequest[], boundary: string, serviceRoot: string): string {
  const root = serviceRoot.endsWith("/") ? serviceRoot : serviceRoot + "/";
  let body = "";
  for (const request of requests) {
    body += `--${boundary}${CRLF}`;
    body += `Content-Type: application/http${CRLF}`;
    body += `Content-Transfer-Encoding: binary${CRLF}${CRLF}`;
    body += `${request.method ?? "GET"} ${root}${request.path} HTTP/1.1${CRLF}`;
    const headers = request.body === undefined ? request.headers : { "Content-Type": "application/json", ...request.headers };
    for (const [name, value] of Object.entries(headers ?? {})) body += `${name}: ${value}${CRLF}`;
    body += CRLF;
    if (request.body !== undefined) body += request.body + CRLF;
  }
  body += `--${boundary}--${CRLF}`;
  return body;
}

export function boundaryOf(contentType: string | null): string | undefined {
  const match = /boundary=("?)([^";]+)\1/i.exec(contentType ?? "");
  return match?.[2];
}

function parseHeaderBlock(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

/** Splits `text` at `--boundary` delimiter lines, dropping the preamble and the epilogue. */
function splitParts(text: string, boundary: string): string[] {
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(--)?[ \\t]*(?:\\r?\\n|$)`);
  const parts: string[] = [];
  let rest = text;
  let match = delimiter.exec(rest);
  if (!match) return parts;
  rest = rest.slice(match.index + match[0].length);
  while ((match = delimiter.exec(rest))) {
    parts.push(rest.slice(0, match.index));
    if (match[1]) break;
    rest = rest.slice(match.index + match[0].length);
  }
  return parts;
}

function splitHead(text: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? [text.slice(0, m.index), text.slice(m.index + m[0].length)] : [text, ""];
}

/**
 * Decodes a `multipart/mixed` batch response into one response per request, in order.
 * Change sets nested in the response are flattened in place.
 */
export function decodeBatch(contentType: string | null, text: string): BatchPartResponse[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new DataverseError("server", { status: 200, message: `Batch response has no multipart boundary (Content-Type: ${contentType ?? "none"})` });
  const responses: BatchPartResponse[] = [];
  for (const part of splitParts(text, boundary)) {
    const [mimeHead, httpMessage] = splitHead(part);
    const mime = parseHeaderBlock(mimeHead);
    const nested = boundaryOf(mime["content-type"] ?? null);
    if (nested && /multipart\/mixed/i.test(mime["content-type"] ?? "")) {
      responses.push(...decodeBatch(mime["content-type"], httpMessage));
      continue;
    }
    const [head, body] = splitHead(httpMessage);
    const [statusLine, ...headerLines] = head.split(/\r?\n/);
    const status = Number(/^HTTP\/\d\.\d\s+(\d{3})/.exec(statusLine)?.[1] ?? NaN);
    if (!Number.isFinite(status)) throw new DataverseError("server", { status: 200, message: `Batch response part without an HTTP status line: ${statusLine.slice(0, 80)}` });
    responses.push({ status, headers: parseHeaderBlock(headerLines.join("\n")), body: body.replace(/\r?\n$/, "") });
  }
  return responses;
}

/**
 * The request a failed batch failed on. Without `Prefer: odata.continue-on-error` (or behind a
 * gateway that drops it) Dataverse stops at the first failing request and answers the whole batch
 * with that request's status and a multipart body holding its error ("Execute batch operations
 * using the Web API", Handling errors): its code and message are what the user needs, not the
 * multipart text. Undefined when the body is not multipart (a plain JSON error, e.g. a 429).
 */
export function failedPartOf(contentType: string | null, text: string): BatchPartResponse | undefined {
  if (!/multipart\/mixed/i.test(contentType ?? "")) return undefined;
  try {
    return decodeBatch(contentType, text).find((part) => part.status >= 400);
  } catch {
    return undefined;
  }
}
