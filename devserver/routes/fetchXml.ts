/**
 * `GET <entitySet>?fetchXml=<URL-encoded fetch>`, plain or as a `$batch` part
 * (powerapps-docs/developer/data-platform/webapi/use-fetchxml-web-api.md, "Use FetchXml with Web API").
 *
 * The answer is an OData collection like any other read, with these differences the page shows:
 * - columns whose value is null are left out;
 * - the table's primary key comes back even when not asked for, except with `distinct`
 *   (fetchxml/overview.md: distinct rows "don't include primary key values");
 * - a link-entity's columns are named `<alias>.<column>` (fetchxml/select-columns.md, "Column
 *   aliases"), an `attribute alias` is a name of its own; such aliased values carry the raw value
 *   (a lookup's GUID, not `_x_value`) and, when asked for, `@OData.Community.Display.V1.AttributeName`
 *   and the formatted value and lookup annotations (select-columns.md's Web API example).
 * - paging is `count`/`page`; `@Microsoft.Dynamics.CRM.morerecords` says more rows exist when that
 *   annotation is asked for (fetchxml/page-results.md). No paging cookie is returned: the docs
 *   allow that ("Queries that don't support paging cookies"), and simple paging answers the same.
 */
import { ApiRequest, ApiResponse, ServerContext, json, parsePrefer, wantsAnnotation } from "../context";
import { badQuery } from "../errors";
import type { Row } from "../fixture";
import { type Combo, runFetch } from "../fetchxml/execute";
import { type Column, type FetchQuery, parseFetchXml } from "../fetchxml/parse";
import { type AttributeDef, propertyName } from "../schema";
import { checkPrivilege } from "../security";
import type { Entity } from "../store";
import { type FormatContext, MAX_PAGE_SIZE, formatRow, formattedValue, selectedAttributes } from "./query";

const FORMATTED = "OData.Community.Display.V1.FormattedValue";
const ATTRIBUTE_NAME = "OData.Community.Display.V1.AttributeName";
const LOOKUP_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname";
const MORE_RECORDS = "Microsoft.Dynamics.CRM.morerecords";

/** Whether a read of an entity set is a FetchXML query. */
export function isFetchXmlRead(req: ApiRequest): boolean {
  return req.method === "GET" && Object.prototype.hasOwnProperty.call(req.query, "fetchXml");
}

function aliasedValue(fc: FormatContext, out: Record<string, unknown>, key: string, a: AttributeDef, raw: unknown): void {
  if (raw === null || raw === undefined) return;
  if (wantsAnnotation(fc.prefer, ATTRIBUTE_NAME)) out[`${key}@${ATTRIBUTE_NAME}`] = a.logicalName;
  const fv = formattedValue(fc.org, a, raw);
  if (fv !== undefined && wantsAnnotation(fc.prefer, FORMATTED)) out[`${key}@${FORMATTED}`] = fv;
  if ((a.type === "Lookup" || a.type === "Owner") && wantsAnnotation(fc.prefer, LOOKUP_NAME)) out[`${key}@${LOOKUP_NAME}`] = a.targets![0];
  out[key] = raw;
}

function plainColumns(columns: Column[] | null): string[] | undefined {
  return columns === null ? undefined : columns.filter((c) => !c.alias).map((c) => propertyName(c.attribute));
}

function record(fc: FormatContext, q: FetchQuery, combo: Combo): Record<string, unknown> {
  const entity = q.root.entity;
  const root = combo[0]!;
  const plain = plainColumns(q.root.columns);
  const out = formatRow(fc, entity, root, { select: plain });
  for (const key of Object.keys(out)) if (out[key] === null) delete out[key];
  if (q.distinct) {
    delete out["@odata.etag"];
    if (!plain?.includes(entity.primaryIdAttribute)) delete out[entity.primaryIdAttribute];
  }
  for (const c of q.root.columns ?? []) if (c.alias) aliasedValue(fc, out, c.alias, c.attribute, root[propertyName(c.attribute)]);
  q.links.forEach((link, i) => {
    const row: Row | null = combo[i + 1];
    if (!row || link.linkType === "exists" || link.linkType === "in") return;
    for (const c of link.columns ?? link.entity.attributes.map((attribute) => ({ attribute }) as Column)) {
      aliasedValue(fc, out, c.alias ?? `${link.alias}.${c.attribute.logicalName}`, c.attribute, row[propertyName(c.attribute)]);
    }
  });
  return out;
}

function distinctRecords(records: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = JSON.stringify(
      Object.keys(r)
        .sort()
        .map((k) => [k, r[k]]),
    );
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function readFetchXml(ctx: ServerContext, req: ApiRequest, entity: Entity): ApiResponse {
  checkPrivilege(ctx.org, req.userId, "Read", entity);
  // The docs combine fetchXml with $count only; what the service does with other options is not
  // documented, so they are refused rather than silently ignored.
  for (const key of Object.keys(req.query)) {
    if (key.startsWith("$") && key !== "$count") throw badQuery(`The query option '${key}' cannot be combined with fetchXml.`);
  }
  const count = req.query.$count;
  if (count !== undefined && count !== "true" && count !== "false") throw badQuery(`'${count}' is not a valid count option.`);
  const q = parseFetchXml(ctx.org, entity, req.query.fetchXml);
  for (const link of q.links) checkPrivilege(ctx.org, req.userId, "Read", link.entity);

  const prefer = parsePrefer(req.headers["prefer"]);
  const fc: FormatContext = { org: ctx.org, prefer, userId: req.userId, serviceRoot: ctx.serviceRoot };
  const combos = runFetch(ctx.org, q, ctx.org.table(entity).values());
  const size = q.top ?? q.count ?? MAX_PAGE_SIZE;
  const start = q.top !== undefined ? 0 : ((q.page ?? 1) - 1) * size;
  let total: number;
  let rows: Array<Record<string, unknown>>;
  if (q.distinct) {
    const all = distinctRecords(combos.map((c) => record(fc, q, c)));
    total = all.length;
    rows = all.slice(start, start + size);
  } else {
    total = combos.length;
    rows = combos.slice(start, start + size).map((c) => record(fc, q, c));
  }

  const columns = selectedAttributes(entity, plainColumns(q.root.columns)).map(propertyName);
  const body: Record<string, unknown> = { "@odata.context": `${ctx.serviceRoot}$metadata#${entity.entitySetName}(${columns.join(",")})` };
  if (count === "true") body["@odata.count"] = total;
  if (q.top === undefined && start + size < total && wantsAnnotation(prefer, MORE_RECORDS)) body[`@${MORE_RECORDS}`] = true;
  body.value = rows;
  return json(200, body, prefer.annotations ? { "Preference-Applied": `odata.include-annotations="${prefer.annotations}"` } : {});
}
