/**
 * Links to a record's form in a model-driven app. Microsoft's "Open forms, views, dialogs, and reports
 * with a URL": `<org>/main.aspx?etn=<logical name>&pagetype=entityrecord&id=<GUID>`, the org root from
 * getClientUrl(); the id may be given without braces.
 */
import { guid, isGuid } from "../dataverse/odata";

const LOGICAL_NAME = /^[a-z][a-z0-9_]*$/;

/** The record's form, or undefined when the organisation URL is not http(s) or the id is not a GUID (never a link that could run script). */
export function recordUrl(clientUrl: string | undefined, entity: string, id: string | undefined): string | undefined {
  if (!clientUrl || !/^https?:\/\/[^\s]+$/i.test(clientUrl) || !id || !isGuid(id) || !LOGICAL_NAME.test(entity)) return undefined;
  return `${clientUrl.replace(/\/+$/, "")}/main.aspx?pagetype=entityrecord&etn=${entity}&id=${guid(id)}`;
}

/** The user's record (systemuser), where roles, the application ID and the status are managed. */
export const userRecordUrl = (clientUrl: string | undefined, userId: string | undefined) => recordUrl(clientUrl, "systemuser", userId);
