/**
 * Dataverse error bodies: `{"error":{"code":"0x…","message":"…"}}`
 * (powerapps-docs/developer/data-platform/webapi/compose-http-requests-handle-errors.md).
 * Codes are the ones in powerapps-docs/developer/data-platform/reference/web-service-error-codes.md;
 * message texts are written to read like the service's, not copied.
 */
import type { Entity } from "./store";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  body(): string {
    return JSON.stringify({ error: { code: this.code, message: this.message } });
  }
}

export const Codes = {
  badRequest: "0x80060888",
  notFound: "0x80040217",
  privilegeDenied: "0x80040220",
  wrongBusinessUnit: "0x80041409",
  duplicateKey: "0x80040237",
  // Customization lock (CustomizationLockEx_*: BothUnknown, BlockedUnknown, BothKnownSame, BothKnownDifferent,
  // BlockingUnknown) and KB 4343228's concurrent install/uninstall: see routes/solutionLock.ts.
  lockBothUnknown: "0x8004F061",
  lockBlockedUnknown: "0x8004F062",
  publishRunning: "0x8004F063",
  importRunning: "0x8004F064",
  lockBlockingUnknown: "0x8004F067",
  solutionConcurrency: "0x80071151",
  versionMismatch: "0x80060882",
  unauthorized: "0x80072560",
  unexpected: "0x80040216",
  invalidArgument: "0x80040203",
  importInvalid: "0x80048060",
  /** CannotUpdateBecauseItIsReadOnly; used for non-customizable managed components (see customizable.ts). */
  readOnlyComponent: "0x8004022E",
} as const;

export const segmentNotFound = (segment: string) => new HttpError(404, Codes.badRequest, `Resource not found for the segment '${segment}'.`);

export const recordNotFound = (entity: string, id: string) => new HttpError(404, Codes.notFound, `Entity '${entity}' With Id = ${id} Does Not Exist`);

export const propertyNotFound = (name: string, entity: Entity | string) =>
  new HttpError(400, Codes.badRequest, `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${typeof entity === "string" ? entity : entity.logicalName}'.`);

export const badQuery = (message: string) => new HttpError(400, Codes.badRequest, message);

export const methodNotAllowed = (method: string, allow: string[]) =>
  new HttpError(405, Codes.badRequest, `The requested resource does not support http method '${method}'.`, { Allow: allow.join(", ") });
