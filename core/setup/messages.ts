/**
 * Turns any failure into a resx key with parameters and technical details, so the control and
 * the CLI explain errors alike, in the user's language.
 */
import { isDataverseError } from "../dataverse/errors";
import { InvalidGuidError } from "../dataverse/odata";
import { PartialRemovalError, SetupActionError } from "./actions";

/** The operation the admin started: privilege errors name what it needs. */
export type Operation = "load" | "search" | "assignRole" | "removeRole" | "enableSteps" | "publish" | "saveUser" | "deploy" | "bindForm" | "connectionInfo";

export interface ErrorMessage {
  key: string;
  params: Record<string, string | number>;
  /** Shown as a second sentence: what the operation needs when privileges are missing. */
  hintKey?: string;
  details: string;
}

function details(e: unknown): string {
  if (isDataverseError(e)) return e.technicalDetails;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

export function describeError(e: unknown, operation: Operation): ErrorMessage {
  if (e instanceof PartialRemovalError) {
    const inner = describeError(e.cause, operation);
    // Nobody was changed: the plain cause says it all.
    if (e.removed.length === 0) return inner;
    return {
      ...inner,
      key: "Action_partialRemoval",
      params: { removed: e.removed.map((u) => u.fullName).join(", ") || "—", failed: e.failedFor.fullName },
      hintKey: inner.hintKey ?? inner.key,
      details: details(e.cause),
    };
  }
  if (e instanceof SetupActionError) return { key: `Action_${e.key}`, params: e.params, details: e.cause ? details(e.cause) : e.message };
  if (e instanceof InvalidGuidError) return { key: "Error_badQuery", params: {}, details: e.message };
  if (isDataverseError(e)) {
    return {
      key: `Error_${e.kind}`,
      params: { seconds: e.retryAfterSeconds ?? "" },
      hintKey: e.kind === "privilege" ? `Privilege_${operation}` : undefined,
      details: details(e),
    };
  }
  return { key: "Error_unknown", params: {}, details: details(e) };
}
