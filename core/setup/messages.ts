/**
 * Turns any failure into a resx key with parameters and technical details, so the control and
 * the CLI explain errors alike, in the user's language.
 */
import { formatDetailLines, isDataverseError, type DetailLabels, type DetailLine } from "../dataverse/errors";
import type { Translate } from "../i18n/translate";
import { InvalidGuidError } from "../dataverse/odata";
import { PartialAssignError, PartialRemovalError, SetupActionError } from "./actions";

/** The operation the admin started: privilege errors name what it needs. */
export type Operation = "load" | "search" | "assignRole" | "removeRole" | "enableSteps" | "publish" | "saveUser" | "deploy" | "bindForm" | "connectionInfo" | "createAppUser";

export interface ErrorMessage {
  key: string;
  params: Record<string, string | number>;
  /** Shown as a second sentence: what the operation needs when privileges are missing. */
  hintKey?: string;
  /** The technical details, labels in English. */
  details: string;
  /** The same, line by line, when they have labels: shown labelled in the reader's language (`detailsText`). */
  detailLines?: DetailLine[];
}

function details(e: unknown): Pick<ErrorMessage, "details" | "detailLines"> {
  if (isDataverseError(e)) return { details: e.technicalDetails, detailLines: e.detailLines };
  if (e instanceof Error) return { details: `${e.name}: ${e.message}` };
  return { details: String(e) };
}

/** The technical details labelled in the reader's language ("Code / Requête / Message" in French). */
export function detailsText(message: Pick<ErrorMessage, "details" | "detailLines">, t: Translate): string {
  if (!message.detailLines) return message.details;
  const labels: DetailLabels = { code: t("Details_Code"), request: t("Details_Request"), message: t("Details_Message") };
  return formatDetailLines(message.detailLines, labels);
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
      ...details(e.cause),
    };
  }
  if (e instanceof PartialAssignError) {
    const inner = describeError(e.cause, operation);
    return {
      ...inner,
      key: "Action_partialAssign",
      params: { count: e.assigned.length, failedCount: e.failed.length, failed: e.failed.map((u) => u.fullName).join(", ") },
      hintKey: inner.hintKey ?? inner.key,
    };
  }
  if (e instanceof SetupActionError) return { key: `Action_${e.key}`, params: e.params, ...(e.cause ? details(e.cause) : { details: e.message }) };
  if (e instanceof InvalidGuidError) return { key: "Error_badQuery", params: {}, details: e.message };
  if (isDataverseError(e)) {
    return {
      key: `Error_${e.kind}`,
      params: { seconds: e.retryAfterSeconds ?? "" },
      hintKey: e.kind === "privilege" ? `Privilege_${operation}` : undefined,
      ...details(e),
    };
  }
  return { key: "Error_unknown", params: {}, ...details(e) };
}
