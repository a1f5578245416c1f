/**
 * Dataverse errors as values the UI and the CLI can explain.
 *
 * `kind` is the plain-language key: the front ends map it to a resx string
 * (`Error_<kind>`) in the user's language and keep the raw status, code and message for the
 * "details" toggle.
 */

export type ErrorKind =
  | "privilege"
  | "notFound"
  | "badQuery"
  | "throttled"
  | "publishBusy"
  | "wrongBusinessUnit"
  | "sessionExpired"
  | "duplicate"
  | "timeout"
  | "aborted"
  | "network"
  | "server"
  | "unknown";

/** Hex codes from the Dataverse error reference (web service error codes). */
export const ErrorCodes = {
  privilegeDenied: "0x80040220",
  notFound: "0x80040217",
  badQuery: "0x80060888",
  publishRunning: "0x8004f063",
  importRunning: "0x8004f064",
  wrongBusinessUnit: "0x80041409",
  duplicateKey: "0x80040237",
  throttledRequests: "0x80072322",
  throttledTime: "0x80072321",
  throttledConcurrency: "0x80072326",
} as const;

export interface ErrorDetails {
  status: number;
  code?: string;
  message: string;
  method?: string;
  url?: string;
  retryAfterSeconds?: number;
}

export class DataverseError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly code?: string;
  readonly method?: string;
  readonly url?: string;
  readonly retryAfterSeconds?: number;

  constructor(kind: ErrorKind, details: ErrorDetails) {
    super(details.message);
    this.name = "DataverseError";
    this.kind = kind;
    this.status = details.status;
    this.code = details.code;
    this.method = details.method;
    this.url = details.url;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** What goes behind the "details" toggle: everything a support engineer needs, nothing secret. */
  get technicalDetails(): string {
    const lines = [
      this.status ? `HTTP ${this.status}` : undefined,
      this.code ? `Code: ${this.code}` : undefined,
      this.method && this.url ? `Request: ${this.method} ${this.url}` : undefined,
      `Message: ${this.message}`,
    ];
    return lines.filter(Boolean).join("\n");
  }
}

export function isDataverseError(e: unknown): e is DataverseError {
  return e instanceof DataverseError;
}

/** Classifies a failed response from its status, Dataverse hex code and message. */
export function classify(status: number, code: string | undefined, message: string): ErrorKind {
  const c = (code ?? "").toLowerCase();
  const m = message.toLowerCase();
  if (c === ErrorCodes.publishRunning || c === ErrorCodes.importRunning || /cannot start another \[?publish/i.test(message))
    return "publishBusy";
  if (c === ErrorCodes.wrongBusinessUnit) return "wrongBusinessUnit";
  if (c === ErrorCodes.duplicateKey || m.includes("cannot insert duplicate key")) return "duplicate";
  if (status === 429 || c === ErrorCodes.throttledRequests || c === ErrorCodes.throttledTime || c === ErrorCodes.throttledConcurrency)
    return "throttled";
  if (status === 401) return "sessionExpired";
  if (c === ErrorCodes.privilegeDenied || status === 403) return "privilege";
  if (c === ErrorCodes.notFound || status === 404) return "notFound";
  if (c === ErrorCodes.badQuery || status === 400) return "badQuery";
  if (status >= 500) return "server";
  return "unknown";
}

/** Reads `{"error":{"code","message"}}`; tolerates HTML or empty bodies from proxies and gateways. */
export function parseErrorBody(text: string): { code?: string; message?: string } {
  if (!text) return {};
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const err = body?.error;
    if (err && typeof err === "object") {
      return {
        code: typeof err.code === "string" && err.code ? err.code : undefined,
        message: typeof err.message === "string" ? err.message : undefined,
      };
    }
  } catch {
    // not JSON: fall through and keep a trimmed excerpt of the text
  }
  return { message: text.replace(/\s+/g, " ").trim().slice(0, 500) };
}

/** `Retry-After` is seconds in Dataverse; an HTTP date is accepted too. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

export function errorFromResponse(
  status: number,
  bodyText: string,
  request: { method?: string; url?: string; retryAfter?: string | null },
): DataverseError {
  const { code, message } = parseErrorBody(bodyText);
  const text = message || `HTTP ${status}`;
  return new DataverseError(classify(status, code, text), {
    status,
    code,
    message: text,
    method: request.method,
    url: request.url,
    retryAfterSeconds: parseRetryAfter(request.retryAfter),
  });
}
