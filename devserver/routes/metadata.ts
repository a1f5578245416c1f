/**
 * Metadata reads: `EntityDefinitions`, `/Attributes`, `/ManyToOneRelationships`, `/OneToManyRelationships`
 * (powerapps-docs/developer/data-platform/webapi/query-metadata-web-api.md). Labels use the
 * `Label` complex type (LocalizedLabels + UserLocalizedLabel). Built from the same table
 * definitions the data routes use, so a fixture's custom table shows up in both.
 */
import { createHash } from "node:crypto";
import { ApiRequest, ApiResponse, ServerContext, json } from "../context";
import { Codes, HttpError, badQuery, propertyNotFound } from "../errors";
import type { Row } from "../fixture";
import { filterRows } from "../odata/evaluate";
import { AttributeDef, AttributeType } from "../schema";
import type { Entity } from "../store";
import { applyOptions, parseOptions } from "./query";

function metadataId(...parts: string[]): string {
  const h = createHash("sha1").update(parts.join("/")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function label(text: string | undefined, id: string): Row {
  if (!text) return { LocalizedLabels: [], UserLocalizedLabel: null };
  const l = { Label: text, LanguageCode: 1033, IsManaged: false, MetadataId: metadataId("label", id), HasChanged: null };
  return { LocalizedLabels: [l], UserLocalizedLabel: l };
}

/** A pseudo table so `$filter` on metadata uses the same evaluator as data queries. */
function pseudoEntity(name: string, scalars: Record<string, AttributeType>): Entity {
  const attributes: AttributeDef[] = Object.entries(scalars).map(([logicalName, type]) => ({ logicalName, type }));
  const map = new Map(attributes.map((a) => [a.logicalName, a]));
  return {
    logicalName: name,
    schemaName: name,
    entitySetName: name,
    primaryIdAttribute: "MetadataId",
    primaryNameAttribute: "LogicalName",
    displayName: name,
    objectTypeCode: 0,
    attributes,
    attributeMap: map,
    propertyMap: new Map(map),
  };
}

const ENTITY_META = pseudoEntity("EntityMetadata", {
  MetadataId: "Uniqueidentifier",
  LogicalName: "String",
  SchemaName: "String",
  EntitySetName: "String",
  PrimaryIdAttribute: "String",
  PrimaryNameAttribute: "String",
  ObjectTypeCode: "Integer",
  IsCustomEntity: "Boolean",
  LogicalCollectionName: "String",
});
const LABELS = ["DisplayName", "DisplayCollectionName", "Description"];

const ATTRIBUTE_META = pseudoEntity("AttributeMetadata", {
  MetadataId: "Uniqueidentifier",
  LogicalName: "String",
  SchemaName: "String",
  EntityLogicalName: "String",
  AttributeType: "String",
  IsCustomAttribute: "Boolean",
});

const RELATIONSHIP_META = pseudoEntity("OneToManyRelationshipMetadata", {
  MetadataId: "Uniqueidentifier",
  SchemaName: "String",
  ReferencedEntity: "String",
  ReferencedAttribute: "String",
  ReferencingEntity: "String",
  ReferencingAttribute: "String",
  ReferencedEntityNavigationPropertyName: "String",
  ReferencingEntityNavigationPropertyName: "String",
  IsCustomRelationship: "Boolean",
});

const ATTRIBUTE_TYPE_NAME: Record<AttributeType, [string, string]> = {
  Uniqueidentifier: ["UniqueidentifierType", "UniqueIdentifierAttributeMetadata"],
  String: ["StringType", "StringAttributeMetadata"],
  Memo: ["MemoType", "MemoAttributeMetadata"],
  Boolean: ["BooleanType", "BooleanAttributeMetadata"],
  Integer: ["IntegerType", "IntegerAttributeMetadata"],
  BigInt: ["BigIntType", "BigIntAttributeMetadata"],
  Decimal: ["DecimalType", "DecimalAttributeMetadata"],
  Double: ["DoubleType", "DoubleAttributeMetadata"],
  DateTime: ["DateTimeType", "DateTimeAttributeMetadata"],
  Lookup: ["LookupType", "LookupAttributeMetadata"],
  Owner: ["OwnerType", "LookupAttributeMetadata"],
  Picklist: ["PicklistType", "PicklistAttributeMetadata"],
  State: ["StateType", "StateAttributeMetadata"],
  Status: ["StatusType", "StatusAttributeMetadata"],
  ManagedProperty: ["ManagedPropertyType", "ManagedPropertyAttributeMetadata"],
};

function entityMetadata(e: Entity): Row {
  return {
    MetadataId: metadataId("entity", e.logicalName),
    LogicalName: e.logicalName,
    SchemaName: e.schemaName,
    EntitySetName: e.entitySetName,
    LogicalCollectionName: e.entitySetName,
    PrimaryIdAttribute: e.primaryIdAttribute,
    PrimaryNameAttribute: e.primaryNameAttribute,
    ObjectTypeCode: e.objectTypeCode,
    IsCustomEntity: Boolean(e.isCustomEntity),
    DisplayName: label(e.displayName, `${e.logicalName}/DisplayName`),
    DisplayCollectionName: label(e.displayCollectionName ?? e.displayName, `${e.logicalName}/DisplayCollectionName`),
    Description: label(undefined, ""),
  };
}

function attributeMetadata(e: Entity, a: AttributeDef): Row {
  const [typeName, odataType] = ATTRIBUTE_TYPE_NAME[a.type];
  const row: Row = {
    "@odata.type": `#Microsoft.Dynamics.CRM.${odataType}`,
    MetadataId: metadataId("attribute", e.logicalName, a.logicalName),
    LogicalName: a.logicalName,
    SchemaName: a.schemaName ?? a.logicalName,
    EntityLogicalName: e.logicalName,
    AttributeType: a.type,
    AttributeTypeName: { Value: typeName },
    IsCustomAttribute: a.logicalName.includes("_") && !a.logicalName.startsWith("_"),
    DisplayName: label(a.displayName ?? a.logicalName, `${e.logicalName}/${a.logicalName}`),
  };
  if (a.targets) row.Targets = a.targets;
  return row;
}

function manyToOne(ctx: ServerContext, e: Entity): Row[] {
  return e.attributes
    .filter((a) => a.type === "Lookup" || a.type === "Owner")
    .map((a) => {
      const target = ctx.org.entity(a.targets![0]);
      return {
        MetadataId: metadataId("rel", e.logicalName, a.logicalName),
        SchemaName: `${e.logicalName}_${a.logicalName}`,
        ReferencedEntity: target.logicalName,
        ReferencedAttribute: target.primaryIdAttribute,
        ReferencingEntity: e.logicalName,
        ReferencingAttribute: a.logicalName,
        ReferencedEntityNavigationPropertyName: `${e.logicalName}_${a.logicalName}`,
        ReferencingEntityNavigationPropertyName: a.navigationProperty ?? a.logicalName,
        IsCustomRelationship: Boolean(e.isCustomEntity),
      };
    });
}

function oneToMany(ctx: ServerContext, e: Entity): Row[] {
  return ctx.org.oneToMany
    .filter((r) => r.referencedEntity === e.logicalName)
    .map((r) => ({
      MetadataId: metadataId("rel", r.schemaName),
      SchemaName: r.schemaName,
      ReferencedEntity: r.referencedEntity,
      ReferencedAttribute: e.primaryIdAttribute,
      ReferencingEntity: r.referencingEntity,
      ReferencingAttribute: r.referencingAttribute,
      ReferencedEntityNavigationPropertyName: r.schemaName,
      ReferencingEntityNavigationPropertyName: r.referencingAttribute,
      IsCustomRelationship: false,
    }));
}

function project(row: Row, select: string[] | undefined, meta: Entity, extra: string[]): Row {
  if (!select) return row;
  const out: Row = {};
  if (row["@odata.type"]) out["@odata.type"] = row["@odata.type"];
  for (const s of select) {
    if (!(s in row) && !meta.propertyMap.has(s) && !extra.includes(s)) throw propertyNotFound(s, meta);
    out[s] = row[s] ?? null;
  }
  out.MetadataId = row.MetadataId;
  return out;
}

function collection(ctx: ServerContext, req: ApiRequest, rows: Row[], meta: Entity, extra: string[], contextPath: string): ApiResponse {
  const options = parseOptions(req);
  if (options.expand) throw badQuery("$expand is not supported on this metadata request by the devserver.");
  const fc = { org: ctx.org, prefer: { annotations: null, maxPageSize: null, returnRepresentation: false, continueOnError: false }, userId: req.userId, serviceRoot: ctx.serviceRoot };
  const filtered = options.filter ? filterRows(ctx.org, meta, rows, options.filter, req.userId) : rows;
  const kept = applyOptions(fc, meta, filtered, { orderby: options.orderby, top: options.top });
  const sel = options.select ? `(${options.select.join(",")})` : "";
  return json(200, { "@odata.context": `${ctx.serviceRoot}$metadata#${contextPath}${sel}`, value: kept.map((r) => project(r, options.select, meta, extra)) });
}

function single(ctx: ServerContext, req: ApiRequest, row: Row, meta: Entity, extra: string[], contextPath: string): ApiResponse {
  const options = parseOptions(req);
  const sel = options.select ? `(${options.select.join(",")})` : "";
  return json(200, { "@odata.context": `${ctx.serviceRoot}$metadata#${contextPath}${sel}/$entity`, ...project(row, options.select, meta, extra) });
}

function keyOf(key: string, what: string): string {
  const m = /^LogicalName='([^']*)'$/.exec(key) ?? /^([0-9a-fA-F-]{36})$/.exec(key);
  if (!m) throw badQuery(`The key '${key}' is not valid for ${what}: use LogicalName='…' or the MetadataId.`);
  return m[1].toLowerCase();
}

/** Handles `EntityDefinitions…`; `segments[0]` is that segment with its key, if any. */
export function metadataRoute(ctx: ServerContext, req: ApiRequest, segments: Array<{ name: string; key?: string }>): ApiResponse {
  if (req.method !== "GET") throw new HttpError(405, Codes.badRequest, `The requested resource does not support http method '${req.method}'.`, { Allow: "GET" });
  const entities = [...ctx.org.entities.values()];
  const [first, second, third] = segments;
  if (first.key === undefined) {
    if (second) throw badQuery(`Segment '${second.name}' needs a table: EntityDefinitions(LogicalName='…')/${second.name}.`);
    return collection(ctx, req, entities.map(entityMetadata), ENTITY_META, LABELS, "EntityDefinitions");
  }
  const k = keyOf(first.key, "EntityDefinitions");
  const entity = entities.find((e) => e.logicalName === k || metadataId("entity", e.logicalName) === k);
  if (!entity) throw new HttpError(404, Codes.notFound, `Could not find an entity with LogicalName = '${k}'.`);
  const base = `EntityDefinitions(${metadataId("entity", entity.logicalName)})`;
  if (!second) return single(ctx, req, entityMetadata(entity), ENTITY_META, LABELS, "EntityDefinitions");
  if (third) throw badQuery(`Resource not found for the segment '${third.name}'.`);
  switch (second.name) {
    case "Attributes": {
      const rows = entity.attributes.map((a) => attributeMetadata(entity, a));
      if (second.key === undefined) return collection(ctx, req, rows, ATTRIBUTE_META, ["DisplayName", "AttributeTypeName", "Targets"], `${base}/Attributes`);
      const ak = keyOf(second.key, "Attributes");
      const row = rows.find((r) => r.LogicalName === ak || r.MetadataId === ak);
      if (!row) throw new HttpError(404, Codes.notFound, `Could not find an attribute with LogicalName = '${ak}' on entity '${entity.logicalName}'.`);
      return single(ctx, req, row, ATTRIBUTE_META, ["DisplayName", "AttributeTypeName", "Targets"], `${base}/Attributes`);
    }
    case "ManyToOneRelationships":
      return collection(ctx, req, manyToOne(ctx, entity), RELATIONSHIP_META, [], `${base}/ManyToOneRelationships`);
    case "OneToManyRelationships":
      return collection(ctx, req, oneToMany(ctx, entity), RELATIONSHIP_META, [], `${base}/OneToManyRelationships`);
    default:
      throw new HttpError(404, Codes.badRequest, `Resource not found for the segment '${second.name}'.`);
  }
}
