/**
 * Reads: collections with `$select/$filter/$orderby/$top/$count/$expand`, paging with
 * `Prefer: odata.maxpagesize` and `@odata.nextLink`, single records, and the annotations
 * Dataverse adds with `Prefer: odata.include-annotations`
 * (powerapps-docs/developer/data-platform/webapi/query/overview.md, …/query/page-results.md,
 * …/query/select-columns.md "Formatted values", …/query/join-tables.md).
 */
import { ApiRequest, ApiResponse, Prefer, ServerContext, json, parsePrefer, wantsAnnotation } from "../context";
import { HttpError, badQuery, propertyNotFound, recordNotFound } from "../errors";
import type { Row } from "../fixture";
import { filterRows } from "../odata/evaluate";
import { ExpandItem, NESTED_EXPAND_OPTIONS_MESSAGE, ODataSyntaxError, QueryOptions, hasNestedExpand, parseQueryOptions } from "../odata/parse";
import { AttributeDef, propertyName } from "../schema";
import type { Entity, Org } from "../store";
import { checkPrivilege } from "../security";

const FORMATTED = "OData.Community.Display.V1.FormattedValue";
const LOOKUP_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname";
const NAV_NAME = "Microsoft.Dynamics.CRM.associatednavigationproperty";

export function parseOptions(req: ApiRequest): QueryOptions {
  try {
    return parseQueryOptions(req.query);
  } catch (e) {
    if (e instanceof ODataSyntaxError) throw new HttpError(400, e.code, e.message);
    throw e;
  }
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 || 12}:${pad(d.getUTCMinutes())} ${h < 12 ? "AM" : "PM"}`;
}

export function formattedValue(org: Org, a: AttributeDef, v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  switch (a.type) {
    case "Boolean":
      return (a.options ?? { "0": "No", "1": "Yes" })[v ? "1" : "0"];
    case "Picklist":
    case "State":
    case "Status":
      return a.options?.[String(v)] ?? String(v);
    case "DateTime":
      return formatDate(String(v));
    case "Integer":
    case "BigInt":
    case "Decimal":
    case "Double":
      return Number(v).toLocaleString("en-US");
    case "Lookup":
    case "Owner": {
      const target = org.entity(a.targets![0]);
      const row = org.get(target.logicalName, String(v));
      return row ? String(row[target.primaryNameAttribute] ?? "") : undefined;
    }
    default:
      return undefined;
  }
}

/** Which attributes a `$select` names; lookups may be named `_x_value` or by logical name. */
export function selectedAttributes(entity: Entity, select: string[] | undefined): AttributeDef[] {
  if (!select) return entity.attributes;
  const out: AttributeDef[] = [];
  for (const name of select) {
    const a = entity.propertyMap.get(name) ?? entity.attributeMap.get(name);
    if (!a) throw propertyNotFound(name, entity);
    if (!out.includes(a)) out.push(a);
  }
  const id = entity.attributeMap.get(entity.primaryIdAttribute);
  if (id && !out.includes(id)) out.push(id);
  return out;
}

export interface FormatContext {
  org: Org;
  prefer: Prefer;
  userId: string;
  serviceRoot: string;
  /**
   * How expanded collections are cut (powerapps-docs/developer/data-platform/webapi/query/join-tables.md,
   * "Expand collection-valued navigation properties"):
   * - "single": no paging; up to 5,000 rows per expanded collection, and a `<nav>@odata.nextLink`
   *   without paging information: the related collection's own URL with the `$expand`'s options,
   *   which returns those rows again, pageable. The page's examples show it on every expanded
   *   collection of an entity-set query, even with 3 rows. On a single-record read we add it only
   *   when rows were cut (our assumption: the docs show no such case).
   * - "nested" (a nested `$expand` anywhere in the query): each expanded collection is paged at
   *   `Prefer: odata.maxpagesize` (else 5,000) and its nextLink carries a `$skiptoken`.
   */
  expandPaging?: { mode: "single" | "nested"; alwaysLink: boolean };
}

/** Dataverse's default and largest page, and the most rows an expanded collection returns. */
export const MAX_PAGE_SIZE = 5000;

export function etag(row: Row): string {
  return `W/"${row.versionnumber ?? 0}"`;
}

export function formatRow(fc: FormatContext, entity: Entity, row: Row, options: QueryOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { "@odata.etag": etag(row) };
  for (const a of selectedAttributes(entity, options.select)) {
    const prop = propertyName(a);
    const v = row[prop] ?? null;
    if (v !== null) {
      const fv = formattedValue(fc.org, a, v);
      if (fv !== undefined && wantsAnnotation(fc.prefer, FORMATTED)) out[`${prop}@${FORMATTED}`] = fv;
      if (a.type === "Lookup" || a.type === "Owner") {
        if (wantsAnnotation(fc.prefer, NAV_NAME)) out[`${prop}@${NAV_NAME}`] = a.navigationProperty ?? a.logicalName;
        if (wantsAnnotation(fc.prefer, LOOKUP_NAME)) out[`${prop}@${LOOKUP_NAME}`] = a.targets![0];
      }
    }
    out[prop] = v;
  }
  for (const item of options.expand ?? []) expandInto(fc, entity, row, item, out);
  return out;
}

function expandInto(fc: FormatContext, entity: Entity, row: Row, item: ExpandItem, out: Record<string, unknown>): void {
  const nav = fc.org.navigation(entity, item.navigation);
  if (!nav) throw propertyNotFound(item.navigation, entity);
  checkPrivilege(fc.org, fc.userId, "Read", nav.target);
  const related = fc.org.related(entity, row, nav);
  if (nav.kind === "single") {
    // $top/$orderby on a lookup: the service's text (join-tables.md); $filter: ours.
    if (item.options.orderby || item.options.top !== undefined) throw badQuery(NESTED_EXPAND_OPTIONS_MESSAGE);
    if (item.options.filter) throw badQuery(`Only $select and $expand are supported on single-valued navigation property '${item.navigation}'.`);
    out[item.navigation] = related[0] ? formatRow(fc, nav.target, related[0], item.options) : null;
    return;
  }
  const rows = applyOptions(fc, nav.target, related, item.options);
  const paging = fc.expandPaging ?? { mode: "single", alwaysLink: false };
  const pageSize = paging.mode === "nested" ? Math.min(fc.prefer.maxPageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
  out[item.navigation] = rows.slice(0, pageSize).map((r) => formatRow(fc, nav.target, r, item.options));
  const cut = rows.length > pageSize;
  if (!cut && (paging.mode === "nested" || !paging.alwaysLink)) return;
  const id = String(row[entity.primaryIdAttribute]);
  const query = item.raw.map(([k, v]) => `${k}=${encodeQueryText(v)}`);
  if (paging.mode === "nested") query.push(`$skiptoken=${encodeURIComponent(`<cookie pagenumber="2" offset="${pageSize}" />`)}`);
  out[`${item.navigation}@odata.nextLink`] = `${fc.serviceRoot}${entity.entitySetName}(${id})/${item.navigation}${query.length ? `?${query.join("&")}` : ""}`;
}

/** Encodes what would break a query string; OData's own punctuation stays readable, as in the service's links. */
function encodeQueryText(v: string): string {
  return encodeURIComponent(v).replace(/%(24|2C|28|29|3D|3B|3A|40|2F|27)/gi, (m) => decodeURIComponent(m));
}

/** `$filter`, `$orderby`, `$top` on a list of rows. */
export function applyOptions(fc: FormatContext, entity: Entity, rows: Row[], options: QueryOptions): Row[] {
  let result = options.filter ? filterRows(fc.org, entity, rows, options.filter, fc.userId) : rows;
  if (options.select) selectedAttributes(entity, options.select); // validate even when no row matches
  if (options.orderby) {
    for (const o of options.orderby) {
      if (o.path.length !== 1 || !entity.propertyMap.has(o.path[0])) throw propertyNotFound(o.path.join("/"), entity);
    }
    const order = options.orderby;
    result = [...result].sort((x, y) => {
      for (const o of order) {
        const c = compareValues(x[o.path[0]], y[o.path[0]]);
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
  }
  if (options.top !== undefined) result = result.slice(0, options.top);
  return result;
}

export function compareValues(a: unknown, b: unknown): number {
  // SQL Server sorts NULL first in ascending order; strings compare without case.
  if (a == null) return b == null ? 0 : -1;
  if (b == null) return 1;
  if (typeof a === "string" && typeof b === "string") return a.localeCompare(b, "en", { sensitivity: "base" });
  return a < b ? -1 : a > b ? 1 : 0;
}

function contextSelect(entity: Entity, options: QueryOptions): string {
  const parts: string[] = options.select ? [...options.select] : [];
  for (const e of options.expand ?? []) parts.push(`${e.navigation}(${e.options.select?.join(",") ?? ""})`);
  return parts.length ? `(${parts.join(",")})` : "";
}

function expandPaging(options: QueryOptions, collection: boolean): FormatContext["expandPaging"] {
  return { mode: hasNestedExpand(options.expand) ? "nested" : "single", alwaysLink: collection };
}

/**
 * Which relationships `$expand` may join (join-tables.md, "Supported Relationship types for
 * $expand"): side by side, many-to-many ones only with each other; nested, none at all. The refusal's
 * code and text are not documented: ours.
 */
function checkExpandRelationships(org: Org, entity: Entity, items: ExpandItem[] | undefined, nested = hasNestedExpand(items)): void {
  if (!items?.length) return;
  const kinds = items.map((item) => ({ item, nav: org.navigation(entity, item.navigation) }));
  const manyToMany = kinds.filter((k) => k.nav?.kind === "manyToMany").map((k) => k.item.navigation);
  if (manyToMany.length && (nested || manyToMany.length < kinds.filter((k) => k.nav).length)) {
    throw badQuery(
      `The $expand of '${manyToMany[0]}', a many-to-many relationship, cannot be ${nested ? "used with a nested $expand" : "combined with one-to-many or many-to-one relationships"}. Expand many-to-many relationships on their own, in a separate query.`,
    );
  }
  for (const { item, nav } of kinds) if (nav) checkExpandRelationships(org, nav.target, item.options.expand, nested);
}

const SKIPTOKEN = /^<cookie pagenumber="(\d+)" offset="(\d+)" \/>$/;

/** GET `<set>` (or a collection navigation, whose rows the caller passes). */
export function readCollection(ctx: ServerContext, req: ApiRequest, entity: Entity, source: Row[], contextPath: string): ApiResponse {
  checkPrivilege(ctx.org, req.userId, "Read", entity);
  const options = parseOptions(req);
  checkExpandRelationships(ctx.org, entity, options.expand);
  const prefer = parsePrefer(req.headers["prefer"]);
  const fc: FormatContext = { org: ctx.org, prefer, userId: req.userId, serviceRoot: ctx.serviceRoot, expandPaging: expandPaging(options, true) };
  const all = applyOptions(fc, entity, source, { ...options, top: undefined });
  const rows = options.top !== undefined ? all.slice(0, options.top) : all;

  let offset = 0;
  let page = 1;
  if (options.skiptoken) {
    const m = SKIPTOKEN.exec(options.skiptoken);
    if (!m) throw badQuery(`The $skiptoken '${options.skiptoken}' is not valid.`);
    page = Number(m[1]);
    offset = Number(m[2]);
  }
  const pageSize = Math.min(prefer.maxPageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const pageRows = rows.slice(offset, offset + pageSize);
  const body: Record<string, unknown> = { "@odata.context": `${ctx.serviceRoot}$metadata#${contextPath}${contextSelect(entity, options)}` };
  if (options.count) body["@odata.count"] = all.length;
  body.value = pageRows.map((r) => formatRow(fc, entity, r, options));
  if (offset + pageSize < rows.length) {
    const token = `<cookie pagenumber="${page + 1}" offset="${offset + pageSize}" />`;
    const kept = req.rawQuery.split("&").filter((p) => p && !p.startsWith("$skiptoken=") && !p.startsWith("%24skiptoken="));
    kept.push(`$skiptoken=${encodeURIComponent(token)}`);
    body["@odata.nextLink"] = `${ctx.serviceRoot}${req.path}?${kept.join("&")}`;
  }
  const applied: string[] = [];
  if (prefer.annotations) applied.push(`odata.include-annotations="${prefer.annotations}"`);
  if (prefer.maxPageSize) applied.push(`odata.maxpagesize=${prefer.maxPageSize}`);
  return json(200, body, applied.length ? { "Preference-Applied": applied.join(",") } : {});
}

export function readRecord(ctx: ServerContext, req: ApiRequest, entity: Entity, id: string): ApiResponse {
  checkPrivilege(ctx.org, req.userId, "Read", entity);
  const options = parseOptions(req);
  if (options.filter || options.orderby || options.top !== undefined) throw badQuery("Query options $filter, $orderby and $top are not allowed on a single record.");
  checkExpandRelationships(ctx.org, entity, options.expand);
  const row = ctx.org.get(entity.logicalName, id);
  if (!row) throw recordNotFound(entity.logicalName, id);
  const prefer = parsePrefer(req.headers["prefer"]);
  const fc: FormatContext = { org: ctx.org, prefer, userId: req.userId, serviceRoot: ctx.serviceRoot, expandPaging: expandPaging(options, false) };
  const body = { "@odata.context": `${ctx.serviceRoot}$metadata#${entity.entitySetName}${contextSelect(entity, options)}/$entity`, ...formatRow(fc, entity, row, options) };
  const headers: Record<string, string> = { ETag: etag(row) };
  if (prefer.annotations) headers["Preference-Applied"] = `odata.include-annotations="${prefer.annotations}"`;
  return json(200, body, headers);
}
