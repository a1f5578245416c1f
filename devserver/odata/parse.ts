/**
 * A small recursive-descent parser for the OData query options this project sends to
 * Dataverse: `$filter` (comparisons, and/or/not, string functions, lambda any/all),
 * `$select`, `$orderby` and `$expand` with nested options.
 *
 * Why our own: `@odata/parser` and `@shko.online/dataverse-odata` were considered; the first
 * targets generic OData v4 ASTs without Dataverse functions, the second covers only part of
 * the Dataverse subset. What we need is small, and owning it keeps error positions and
 * messages close to what Dataverse answers (`0x80060888`).
 */

/** Dataverse's code for a query it cannot read or does not support. */
export const QUERY_ERROR_CODE = "0x80060888";
/**
 * More joins than the query engine allows: "Number of link entities in query exceeded maximum
 * limit." (0x8004430D, the FetchXML link-entity limit an `$expand` turns into; seen in public
 * reports of that error, e.g. the "FetchXML error CRM 2011 number of link entities" blog post).
 */
export const TOO_MANY_JOINS_CODE = "0x8004430D";

export class ODataSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
    readonly code: string = QUERY_ERROR_CODE,
  ) {
    super(message);
    this.name = "ODataSyntaxError";
  }
}

export type LiteralType = "string" | "guid" | "number" | "boolean" | "null" | "datetime" | "enum";

export type Expr =
  | { kind: "or" | "and"; left: Expr; right: Expr }
  | { kind: "not"; expr: Expr }
  | { kind: "cmp"; op: CmpOp; left: Expr; right: Expr }
  | { kind: "literal"; type: LiteralType; value: string | number | boolean | null }
  | { kind: "path"; segments: string[] }
  | { kind: "lambda"; path: string[]; op: "any" | "all"; variable?: string; predicate?: Expr }
  | { kind: "call"; name: string; args: Expr[] }
  | { kind: "list"; items: Expr[] }
  | { kind: "named"; name: string; value: Expr };

export type CmpOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
const CMP_OPS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);

type Token =
  { t: "punct"; v: string; pos: number } | { t: "ident"; v: string; pos: number } | { t: "literal"; type: LiteralType; v: string | number | boolean | null; pos: number } | { t: "eof"; pos: number };

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?(?![\w:])/;
const NUMBER_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?(?![\w])/;
const IDENT_RE = /^[A-Za-z_@$][\w.@$]*/;

function readQuoted(text: string, start: number): [string, number] {
  // `start` is at the opening quote; a doubled quote inside the literal stands for one quote.
  let i = start + 1;
  let out = "";
  for (;;) {
    if (i >= text.length) throw new ODataSyntaxError(`Unterminated string literal at position ${start} in '${text}'.`, start);
    const c = text[i];
    if (c === "'") {
      if (text[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      return [out, i + 1];
    }
    out += c;
    i++;
  }
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++;
      continue;
    }
    if ("(),/:[]=".includes(c)) {
      tokens.push({ t: "punct", v: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      const [value, next] = readQuoted(text, i);
      tokens.push({ t: "literal", type: "string", v: value, pos: i });
      i = next;
      continue;
    }
    const rest = text.slice(i);
    let m = GUID_RE.exec(rest);
    if (m) {
      tokens.push({ t: "literal", type: "guid", v: m[0].toLowerCase(), pos: i });
      i += m[0].length;
      continue;
    }
    m = DATETIME_RE.exec(rest);
    if (m) {
      tokens.push({ t: "literal", type: "datetime", v: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    m = NUMBER_RE.exec(rest);
    if (m) {
      tokens.push({ t: "literal", type: "number", v: Number(m[0].replace(/[mMdDfFlL]$/, "")), pos: i });
      i += m[0].length;
      continue;
    }
    m = IDENT_RE.exec(rest);
    if (m) {
      const word = m[0];
      // Enum literal: Namespace.Type'Member' (e.g. Microsoft.Dynamics.CRM.EndpointAccessType'Default').
      if (text[i + word.length] === "'" && word.includes(".")) {
        const [member, next] = readQuoted(text, i + word.length);
        tokens.push({ t: "literal", type: "enum", v: `${word}'${member}'`, pos: i });
        i = next;
        continue;
      }
      if (word === "null") tokens.push({ t: "literal", type: "null", v: null, pos: i });
      else if (word === "true" || word === "false") tokens.push({ t: "literal", type: "boolean", v: word === "true", pos: i });
      else tokens.push({ t: "ident", v: word, pos: i });
      i += word.length;
      continue;
    }
    throw new ODataSyntaxError(`Syntax error: character '${c}' is not valid at position ${i} in '${text}'.`, i);
  }
  tokens.push({ t: "eof", pos: text.length });
  return tokens;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.i];
  }
  private next(): Token {
    return this.tokens[this.i++];
  }
  private fail(token: Token, what: string): never {
    throw new ODataSyntaxError(`Syntax error at position ${token.pos} in '${this.text}'. ${what}`.trim(), token.pos);
  }
  private isPunct(v: string): boolean {
    const t = this.peek();
    return t.t === "punct" && t.v === v;
  }
  private expectPunct(v: string): void {
    const t = this.next();
    if (t.t !== "punct" || t.v !== v) this.fail(t, `Expected '${v}'.`);
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t.t === "ident" && t.v === v;
  }

  parseAll(): Expr {
    const e = this.parseOr();
    const t = this.peek();
    if (t.t !== "eof") this.fail(t, "");
    return e;
  }

  parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord("or")) {
      this.next();
      left = { kind: "or", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isWord("and")) {
      this.next();
      left = { kind: "and", left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isWord("not")) {
      this.next();
      return { kind: "not", expr: this.parseNot() };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parsePrimary();
    const t = this.peek();
    if (t.t === "ident" && CMP_OPS.has(t.v)) {
      this.next();
      return { kind: "cmp", op: t.v as CmpOp, left, right: this.parsePrimary() };
    }
    return left;
  }

  private parsePrimary(): Expr {
    const t = this.next();
    if (t.t === "punct" && t.v === "(") {
      const e = this.parseOr();
      this.expectPunct(")");
      return e;
    }
    if (t.t === "punct" && t.v === "[") {
      const items: Expr[] = [];
      if (!this.isPunct("]")) {
        do items.push(this.parsePrimary());
        while (this.isPunct(",") && this.next());
      }
      this.expectPunct("]");
      return { kind: "list", items };
    }
    if (t.t === "literal") return { kind: "literal", type: t.type, value: t.v };
    if (t.t !== "ident") return this.fail(t, "");
    if (this.isPunct("(")) return this.parseCall(t.v);
    const segments = [t.v];
    while (this.isPunct("/")) {
      this.next();
      const seg = this.next();
      if (seg.t !== "ident") this.fail(seg, "Expected a property name.");
      if ((seg.v === "any" || seg.v === "all") && this.isPunct("(")) return this.parseLambda(segments, seg.v);
      segments.push(seg.v);
    }
    return { kind: "path", segments };
  }

  private parseLambda(path: string[], op: "any" | "all"): Expr {
    this.expectPunct("(");
    if (this.isPunct(")")) {
      this.next();
      if (op === "all") this.fail(this.peek(), "'all' needs a lambda expression.");
      return { kind: "lambda", path, op };
    }
    const v = this.next();
    if (v.t !== "ident") this.fail(v, "Expected a lambda variable.");
    this.expectPunct(":");
    const predicate = this.parseOr();
    this.expectPunct(")");
    return { kind: "lambda", path, op, variable: v.v, predicate };
  }

  private parseCall(name: string): Expr {
    this.expectPunct("(");
    const args: Expr[] = [];
    if (!this.isPunct(")")) {
      do {
        // Dataverse query functions take named parameters: In(PropertyName='x',PropertyValues=[...]).
        const t = this.peek();
        const after = this.tokens[this.i + 1];
        if (t.t === "ident" && after?.t === "punct" && after.v === "=") {
          this.next();
          this.next();
          args.push({ kind: "named", name: t.v, value: this.parseOr() });
        } else args.push(this.parseOr());
      } while (this.isPunct(",") && this.next());
    }
    this.expectPunct(")");
    return { kind: "call", name, args };
  }
}

export function parseFilter(text: string): Expr {
  return new Parser(tokenize(text), text).parseAll();
}

/** Splits at `sep` outside parentheses and quotes (`$expand` and its nested options need it). */
export function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'")
      quoted = !quoted; // a doubled quote toggles twice: still correct
    else if (!quoted && c === "(") depth++;
    else if (!quoted && c === ")") depth--;
    else if (!quoted && depth === 0 && c === sep) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new ODataSyntaxError(`Syntax error at position ${i} in '${text}'. Unbalanced ')'.`, i);
  }
  if (depth !== 0 || quoted) throw new ODataSyntaxError(`Syntax error at position ${text.length} in '${text}'. Unbalanced parentheses or quotes.`, text.length);
  parts.push(text.slice(start));
  return parts;
}

export interface OrderBy {
  path: string[];
  desc: boolean;
}

export interface QueryOptions {
  select?: string[];
  filter?: Expr;
  orderby?: OrderBy[];
  top?: number;
  count?: boolean;
  expand?: ExpandItem[];
  skiptoken?: string;
}

export interface ExpandItem {
  navigation: string;
  options: QueryOptions;
  /** The nested options as written (decoded), for the `<nav>@odata.nextLink` the server builds. */
  raw: Array<[string, string]>;
}

const IDENTIFIER = /^[A-Za-z_][\w]*$/;

export function parseSelect(text: string): string[] {
  return text.split(",").map((s, i) => {
    const name = s.trim();
    if (!IDENTIFIER.test(name)) throw new ODataSyntaxError(`Syntax error in $select at item ${i + 1}: '${name}'.`, i);
    return name;
  });
}

export function parseOrderBy(text: string): OrderBy[] {
  return text.split(",").map((s) => {
    const m = /^\s*([A-Za-z_][\w]*(?:\/[A-Za-z_][\w]*)*)(?:\s+(asc|desc))?\s*$/.exec(s);
    if (!m) throw new ODataSyntaxError(`Syntax error in $orderby: '${s}'.`, 0);
    return { path: m[1].split("/"), desc: m[2] === "desc" };
  });
}

function parseCount(text: string): boolean {
  if (text !== "true" && text !== "false") throw new ODataSyntaxError(`'${text}' is not a valid count option.`, 0);
  return text === "true";
}

function parseInteger(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new ODataSyntaxError(`Invalid value '${text}' for ${name} query option found. The ${name} query option requires a non-negative integer value.`, 0);
  return Number(text);
}

export function parseExpand(text: string): ExpandItem[] {
  return splitTopLevel(text, ",").map((item) => {
    const m = /^\s*([A-Za-z_][\w]*)\s*(?:\(([\s\S]*)\))?\s*$/.exec(item);
    if (!m) throw new ODataSyntaxError(`Syntax error in $expand: '${item}'.`, 0);
    const options: QueryOptions = {};
    const raw: Array<[string, string]> = [];
    if (m[2] !== undefined && m[2].trim() !== "") {
      const nested: Record<string, string> = {};
      for (const part of splitTopLevel(m[2], ";")) {
        const eq = part.indexOf("=");
        if (eq < 0) throw new ODataSyntaxError(`Syntax error in $expand options: '${part}'.`, 0);
        const key = part.slice(0, eq).trim();
        nested[key] = part.slice(eq + 1);
        raw.push([key, part.slice(eq + 1)]);
      }
      Object.assign(options, parseQueryOptions(nested, true));
    }
    return { navigation: m[1], options, raw };
  });
}

/**
 * Limits Dataverse puts on `$expand` (powerapps-docs/developer/data-platform/webapi/query/join-tables.md):
 * - "up to 15 `$expand` options in a query", each one a join; nested ones are joins too, so all are counted;
 * - with a nested `$expand` anywhere in the query, `$top` and `$orderby` are refused in every
 *   `$expand` (the page's table: "$top or $orderby supported: No" for nested `$expand`, with the
 *   error text below).
 */
export const MAX_EXPANDS = 15;
export const NESTED_EXPAND_OPTIONS_MESSAGE = "Only $select and $filter clause can be provided while doing $expand on many-to-one relationship or nested one-to-many relationship.";

function allExpands(items: ExpandItem[]): ExpandItem[] {
  return items.flatMap((i) => [i, ...allExpands(i.options.expand ?? [])]);
}

export function hasNestedExpand(items: ExpandItem[] | undefined): boolean {
  return allExpands(items ?? []).some((i) => (i.options.expand?.length ?? 0) > 0);
}

function checkExpandLimits(items: ExpandItem[]): void {
  const all = allExpands(items);
  if (all.length > MAX_EXPANDS) throw new ODataSyntaxError("Number of link entities in query exceeded maximum limit.", 0, TOO_MANY_JOINS_CODE);
  if (hasNestedExpand(items) && all.some((i) => i.options.top !== undefined || i.options.orderby !== undefined)) {
    throw new ODataSyntaxError(NESTED_EXPAND_OPTIONS_MESSAGE, 0);
  }
}

/**
 * Options Dataverse refuses. `$skip`: "Dataverse doesn't support the `$skip` query option"
 * (…/webapi/query/page-results.md). Inside `$expand`: "The options `$skip`, `$count`, `$search`,
 * and `$levels` aren't supported" (…/webapi/query/join-tables.md). The message texts are ours.
 */
function refuseUnsupported(key: string, nested: boolean): void {
  if (key === "$skip") throw new ODataSyntaxError("The query parameter $skip is not supported. Page with Prefer: odata.maxpagesize and @odata.nextLink.", 0);
  if (nested && ["$count", "$search", "$levels"].includes(key)) {
    throw new ODataSyntaxError(`The query option ${key} is not supported inside $expand.`, 0);
  }
}

/** Parses the system query options of one request (or of one `$expand` item when `nested`). */
export function parseQueryOptions(params: Record<string, string>, nested = false): QueryOptions {
  const q: QueryOptions = {};
  for (const [key, value] of Object.entries(params)) {
    refuseUnsupported(key, nested);
    switch (key) {
      case "$select":
        q.select = parseSelect(value);
        break;
      case "$filter":
        q.filter = parseFilter(value);
        break;
      case "$orderby":
        q.orderby = parseOrderBy(value);
        break;
      case "$top":
        q.top = parseInteger("$top", value);
        break;
      case "$count":
        q.count = parseCount(value);
        break;
      case "$expand":
        q.expand = parseExpand(value);
        break;
      case "$skiptoken":
        if (!nested) q.skiptoken = value;
        break;
      default:
        if (key.startsWith("$")) throw new ODataSyntaxError(`The query parameter '${key}' is not supported.`, 0);
        if (nested) throw new ODataSyntaxError(`Syntax error in $expand options: '${key}'.`, 0);
      // Parameter aliases (@p1) and unknown custom options are left to the caller.
    }
  }
  if (!nested && q.expand) checkExpandLimits(q.expand);
  return q;
}
