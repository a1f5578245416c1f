/** Routes one Web API request (plain or from a `$batch` part) to the handler for its URL. */
import { ApiRequest, ApiResponse, ServerContext, json } from "../context";
import { Codes, HttpError, badQuery, methodNotAllowed, propertyNotFound, recordNotFound, segmentNotFound } from "../errors";
import { splitTopLevel } from "../odata/parse";
import { checkPrivilege } from "../security";
import { isFetchXmlRead, readFetchXml } from "./fetchXml";
import { isUnpublishedFunction, retrieveUnpublished, updateForm } from "./forms";
import { metadataRoute } from "./metadata";
import { isOperation, retrievePrincipalAccess, retrieveUserPrivileges, unboundOperation } from "./operations";
import { readCollection, readRecord } from "./query";
import { associate, createRecord, deleteRecord, disassociate, updateRecord } from "./write";

export interface Segment {
  name: string;
  key?: string;
}

const SEGMENT = /^([A-Za-z_$][\w.$]*)(?:\(([\s\S]*)\))?$/;
const GUID = /^[{]?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})[}]?$/;

export function parseSegments(path: string): Segment[] {
  if (!path) return [];
  let parts: string[];
  try {
    parts = splitTopLevel(path, "/");
  } catch {
    throw badQuery(`Bad Request - Error in query syntax: '${path}'.`);
  }
  return parts.map((raw) => {
    let text: string;
    try {
      text = decodeURIComponent(raw);
    } catch {
      throw badQuery(`Bad Request - Error in query syntax: '${raw}'.`);
    }
    const m = SEGMENT.exec(text);
    if (!m) throw segmentNotFound(text);
    return { name: m[1], key: m[2] };
  });
}

function recordId(key: string, entityName: string): string {
  const m = GUID.exec(key.trim()) ?? new RegExp(`^${entityName}id=([0-9a-fA-F-]{36})$`).exec(key.trim());
  if (!m) throw badQuery(`Bad Request - Error in query syntax: the key '${key}' is not a GUID.`);
  return m[1].toLowerCase();
}

export async function route(ctx: ServerContext, req: ApiRequest, contentIds?: Map<string, string>): Promise<{ response: ApiResponse; createdUrl?: string }> {
  const segments = parseSegments(req.path);
  const org = ctx.org;
  if (segments.length === 0) {
    if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
    return {
      response: json(200, {
        "@odata.context": `${ctx.serviceRoot}$metadata`,
        value: [...org.bySet.keys()].map((name) => ({ name, kind: "EntitySet", url: name })),
      }),
    };
  }
  const [s0, s1, s2, s3] = segments;
  if (s0.name === "$metadata") {
    return {
      response: {
        status: 200,
        headers: { "Content-Type": "application/xml", "OData-Version": "4.0" },
        body: '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><!-- devserver: CSDL not emulated --></edmx:Edmx>',
      },
    };
  }
  if (s0.name === "EntityDefinitions") return { response: metadataRoute(ctx, req, segments) };
  if (isOperation(s0.name)) {
    if (s1) throw segmentNotFound(s1.name);
    return { response: await unboundOperation(ctx, req, s0.name, s0.key) };
  }
  const entity = org.bySet.get(s0.name);
  if (!entity) throw segmentNotFound(s0.name);

  if (s0.key === undefined) {
    if (s1 && !s2 && s1.key === "" && isUnpublishedFunction(entity, s1.name, "collection")) return { response: retrieveUnpublished(ctx, req, entity) };
    if (s1) throw segmentNotFound(s1.name);
    if (isFetchXmlRead(req)) return { response: readFetchXml(ctx, req, entity) };
    if (req.method === "GET") return { response: readCollection(ctx, req, entity, [...org.table(entity).values()], entity.entitySetName) };
    if (req.method === "POST") {
      const { response, url } = createRecord(ctx, req, entity, contentIds);
      return { response, createdUrl: url };
    }
    throw methodNotAllowed(req.method, ["GET", "POST"]);
  }
  const id = recordId(s0.key, entity.logicalName);
  if (!s1) {
    switch (req.method) {
      case "GET":
        return { response: readRecord(ctx, req, entity, id) };
      case "PATCH": {
        const { response, url } = (entity.logicalName === "systemform" ? updateForm : updateRecord)(ctx, req, entity, id, contentIds);
        return { response, createdUrl: url };
      }
      case "DELETE":
        return { response: deleteRecord(ctx, req, entity, id) };
      default:
        throw methodNotAllowed(req.method, ["GET", "PATCH", "DELETE"]);
    }
  }
  if (s1.name.startsWith("Microsoft.Dynamics.CRM.")) {
    if (!s2 && s1.key === "" && isUnpublishedFunction(entity, s1.name, "record")) return { response: retrieveUnpublished(ctx, req, entity, id) };
    const op = s1.name.slice("Microsoft.Dynamics.CRM.".length);
    if (op === "RetrievePrincipalAccess" && (entity.logicalName === "systemuser" || entity.logicalName === "team") && !s2) {
      return { response: retrievePrincipalAccess(ctx, req, id, s1.key) };
    }
    if (op === "RetrieveUserPrivileges" && entity.logicalName === "systemuser" && !s2) return { response: retrieveUserPrivileges(ctx, req, id) };
    throw segmentNotFound(s1.name);
  }
  const nav = org.navigation(entity, s1.name);
  if (!nav) {
    // `<set>(id)/<property>`: a single column's value.
    const attribute = entity.propertyMap.get(s1.name);
    if (attribute && !s2 && s1.key === undefined) {
      if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
      checkPrivilege(org, req.userId, "Read", entity);
      const row = org.get(entity.logicalName, id);
      if (!row) throw recordNotFound(entity.logicalName, id);
      return { response: json(200, { "@odata.context": `${ctx.serviceRoot}$metadata#${entity.entitySetName}(${id})/${s1.name}`, value: row[s1.name] ?? null }) };
    }
    throw segmentNotFound(s1.name);
  }
  if (!s2) {
    if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
    const row = org.get(entity.logicalName, id);
    if (!row) throw recordNotFound(entity.logicalName, id);
    if (nav.kind === "single") {
      const target = org.related(entity, row, nav)[0];
      if (!target) return { response: { status: 204, headers: { "OData-Version": "4.0" }, body: "" } };
      return { response: readRecord(ctx, req, nav.target, String(target[nav.target.primaryIdAttribute])) };
    }
    if (s1.key !== undefined) throw badQuery("Addressing one related record by key is not supported by the devserver; use the table's own URL.");
    return { response: readCollection(ctx, req, nav.target, org.related(entity, row, nav), `${entity.entitySetName}(${id})/${s1.name}`) };
  }
  if (s2.name !== "$ref" || s3) throw segmentNotFound((s3 ?? s2).name);
  const targetId = s1.key !== undefined ? recordId(s1.key, nav.target.logicalName) : undefined;
  if (req.method === "DELETE") return { response: disassociate(ctx, req, entity, id, nav, targetId) };
  if (targetId) throw methodNotAllowed(req.method, ["DELETE"]);
  if (req.method === "POST" && nav.kind !== "single") return { response: associate(ctx, req, entity, id, nav, s1.name, contentIds) };
  if (req.method === "PUT" && nav.kind === "single") return { response: associate(ctx, req, entity, id, nav, s1.name, contentIds) };
  throw methodNotAllowed(req.method, nav.kind === "single" ? ["PUT", "DELETE"] : ["POST", "DELETE"]);
}

export { Codes, HttpError, propertyNotFound };
