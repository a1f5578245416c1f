/**
 * Create, update, delete, `@odata.bind`, and `$ref` associate/disassociate
 * (powerapps-docs/developer/data-platform/webapi/create-entity-web-api.md,
 * …/update-delete-entities-using-web-api.md, …/associate-disassociate-entities-using-web-api.md,
 * …/perform-conditional-operations-using-web-api.md for If-Match).
 */
import { applyApplicationUserRules } from "../applicationUsers";
import { ApiRequest, ApiResponse, ServerContext, noContent, parseJsonBody, parsePrefer } from "../context";
import { refuseNonCustomizable } from "../customizable";
import { Codes, HttpError, badQuery, recordNotFound } from "../errors";
import type { Row } from "../fixture";
import { propertyName, type ManyToManyDef } from "../schema";
import { checkPrivilege } from "../security";
import type { Entity, Navigation, Org } from "../store";
import { etag, formatRow } from "./query";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses `<set>(<guid>)` from an `@odata.id`/`@odata.bind` value: relative, rooted or absolute. */
export function parseRecordReference(ctx: ServerContext, value: string, contentIds?: Map<string, string>): { entity: Entity; id: string } {
  let ref = value.trim();
  if (contentIds && /^\$\w+$/.test(ref)) {
    const resolved = contentIds.get(ref.slice(1));
    if (!resolved) throw badQuery(`Content-ID Reference: '${ref}' does not exist in the batch context.`);
    ref = resolved;
  }
  const m = /(?:^|\/)([A-Za-z_][\w]*)\(([0-9a-fA-F-]{36})\)$/.exec(ref.replace(/^https?:\/\/[^/]+/i, ""));
  const entity = m ? ctx.org.bySet.get(m[1]) : undefined;
  if (!m || !entity || !GUID.test(m[2])) throw badQuery(`The URI '${value}' is not valid for a record reference.`);
  return { entity, id: m[2].toLowerCase() };
}

type Changes = Record<string, unknown>;

/** Turns a request body into column changes, resolving `nav@odata.bind` into `_x_value`. */
function readChanges(ctx: ServerContext, entity: Entity, body: Record<string, unknown>, contentIds?: Map<string, string>): Changes {
  const changes: Changes = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith("@odata.")) continue;
    if (key.endsWith("@odata.bind")) {
      const navName = key.slice(0, -"@odata.bind".length);
      const nav = ctx.org.navigation(entity, navName);
      if (!nav || nav.kind !== "single") {
        throw badQuery(`An undeclared property '${navName}' which only has property annotations in the payload but no property value was found in the payload.`);
      }
      if (value === null) {
        // A null bind clears a single-valued lookup in an update, as DELETE <record>/<nav>/$ref does
        // (powerapps-docs/developer/data-platform/webapi/associate-disassociate-entities-using-web-api.md).
        changes[`_${nav.attribute.logicalName}_value`] = null;
        continue;
      }
      if (typeof value !== "string") {
        throw badQuery(`The value of '${key}' must be a record URI, or null to clear the lookup.`);
      }
      const target = parseRecordReference(ctx, value, contentIds);
      if (!nav.attribute.targets!.includes(target.entity.logicalName)) {
        throw badQuery(`The lookup '${navName}' cannot point to a '${target.entity.logicalName}' record.`);
      }
      if (!ctx.org.get(target.entity.logicalName, target.id)) throw recordNotFound(target.entity.logicalName, target.id);
      changes[`_${nav.attribute.logicalName}_value`] = target.id;
      continue;
    }
    const a = entity.attributeMap.get(key);
    if (!a || a.type === "Lookup" || a.type === "Owner" || key === "versionnumber") {
      throw badQuery(
        `The property '${key}' does not exist on type 'Microsoft.Dynamics.CRM.${entity.logicalName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    }
    changes[propertyName(a)] = a.type === "Uniqueidentifier" && typeof value === "string" ? value.toLowerCase() : value;
  }
  return changes;
}

export function createRecord(ctx: ServerContext, req: ApiRequest, entity: Entity, contentIds?: Map<string, string>): { response: ApiResponse; url: string } {
  checkPrivilege(ctx.org, req.userId, "Create", entity);
  const changes = readChanges(ctx, entity, parseJsonBody(req), contentIds);
  if (entity.logicalName === "systemuser") applyApplicationUserRules(ctx.org, changes);
  const id = changes[entity.primaryIdAttribute];
  if (typeof id === "string" && ctx.org.get(entity.logicalName, id)) {
    throw new HttpError(412, Codes.duplicateKey, "A record with matching key values already exists.");
  }
  const row = ctx.org.insert(entity, changes);
  const url = `${ctx.serviceRoot}${entity.entitySetName}(${row[entity.primaryIdAttribute]})`;
  const headers = { "OData-EntityId": url, Location: url };
  const prefer = parsePrefer(req.headers["prefer"]);
  if (prefer.returnRepresentation) {
    const body = formatRow({ org: ctx.org, prefer, userId: req.userId, serviceRoot: ctx.serviceRoot }, entity, row, {});
    return {
      url,
      response: {
        status: 201,
        headers: { "Content-Type": "application/json; odata.metadata=minimal", "OData-Version": "4.0", "Preference-Applied": "return=representation", ...headers },
        body: JSON.stringify(body),
      },
    };
  }
  return { url, response: noContent(headers) };
}

export function updateRecord(ctx: ServerContext, req: ApiRequest, entity: Entity, id: string, contentIds?: Map<string, string>): { response: ApiResponse; url: string } {
  const ifMatch = req.headers["if-match"];
  const ifNoneMatch = req.headers["if-none-match"];
  const existing = ctx.org.get(entity.logicalName, id);
  const url = `${ctx.serviceRoot}${entity.entitySetName}(${id})`;
  if (!existing) {
    // Without If-Match a PATCH is an upsert; If-Match: * forbids creating (conditional operations page).
    if (ifMatch) throw recordNotFound(entity.logicalName, id);
    checkPrivilege(ctx.org, req.userId, "Create", entity);
    const changes = readChanges(ctx, entity, parseJsonBody(req), contentIds);
    if (entity.logicalName === "systemuser") applyApplicationUserRules(ctx.org, changes);
    ctx.org.insert(entity, { ...changes, [entity.primaryIdAttribute]: id });
    return { url, response: noContent({ "OData-EntityId": url }) };
  }
  if (ifNoneMatch === "*") throw new HttpError(412, Codes.duplicateKey, "A record with matching key values already exists.");
  if (ifMatch && ifMatch !== "*" && ifMatch !== etag(existing)) {
    throw new HttpError(412, Codes.versionMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
  }
  checkPrivilege(ctx.org, req.userId, "Write", entity);
  refuseNonCustomizable(entity, existing);
  const changes = readChanges(ctx, entity, parseJsonBody(req), contentIds);
  delete changes[entity.primaryIdAttribute];
  const unitBefore = existing._businessunitid_value;
  Object.assign(existing, changes, { modifiedon: new Date().toISOString(), versionnumber: ctx.org.nextVersion() });
  // A user moved to another business unit leaves the old unit's default team and joins the new one's.
  if (entity.logicalName === "systemuser" && existing._businessunitid_value !== unitBefore) ctx.org.moveDefaultTeam(existing, unitBefore);
  return { url, response: noContent({ "OData-EntityId": url }) };
}

export function deleteRecord(ctx: ServerContext, req: ApiRequest, entity: Entity, id: string): ApiResponse {
  const existing = ctx.org.get(entity.logicalName, id);
  if (!existing) throw recordNotFound(entity.logicalName, id);
  const ifMatch = req.headers["if-match"];
  if (ifMatch && ifMatch !== "*" && ifMatch !== etag(existing)) {
    throw new HttpError(412, Codes.versionMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
  }
  checkPrivilege(ctx.org, req.userId, "Delete", entity);
  ctx.org.table(entity).delete(id);
  for (const rel of ctx.org.manyToMany) {
    const set = ctx.org.links.get(rel.schemaName)!;
    for (const pair of [...set]) {
      const [a, b] = pair.split("|");
      if ((rel.entity1 === entity.logicalName && a === id) || (rel.entity2 === entity.logicalName && b === id)) set.delete(pair);
    }
  }
  return noContent();
}

/** The business-unit rule for security roles: a role can only go to a principal of its own unit. */
function checkRoleBusinessUnit(org: Org, principal: Row, role: Row, principalKind: "systemuser" | "team"): void {
  const principalBu = principal._businessunitid_value;
  const roleBu = role._businessunitid_value;
  if (principalBu !== roleBu) {
    // 0x80041409; text modelled on the service's (roles exist once per business unit).
    throw new HttpError(
      400,
      Codes.wrongBusinessUnit,
      `The ${principalKind === "team" ? "team" : "user"} (Id=${principal[`${principalKind}id`]}) and the role (Id=${role.roleid}) belong to different business units. A role can only be assigned to a principal of the role's own business unit.`,
    );
  }
  void org;
}

/**
 * A default business-unit team's members are the unit's users, kept by Dataverse: "you can't manually
 * add or remove" them (Power Platform admin, "Security concepts in Microsoft Dataverse", Teams). The
 * refusal's code and text are not documented: ours is InvalidArgument.
 */
function checkNotDefaultTeamMembership(org: Org, rel: ManyToManyDef, teamId: string): void {
  if (rel.schemaName !== "teammembership_association" || org.get("team", teamId)?.isdefault !== true) return;
  throw new HttpError(
    400,
    Codes.invalidArgument,
    `The team (Id=${teamId}) is the default team of its business unit: its members are the business unit's users and cannot be added or removed. Move the user to another business unit instead.`,
  );
}

/** POST `<set>(id)/<nav>/$ref` (collection) or PUT `<set>(id)/<lookup>/$ref`. */
export function associate(ctx: ServerContext, req: ApiRequest, entity: Entity, id: string, nav: Navigation, navName: string, contentIds?: Map<string, string>): ApiResponse {
  const row = ctx.org.get(entity.logicalName, id);
  if (!row) throw recordNotFound(entity.logicalName, id);
  const body = parseJsonBody(req);
  const ref = body["@odata.id"];
  if (typeof ref !== "string") throw badQuery("The request body must contain an '@odata.id' property with the URI of the record to associate.");
  const target = parseRecordReference(ctx, ref, contentIds);
  if (target.entity.logicalName !== nav.target.logicalName) throw badQuery(`The record '${ref}' cannot be associated through '${navName}'.`);
  const targetRow = ctx.org.get(target.entity.logicalName, target.id);
  if (!targetRow) throw recordNotFound(target.entity.logicalName, target.id);

  if (nav.kind === "single") {
    checkPrivilege(ctx.org, req.userId, "Write", entity);
    Object.assign(row, { [`_${nav.attribute.logicalName}_value`]: target.id, modifiedon: new Date().toISOString(), versionnumber: ctx.org.nextVersion() });
    return noContent();
  }
  if (nav.kind === "oneToMany") {
    checkPrivilege(ctx.org, req.userId, "Write", nav.target);
    Object.assign(targetRow, { [`_${nav.relationship.referencingAttribute}_value`]: id, versionnumber: ctx.org.nextVersion() });
    return noContent();
  }
  const [id1, id2] = nav.selfIsEntity1 ? [id, target.id] : [target.id, id];
  const rel = nav.relationship;
  const roleSide = rel.entity2 === "role" ? ctx.org.get("role", id2) : undefined;
  if (roleSide && (rel.entity1 === "systemuser" || rel.entity1 === "team")) {
    checkPrivilege(ctx.org, req.userId, "prvAssignRole");
    checkRoleBusinessUnit(ctx.org, ctx.org.get(rel.entity1, id1)!, roleSide, rel.entity1);
  } else {
    checkPrivilege(ctx.org, req.userId, "AppendTo", entity);
  }
  checkNotDefaultTeamMembership(ctx.org, rel, id1);
  if (ctx.org.isLinked(rel, id1, id2)) {
    // Dataverse answers a repeated association with DuplicateRecord (0x80040237). The docs do not
    // state the HTTP status; 400 is what a CrmException of this kind maps to in our reading.
    throw new HttpError(400, Codes.duplicateKey, "Cannot insert duplicate key.");
  }
  ctx.org.link(rel, id1, id2);
  return noContent();
}

/** DELETE `<set>(id)/<nav>(<targetId>)/$ref`, `<set>(id)/<nav>/$ref?$id=…`, or `<set>(id)/<lookup>/$ref`. */
export function disassociate(ctx: ServerContext, req: ApiRequest, entity: Entity, id: string, nav: Navigation, targetId: string | undefined): ApiResponse {
  const row = ctx.org.get(entity.logicalName, id);
  if (!row) throw recordNotFound(entity.logicalName, id);
  if (nav.kind === "single") {
    checkPrivilege(ctx.org, req.userId, "Write", entity);
    Object.assign(row, { [`_${nav.attribute.logicalName}_value`]: null, modifiedon: new Date().toISOString(), versionnumber: ctx.org.nextVersion() });
    return noContent();
  }
  let other = targetId;
  if (!other && req.query["$id"]) other = parseRecordReference(ctx, req.query["$id"]).id;
  if (!other) throw badQuery("The record to disassociate must be given in the URL: <nav>(<id>)/$ref or $id=<uri>.");
  if (!ctx.org.get(nav.target.logicalName, other)) throw recordNotFound(nav.target.logicalName, other);
  if (nav.kind === "oneToMany") {
    checkPrivilege(ctx.org, req.userId, "Write", nav.target);
    const child = ctx.org.get(nav.target.logicalName, other)!;
    const key = `_${nav.relationship.referencingAttribute}_value`;
    if (child[key] === id) Object.assign(child, { [key]: null, versionnumber: ctx.org.nextVersion() });
    return noContent();
  }
  const [id1, id2] = nav.selfIsEntity1 ? [id, other] : [other, id];
  if (nav.relationship.entity2 === "role") checkPrivilege(ctx.org, req.userId, "prvAssignRole");
  checkNotDefaultTeamMembership(ctx.org, nav.relationship, id1);
  // Assumption (not documented): removing a link that is not there is answered 204, not an error.
  ctx.org.unlink(nav.relationship, id1, id2);
  return noContent();
}
