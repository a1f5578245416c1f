/**
 * Forms: `systemforms` are plain rows (formxml is a Memo column) except that an update's formxml
 * must be well-formed `<form>` XML, and `PublishXml` publishes the tables it names
 * (reference/publishxml.md: `ParameterXml` = `<importexportxml><entities><entity>name</entity>…`).
 */
import { ApiRequest, ApiResponse, ServerContext, noContent, parseJsonBody } from "../context";
import { Codes, HttpError, badQuery } from "../errors";
import { checkPrivilege } from "../security";
import { child, children, parseXml, textOf, xmlError } from "../../pack/xml";

/** Refuses a PATCH of systemforms whose formxml is not a well-formed form. */
export function checkFormUpdate(req: ApiRequest): void {
  const body = parseJsonBody(req);
  if (!("formxml" in body)) return;
  const xml = body.formxml;
  const error = typeof xml === "string" ? xmlError(xml) : "formxml must be a string";
  if (error) throw new HttpError(400, Codes.invalidArgument, `The form XML is not valid: ${error}`);
  if (parseXml(xml as string).name !== "form") throw new HttpError(400, Codes.invalidArgument, "The form XML is not valid: the root element must be <form>.");
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
  if (org.publishRunning()) {
    throw new HttpError(400, Codes.publishRunning, "Cannot start another [PublishAll] because there is a previous [PublishAll] running at this moment. Please wait for the previous operation to complete and try again.");
  }
  const at = new Date().toISOString();
  for (const form of org.table(org.entity("systemform")).values()) {
    if (entities.includes(String(form.objecttypecode).toLowerCase())) Object.assign(form, { publishedon: at, versionnumber: org.nextVersion() });
  }
  org.publishedXml.push({ entities, at });
  return noContent();
}
