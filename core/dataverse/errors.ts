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
  /** A solution operation (import, publish, uninstall…) holds Dataverse's customization lock. */
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
  // Solution-operation (customization) locks, "Web service error codes" (data-service-error-codes.md):
  // CustomizationLockEx_BothUnknown, _BlockedUnknown, _BothKnownSame, _BothKnownDifferent, _BlockingUnknown.
  lockBothUnknown: "0x8004f061",
  lockBlockedUnknown: "0x8004f062",
  publishRunning: "0x8004f063",
  importRunning: "0x8004f064",
  lockBlockingUnknown: "0x8004f067",
  // "The solution installation or removal failed due to the installation or removal of another solution
  // at the same time" (Microsoft support KB 4343228); the Web API reports it with HTTP 429.
  solutionConcurrency: "0x80071151",
  wrongBusinessUnit: "0x80041409",
  duplicateKey: "0x80040237",
  /** CannotUpdateBecauseItIsReadOnly: the stand-in's answer for a managed, non-customizable step (not documented for that case). */
  readOnlyComponent: "0x8004022e",
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

  /** What goes behind the "details" toggle, line by line: everything a support engineer needs, nothing secret. */
  get detailLines(): DetailLine[] {
    const lines: DetailLine[] = [];
    if (this.status) lines.push({ value: `HTTP ${this.status}` });
    if (this.code) lines.push({ label: "code", value: this.code });
    if (this.method && this.url) lines.push({ label: "request", value: `${this.method} ${this.url}` });
    lines.push({ label: "message", value: this.message });
    return lines;
  }

  /** The details with English labels (logs, tests); the front ends label them in the reader's language. */
  get technicalDetails(): string {
    return formatDetailLines(this.detailLines, ENGLISH_DETAIL_LABELS);
  }
}

/** A line of technical details: a label the front end names in its reader's language, then the value. */
export interface DetailLine {
  label?: "code" | "request" | "message";
  value: string;
}

/** Each label with its colon (French puts a space before it). */
export type DetailLabels = Record<NonNullable<DetailLine["label"]>, string>;

export const ENGLISH_DETAIL_LABELS: DetailLabels = { code: "Code:", request: "Request:", message: "Message:" };

export function formatDetailLines(lines: DetailLine[], labels: DetailLabels): string {
  return lines.map((l) => (l.label ? `${labels[l.label]} ${l.value}` : l.value)).join("\n");
}

export function isDataverseError(e: unknown): e is DataverseError {
  return e instanceof DataverseError;
}

const LOCK_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.lockBothUnknown,
  ErrorCodes.lockBlockedUnknown,
  ErrorCodes.publishRunning,
  ErrorCodes.importRunning,
  ErrorCodes.lockBlockingUnknown,
  ErrorCodes.solutionConcurrency,
]);

/**
 * The lock's texts, for answers that carry them under another code (a generic 0x80040216, an
 * asyncoperation's message): the five CustomizationLockEx templates ("Cannot start another [X] because
 * there is a previous [Y] running…", "Cannot start the requested operation [X] because there is another
 * [Y] running…", "… because there is a customization running…"), CustomizationLockException, and KB 4343228's
 * "installation or removal of another solution at the same time" ("Concurrent solution operation failures").
 */
const LOCK_TEXT =
  /cannot start (?:another|the requested operation)\b[^.]*?\bbecause there is (?:a previous|another|a customization)\b|customizationlockexception|installation or removal of another solution at the same time/i;

/** Whether a failure means another solution operation holds the lock (a wait, not a fault). */
export function isSolutionLock(code: string | undefined, message: string | undefined): boolean {
  return LOCK_CODES.has((code ?? "").toLowerCase()) || LOCK_TEXT.test(message ?? "");
}

/**
 * The operation holding the lock, as the service names it ("Import", "PublishAll", "Uninstall"…), when the
 * message says: "there is a previous [Y]" / "there is another [Y]". Undefined for the "customization" forms.
 */
export function blockingOperation(message: string | undefined): string | undefined {
  return /because there is (?:a previous|another) \[([^\]]+)\]/i.exec(message ?? "")?.[1];
}

/** Classifies a failed response from its status, Dataverse hex code and message. */
export function classify(status: number, code: string | undefined, message: string): ErrorKind {
  const c = (code ?? "").toLowerCase();
  const m = message.toLowerCase();
  // Before the 429 rule: a lock reported as 429 (0x80071151) is not service protection.
  if (isSolutionLock(code, message)) return "publishBusy";
  if (c === ErrorCodes.wrongBusinessUnit) return "wrongBusinessUnit";
  if (c === ErrorCodes.duplicateKey || m.includes("cannot insert duplicate key")) return "duplicate";
  if (status === 429 || c === ErrorCodes.throttledRequests || c === ErrorCodes.throttledTime || c === ErrorCodes.throttledConcurrency) return "throttled";
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

export function errorFromResponse(status: number, bodyText: string, request: { method?: string; url?: string; retryAfter?: string | null }): DataverseError {
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
