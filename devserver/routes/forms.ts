/**
 * Forms: `systemforms` rows hold the published form; the latest saved form XML, when it differs,
 * waits in an unpublished copy until a publish. As in Dataverse:
 * - a plain Retrieve/RetrieveMultiple of systemform returns the published form; the functions
 *   `RetrieveUnpublished` (bound to one record) and `RetrieveUnpublishedMultiple` (bound to the
 *   entity set, composable with $select/$filter/…) return the latest saved one
 *   (Web API reference: RetrieveUnpublished / RetrieveUnpublishedMultiple functions; SDK
 *   RetrieveUnpublishedRequest: "Retrieves a record that has not been published");
 * - an update of formxml changes only the unpublished copy, whose formxml must be a well-formed
 *   `<form>` (else 400 0x80040203);
 * - `PublishXml` naming the table (reference/publishxml.md: `ParameterXml` =
 *   `<importexportxml><entities><entity>name</entity>…`), `PublishAllXml` and a completed
 *   `PublishAllXmlAsync` copy the unpublished copy over the published one.
 * Simplification: only formxml is layered; other columns of a form are written directly.
 */
import { ApiRequest, ApiResponse, ServerContext, noContent, parseJsonBody } from "../context";
import { Codes, HttpError, badQuery, methodNotAllowed, recordNotFound } from "../errors";
import type { Row } from "../fixture";
import { checkPrivilege } from "../security";
import { checkSolutionLock } from "./solutionLock";
import type { Entity, Org } from "../store";
import { child, children, parseXml, textOf, xmlError } from "../../formats/xml";
import { readCollection, readRecord } from "./query";
import { updateRecord } from "./write";

/**
 * Row key of the latest saved, not yet published formxml. Not a column: rows are served through
 * the schema's attributes only, so it never shows in a plain read. Fixtures may set it.
 */
export const UNPUBLISHED_FORMXML = "formxml@devserver.unpublished";

function formRow(org: Org, formId: string): Row {
  const row = org.get("systemform", formId);
  if (!row) throw recordNotFound("systemform", formId);
  return row;
}

/** The form as RetrieveUnpublished returns it: the published row with the latest saved formxml. */
function latest(row: Row): Row {
  const pending = row[UNPUBLISHED_FORMXML];
  return typeof pending === "string" ? { ...row, formxml: pending } : row;
}

/** For tests: what an admin saved in the form designer without publishing it. */
export function saveUnpublishedForm(org: Org, formId: string, formxml: string): void {
  const error = xmlError(formxml);
  if (error) throw new Error(`saveUnpublishedForm: the form XML is not well-formed: ${error}`);
  const row = formRow(org, formId);
  Object.assign(row, { [UNPUBLISHED_FORMXML]: formxml, modifiedon: new Date().toISOString(), versionnumber: org.nextVersion() });
}

/** For tests: the latest saved formxml (the published one when nothing waits to be published). */
export function unpublishedFormXml(org: Org, formId: string): string {
  return String(latest(formRow(org, formId)).formxml ?? "");
}

/** For tests: the published formxml (what users of the app see). */
export function publishedFormXml(org: Org, formId: string): string {
  return String(formRow(org, formId).formxml ?? "");
}

/** Refuses a formxml that is not a well-formed form; returns it, or undefined when the body has none. */
function checkFormXml(body: Record<string, unknown>): string | undefined {
  if (!("formxml" in body)) return undefined;
  const xml = body.formxml;
  const error = typeof xml === "string" ? xmlError(xml) : "formxml must be a string";
  if (error) throw new HttpError(400, Codes.invalidArgument, `The form XML is not valid: ${error}`);
  if (parseXml(xml as string).name !== "form") throw new HttpError(400, Codes.invalidArgument, "The form XML is not valid: the root element must be <form>.");
  return xml as string;
}

/** PATCH systemforms(id): formxml goes to the unpublished copy, the other columns to the row. */
export function updateForm(ctx: ServerContext, req: ApiRequest, entity: Entity, id: string, contentIds?: Map<string, string>): { response: ApiResponse; url: string } {
  const body = parseJsonBody(req);
  const formxml = checkFormXml(body);
  if (formxml === undefined || !ctx.org.get("systemform", id)) return updateRecord(ctx, req, entity, id, contentIds);
  const rest = { ...body };
  delete rest.formxml;
  // updateRecord checks If-Match, privileges and the other columns, and bumps the row version.
  const result = updateRecord(ctx, { ...req, body: JSON.stringify(rest) }, entity, id, contentIds);
  ctx.org.get("systemform", id)![UNPUBLISHED_FORMXML] = formxml;
  return result;
}

/**
 * GET `systemforms/Microsoft.Dynamics.CRM.RetrieveUnpublishedMultiple()?$select…` (a collection) or
 * `systemforms(<id>)/Microsoft.Dynamics.CRM.RetrieveUnpublished()` (one record), in the shape of a
 * plain read of the table.
 */
export function retrieveUnpublished(ctx: ServerContext, req: ApiRequest, entity: Entity, id?: string): ApiResponse {
  if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
  const table = ctx.org.table(entity);
  if (id === undefined) return readCollection(ctx, req, entity, [...table.values()].map(latest), entity.entitySetName);
  const saved = table.get(id);
  if (!saved) throw recordNotFound(entity.logicalName, id);
  // readRecord reads the row from the table: put the latest copy there for this (synchronous) read.
  table.set(id, latest(saved));
  try {
    return readRecord(ctx, req, entity, id);
  } finally {
    table.set(id, saved);
  }
}

/** Whether `<set>/<segment>` names one of the functions above for this table. */
export function isUnpublishedFunction(entity: Entity, segment: string, bound: "collection" | "record"): boolean {
  if (entity.logicalName !== "systemform") return false;
  return segment === (bound === "collection" ? "Microsoft.Dynamics.CRM.RetrieveUnpublishedMultiple" : "Microsoft.Dynamics.CRM.RetrieveUnpublished");
}

/** Copies the unpublished formxml of the forms of these tables (all tables: every form) over the published one. */
export function publishForms(org: Org, tables?: string[], at = new Date().toISOString()): void {
  for (const form of org.table(org.entity("systemform")).values()) {
    if (tables && !tables.includes(String(form.objecttypecode).toLowerCase())) continue;
    const pending = form[UNPUBLISHED_FORMXML];
    if (typeof pending === "string") {
      form.formxml = pending;
      delete form[UNPUBLISHED_FORMXML];
    }
    Object.assign(form, { publishedon: at, versionnumber: org.nextVersion() });
  }
}

/** Publishes every form once the async publish job `jobId` succeeds. */
export function publishFormsWhenDone(org: Org, jobId: string): void {
  const job = org.jobs.find((j) => j.id === jobId);
  if (!job) return;
  if (job.done) {
    if (!job.fail) publishForms(org);
    return;
  }
  const previous = job.finish;
  job.finish = (completedon) => {
    previous?.(completedon);
    if (!job.fail) publishForms(org, undefined, completedon);
  };
}

export function publishXml(ctx: ServerContext, req: ApiRequest): ApiResponse {
  const org = ctx.org;
  checkPrivilege(org, req.userId, "prvPublishCustomization");
  const body = parseJsonBody(req);
  const xml = body.ParameterXml;
  if (typeof xml !== "string" || !xml.trim()) throw badQuery("The parameter 'ParameterXml' is required.");
  const error = xmlError(xml);
  if (error) throw new HttpError(400, Codes.invalidArgument, `ParameterXml is not valid XML: ${error}`);
  const root = parseXml(xml);
  if (root.name !== "importexportxml") throw new HttpError(400, Codes.invalidArgument, "ParameterXml must have the root element <importexportxml>.");
  const entities = children(child(root, "entities"), "entity").map((e) => textOf(e).toLowerCase());
  for (const name of entities) {
    if (!org.entities.has(name)) throw new HttpError(404, Codes.notFound, `Could not find an entity with LogicalName = '${name}'.`);
  }
  checkSolutionLock(org, "Publish");
  const at = new Date().toISOString();
  publishForms(org, entities, at);
  org.publishedXml.push({ entities, at });
  return noContent();
}
