/**
 * OData query building for the Dataverse Web API.
 *
 * Every string that goes into a query passes through `literal()`: it is the one place where
 * user text becomes OData, so it is the one place to get escaping right.
 */

const GUID_PATTERN = /^[{(]?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})[)}]?$/i;

export class InvalidGuidError extends Error {
  constructor(readonly value: string) {
    super(`"${value}" is not a GUID`);
    this.name = "InvalidGuidError";
  }
}

/** Normalises a GUID (braces stripped, lower case) or throws: GUIDs are written unquoted into URLs. */
export function guid(value: string): string {
  const match = GUID_PATTERN.exec(String(value).trim());
  if (!match) throw new InvalidGuidError(value);
  return match[1].toLowerCase();
}

export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(String(value).trim());
}

export interface LiteralOptions {
  /**
   * The literal is the pattern of `contains`/`startswith`/`endswith`: Dataverse turns these into
   * SQL LIKE, where `%`, `_` and `[` are wildcards, so they are bracketed to match themselves.
   */
  wildcards?: boolean;
}

/**
 * The single escaping function for OData string literals: quotes doubled, wildcard characters
 * bracketed inside pattern functions. The caller URL-encodes the whole query value once
 * (`buildQuery`, `encodeQueryValue`), which takes care of `&`, `#`, `+`, `/` and non-ASCII text.
 */
export function literal(value: string, options: LiteralOptions = {}): string {
  let text = String(value);
  if (options.wildcards) text = text.replace(/[[%_]/g, (c) => `[${c}]`);
  return `'${text.replace(/'/g, "''")}'`;
}

export type PatternFunction = "contains" | "startswith" | "endswith";

/** `contains(field,'…')` and its siblings, with the value escaped for LIKE semantics. */
export function pattern(fn: PatternFunction, field: string, value: string): string {
  return `${fn}(${field},${literal(value, { wildcards: true })})`;
}

/** `field eq 'value'`, `field eq <guid>`, `field eq null`, `field eq true`. */
export function eq(field: string, value: string | number | boolean | null, kind: "string" | "guid" = "string"): string {
  return `${field} eq ${value === null ? "null" : formatValue(value, kind)}`;
}

function formatValue(value: string | number | boolean, kind: "string" | "guid"): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return kind === "guid" ? guid(value) : literal(value);
}

/** `(a or b or c)`; an empty list matches nothing, which OData cannot say directly. */
export function anyOf(clauses: string[]): string {
  if (clauses.length === 0) return "false";
  return clauses.length === 1 ? clauses[0] : `(${clauses.join(" or ")})`;
}

export function allOf(clauses: string[]): string {
  const kept = clauses.filter(Boolean);
  return kept.length === 1 ? kept[0] : kept.map((c) => `(${c})`).join(" and ");
}

export interface QueryOptions {
  select?: string[];
  filter?: string;
  expand?: ExpandOption[];
  orderby?: string[];
  top?: number;
  count?: boolean;
}

export interface ExpandOption extends Omit<QueryOptions, "count"> {
  navigation: string;
}

/** Options nested inside `$expand=nav(...)` are separated by `;` and not URL-encoded separately. */
function expandText(e: ExpandOption): string {
  const inner = queryParts(e).map(([k, v]) => `${k}=${v}`);
  return inner.length ? `${e.navigation}(${inner.join(";")})` : e.navigation;
}

function queryParts(q: QueryOptions): Array<[string, string]> {
  const parts: Array<[string, string]> = [];
  if (q.select?.length) parts.push(["$select", q.select.join(",")]);
  if (q.filter) parts.push(["$filter", q.filter]);
  if (q.expand?.length) parts.push(["$expand", q.expand.map(expandText).join(",")]);
  if (q.orderby?.length) parts.push(["$orderby", q.orderby.join(",")]);
  if (q.top !== undefined) parts.push(["$top", String(Math.max(0, Math.floor(q.top)))]);
  if (q.count) parts.push(["$count", "true"]);
  return parts;
}

/** `?$select=…&$filter=…` with each value URL-encoded; "" when there is nothing to add. */
export function buildQuery(q: QueryOptions): string {
  const parts = queryParts(q);
  if (parts.length === 0) return "";
  return "?" + parts.map(([k, v]) => `${k}=${encodeQueryValue(v)}`).join("&");
}

/**
 * URL-encodes one query option value. Inside string literals every character of Microsoft's
 * "URL encode special characters" table is percent-encoded (`$ & + , / : ; = ? @`, filter-rows.md
 * in powerapps-docs/developer/data-platform/webapi/query), and so are `#` (it would end the URL),
 * `%` (it would start an escape), spaces and non-ASCII text: encodeURIComponent does all of these.
 * Outside literals, the OData punctuation (`$ , ( ) = ; : @ /`) stays readable in logs and traces:
 * there it is syntax, which the server reads after decoding anyway. A quote inside a literal is
 * already doubled by `literal()`, so the scan below never leaves a literal early.
 */
export function encodeQueryValue(value: string): string {
  // A lone surrogate (half an emoji, e.g. from a truncated paste) cannot be URL-encoded: it becomes U+FFFD.
  const wellFormed = value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  // Split into alternating [outside, literal, outside, …] runs; a doubled quote ('') splits into
  // an empty outside run between two literal runs, which joins back to the same text.
  return wellFormed
    .split("'")
    .map((run, i) => (i % 2 === 1 ? encodeURIComponent(run) : encodeURIComponent(run).replace(/%(24|2C|28|29|3D|3B|3A|40|2F)/gi, (m) => decodeURIComponent(m))))
    .join("'");
}

/** `entityset(guid)` */
export function recordPath(entitySet: string, id: string): string {
  return `${entitySet}(${guid(id)})`;
}
