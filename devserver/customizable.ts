/**
 * Managed properties: a component that came in a managed solution with "Can be customized" off
 * (`iscustomizable.Value` false) cannot be updated, not even enabled or disabled; only a solution
 * from the same publisher may change it (Power Platform ALM docs, "Use managed properties"). The
 * column is a ManagedProperty (powerapps-docs reference/entities/sdkmessageprocessingstep.md).
 *
 * Uncertain: no public page names the error Dataverse answers with for this case. We answer with
 * the documented code closest in meaning, CannotUpdateBecauseItIsReadOnly (0x8004022E, "The
 * object cannot be updated because it is read-only.", reference/web-service-error-codes.md), and
 * HTTP 400 as other refused updates. The client decides from the columns it reads, and falls back
 * on this guessed code only when an update it expected to pass is refused.
 */
import { Codes, HttpError } from "./errors";
import type { Row } from "./fixture";
import type { Entity } from "./store";

function isCustomizable(row: Row): boolean {
  const p = row.iscustomizable as { Value?: unknown } | null | undefined;
  return !(p && typeof p === "object" && p.Value === false);
}

/** Throws when `row` is a managed component that may not be changed. */
export function refuseNonCustomizable(entity: Entity, row: Row): void {
  if (row.ismanaged !== true || isCustomizable(row)) return;
  throw new HttpError(400, Codes.readOnlyComponent, `The ${entity.logicalName} with Id = ${String(row[entity.primaryIdAttribute])} is managed and not customizable: it cannot be updated.`);
}
