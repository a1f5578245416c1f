/** Request and response as the routes see them: the same for plain HTTP and `$batch` parts. */
import { HttpError } from "./errors";
import type { Org } from "./store";

export interface ApiRequest {
  method: string;
  /** Path relative to the service root, still URL-encoded, without the query. */
  path: string;
  /** Decoded query parameters (`$filter`, `@p1`, …). */
  query: Record<string, string>;
  /** Raw query string without the `?`, kept for `@odata.nextLink`. */
  rawQuery: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  /** Whose privileges apply (session user or the token's application user). */
  userId: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ServerContext {
  org: Org;
  /** `http://127.0.0.1:port` */
  origin: string;
  /** `http://127.0.0.1:port/api/data/v9.2/` */
  serviceRoot: string;
}

export interface Prefer {
  annotations: string | null;
  maxPageSize: number | null;
  returnRepresentation: boolean;
  continueOnError: boolean;
}

export function parsePrefer(header: string | undefined): Prefer {
  const p: Prefer = { annotations: null, maxPageSize: null, returnRepresentation: false, continueOnError: false };
  for (const part of (header ?? "").split(",")) {
    const [k, v] = part.split("=").map((s) => s.trim());
    if (k === "odata.include-annotations") p.annotations = (v ?? "").replace(/^"|"$/g, "");
    else if (k === "odata.maxpagesize" && /^\d+$/.test(v ?? "")) p.maxPageSize = Math.max(1, Number(v));
    else if (k === "return" && v === "representation") p.returnRepresentation = true;
    else if (k === "odata.continue-on-error") p.continueOnError = true;
  }
  return p;
}

/** Whether an annotation is asked for by `Prefer: odata.include-annotations` (`*`, exact, or `Ns.*`). */
export function wantsAnnotation(prefer: Prefer, name: string): boolean {
  if (!prefer.annotations) return false;
  return prefer.annotations.split(",").some((pattern) => {
    const p = pattern.trim();
    if (p === "*") return true;
    if (p.endsWith(".*")) return name.startsWith(p.slice(0, -1));
    return p === name;
  });
}

export const JSON_HEADERS = { "Content-Type": "application/json; odata.metadata=minimal", "OData-Version": "4.0" };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function noContent(headers: Record<string, string> = {}): ApiResponse {
  return { status: 204, headers: { "OData-Version": "4.0", ...headers }, body: "" };
}

export function errorResponse(e: HttpError): ApiResponse {
  return { status: e.status, headers: { ...JSON_HEADERS, ...e.headers }, body: e.body() };
}

export function parseJsonBody(req: ApiRequest): Record<string, unknown> {
  if (!req.body.trim()) return {};
  try {
    const v = JSON.parse(req.body);
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new HttpError(400, "0x80060888", "The request body is not valid JSON: an object was expected.");
}
