/**
 * Runs a parsed FetchXML query on the in-memory org as SQL would run the query Dataverse builds
 * from it (the SQL shown in powerapps-docs fetchxml/join-tables.md and filter-rows.md):
 * - each link-entity is a JOIN in document order, matching `from` on its table to `to` on its
 *   parent, on any columns ("No relationship"); its own filter is part of the join (filter-rows.md,
 *   "Filters on link-entity"); `inner` drops rows without a match and repeats a row per match,
 *   `outer` keeps them with no linked row, `exists`/`in` keep a row once and return no columns;
 * - the entity's filter is the WHERE clause, applied after the joins, so `entityname` can test an
 *   outer-joined row (join-tables.md, "Find records not in a set");
 * - a condition on a column without a value is never true except for `null` (SQL's NULL never
 *   compares), strings compare without case, `like` uses SQL LIKE wildcards;
 * - `order` elements of the entity come first, then those of link-entities (order-rows.md);
 *   lookups sort by the related row's primary name and choices by their label unless
 *   `useraworderby` is set.
 */
import type { Row } from "../fixture";
import { HttpError } from "../errors";
import { likeToRegExp } from "../odata/like";
import { compareValues, formattedValue } from "../routes/query";
import { type AttributeDef, propertyName } from "../schema";
import type { Org } from "../store";
import { FetchCodes, type Condition, type EntityNode, type FetchQuery, type Filter, type LinkNode, type Order } from "./parse";

/** One result row: the row of each node (root first, then link-entities in document order), or null. */
export type Combo = Array<Row | null>;

type Comparable = string | number;

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;
const GUID_TYPES = new Set(["Uniqueidentifier", "Lookup", "Owner"]);
const NUMBER_TYPES = new Set(["Integer", "BigInt", "Decimal", "Double", "Picklist", "State", "Status"]);
const BOOLEAN_TYPES = new Set(["Boolean", "ManagedProperty"]);
const CHOICE_TYPES = new Set(["Picklist", "State", "Status"]);

/** A stored value, in the form conditions and joins compare. */
export function comparable(a: AttributeDef, raw: unknown): Comparable | null {
  let v = raw;
  if (v && typeof v === "object" && "Value" in v) v = (v as { Value: unknown }).Value; // ManagedProperty
  if (v === null || v === undefined) return null;
  if (GUID_TYPES.has(a.type)) return String(v).replace(/[{}]/g, "").toLowerCase();
  if (BOOLEAN_TYPES.has(a.type)) return v === true || v === 1 || v === "1" || v === "true" ? 1 : 0;
  if (NUMBER_TYPES.has(a.type)) return Number(v);
  if (a.type === "DateTime") return Date.parse(String(v));
  return String(v).toLowerCase();
}

/** A condition's value for column `a`; refused when it cannot be one (the docs name no code: the closest). */
function literal(a: AttributeDef, text: string): Comparable {
  const bad = () => new HttpError(400, FetchCodes.invalidValue, `Invalid value specified for type. ('${text}' for ${a.type} column '${a.logicalName}')`);
  if (GUID_TYPES.has(a.type)) {
    const m = GUID.exec(text.trim());
    if (!m) throw bad();
    return m[1].toLowerCase();
  }
  if (BOOLEAN_TYPES.has(a.type)) {
    if (!["true", "false", "1", "0"].includes(text.trim())) throw bad();
    return text.trim() === "true" || text.trim() === "1" ? 1 : 0;
  }
  if (NUMBER_TYPES.has(a.type)) {
    if (!/^\s*-?\d+(\.\d+)?\s*$/.test(text)) throw bad();
    return Number(text);
  }
  if (a.type === "DateTime") {
    const t = Date.parse(text);
    if (Number.isNaN(t)) throw bad();
    return t;
  }
  return text.toLowerCase();
}

type Test = (raw: unknown) => boolean;

function compile(c: Condition): Test {
  const a = c.attribute;
  const read = (raw: unknown) => comparable(a, raw);
  switch (c.operator) {
    case "null":
      return (raw) => read(raw) === null;
    case "not-null":
      return (raw) => read(raw) !== null;
    case "like":
    case "not-like": {
      const re = likeToRegExp(c.values[0], "exact");
      const want = c.operator === "like";
      return (raw) => {
        const v = read(raw);
        return v !== null && re.test(String(v)) === want;
      };
    }
    case "in":
    case "not-in": {
      const set = new Set(c.values.map((t) => literal(a, t)));
      const want = c.operator === "in";
      return (raw) => {
        const v = read(raw);
        return v !== null && set.has(v) === want;
      };
    }
    default: {
      const x = literal(a, c.values[0]);
      const op = c.operator;
      return (raw) => {
        const v = read(raw);
        if (v === null) return false;
        switch (op) {
          case "eq":
            return v === x;
          case "ne":
            return v !== x;
          case "lt":
            return v < x;
          case "le":
            return v <= x;
          case "gt":
            return v > x;
          default:
            return v >= x;
        }
      };
    }
  }
}

class Run {
  readonly index = new Map<EntityNode, number>();
  private readonly tests = new Map<Condition, Test>();

  constructor(
    private readonly org: Org,
    readonly query: FetchQuery,
  ) {
    [query.root, ...query.links].forEach((n, i) => this.index.set(n, i));
    // Every value is checked before any row is read, as the service validates the whole query.
    const walk = (f: Filter | undefined) => f?.items.forEach((i) => (i.kind === "filter" ? walk(i) : this.tests.set(i, compile(i))));
    [query.root, ...query.links].forEach((n) => walk(n.filter));
  }

  private value(combo: Combo, node: EntityNode, a: AttributeDef): unknown {
    const row = combo[this.index.get(node)!];
    return row ? row[propertyName(a)] : null;
  }

  passes(f: Filter | undefined, combo: Combo): boolean {
    if (!f || f.items.length === 0) return true;
    const check = (i: Filter | Condition) => (i.kind === "filter" ? this.passes(i, combo) : this.tests.get(i)!(this.value(combo, i.node, i.attribute)));
    return f.type === "and" ? f.items.every(check) : f.items.some(check);
  }

  join(combos: Combo[], link: LinkNode): Combo[] {
    const at = this.index.get(link)!;
    const byKey = new Map<Comparable, Row[]>();
    for (const row of this.org.table(link.entity).values()) {
      const key = comparable(link.from, row[propertyName(link.from)]);
      if (key === null) continue;
      const list = byKey.get(key) ?? [];
      list.push(row);
      byKey.set(key, list);
    }
    const out: Combo[] = [];
    for (const combo of combos) {
      const key = comparable(link.to, this.value(combo, link.parent, link.to));
      const matches: Combo[] = [];
      for (const row of key === null ? [] : (byKey.get(key) ?? [])) {
        const joined = [...combo];
        joined[at] = row;
        if (this.passes(link.filter, joined)) matches.push(joined);
      }
      if (link.linkType === "exists" || link.linkType === "in") {
        if (matches.length) out.push(combo);
      } else if (matches.length) out.push(...matches);
      else if (link.linkType === "outer") out.push(combo);
    }
    return out;
  }

  sortKey(order: Order, combo: Combo): unknown {
    const raw = this.value(combo, order.node, order.attribute);
    if (raw === null || raw === undefined) return null;
    const a = order.attribute;
    if (CHOICE_TYPES.has(a.type) && this.query.useRawOrderBy) return Number(raw);
    if (CHOICE_TYPES.has(a.type) || a.type === "Lookup" || a.type === "Owner") return formattedValue(this.org, a, raw) ?? null;
    if (a.type === "ManagedProperty" && typeof raw === "object") return (raw as { Value?: unknown }).Value ?? null;
    return raw;
  }
}

/** The query's rows, joined, filtered and ordered; paging and columns are the caller's. */
export function runFetch(org: Org, query: FetchQuery, rows: Iterable<Row>): Combo[] {
  const run = new Run(org, query);
  const width = query.links.length + 1;
  let combos: Combo[] = [...rows].map((r) => [r, ...new Array<Row | null>(width - 1).fill(null)]);
  for (const link of query.links) combos = run.join(combos, link);
  combos = combos.filter((c) => run.passes(query.root.filter, c));
  const orders = [...query.root.orders, ...query.links.flatMap((l) => l.orders)];
  if (orders.length) {
    combos = combos
      .map((c, i) => ({ c, i, keys: orders.map((o) => run.sortKey(o, c)) }))
      .sort((x, y) => {
        for (let k = 0; k < orders.length; k++) {
          const d = compareValues(x.keys[k], y.keys[k]);
          if (d !== 0) return orders[k].descending ? -d : d;
        }
        return x.i - y.i;
      })
      .map((s) => s.c);
  }
  return combos;
}
