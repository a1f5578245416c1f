/**
 * Evaluates a parsed `$filter` against rows of the in-memory org, with Dataverse's semantics:
 * string comparisons are case-insensitive, GUIDs compare without case, `eq null` matches
 * missing values, and lambda `any`/`all` walk collection navigation properties.
 */
import { badQuery, propertyNotFound } from "../errors";
import type { Row } from "../fixture";
import type { Entity, Org } from "../store";
import { likeToRegExp } from "./like";
import type { Expr } from "./parse";

interface Scope {
  entity: Entity;
  row: Row;
}

export interface EvalContext {
  org: Org;
  /** `$it` and lambda variables. */
  scopes: Map<string, Scope>;
  currentUserId: string;
}

type Value = string | number | boolean | null | undefined;

const PATTERN_FUNCTIONS = new Set(["contains", "startswith", "endswith"]);
const DATAVERSE_PREFIX = "Microsoft.Dynamics.CRM.";

/** Checks every property and navigation named in the filter before any row is read. */
export function validateFilter(org: Org, entity: Entity, expr: Expr, vars: Map<string, Entity> = new Map()): void {
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case "or":
      case "and":
        walk(e.left);
        walk(e.right);
        return;
      case "not":
        walk(e.expr);
        return;
      case "cmp":
        walk(e.left);
        walk(e.right);
        return;
      case "path":
        resolvePathType(org, entity, e.segments, vars);
        return;
      case "lambda": {
        const target = navigationTarget(org, entity, e.path, vars);
        if (e.predicate && e.variable) validateFilter(org, target, e.predicate, new Map([...vars, [e.variable, target]]));
        return;
      }
      case "call":
        if (!PATTERN_FUNCTIONS.has(e.name) && !["tolower", "toupper", "trim"].includes(e.name) && !e.name.startsWith(DATAVERSE_PREFIX)) {
          throw badQuery(`An unknown function with name '${e.name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`);
        }
        for (const a of e.args) walk(a.kind === "named" ? a.value : a);
        return;
      case "list":
        e.items.forEach(walk);
        return;
      default:
        return;
    }
  };
  walk(expr);
}

function navigationTarget(org: Org, entity: Entity, path: string[], vars: Map<string, Entity>): Entity {
  let current = entity;
  let segments = path;
  if (vars.has(path[0])) {
    current = vars.get(path[0])!;
    segments = path.slice(1);
  }
  for (const seg of segments) {
    const nav = org.navigation(current, seg);
    if (!nav) throw propertyNotFound(seg, current);
    current = nav.target;
  }
  return current;
}

function resolvePathType(org: Org, entity: Entity, path: string[], vars: Map<string, Entity>): void {
  let current = entity;
  let segments = path;
  if (vars.has(path[0])) {
    current = vars.get(path[0])!;
    segments = path.slice(1);
  }
  segments.forEach((seg, i) => {
    if (i === segments.length - 1) {
      if (!current.propertyMap.has(seg)) throw propertyNotFound(seg, current);
      return;
    }
    const nav = org.navigation(current, seg);
    if (!nav || nav.kind !== "single") throw propertyNotFound(seg, current);
    current = nav.target;
  });
}

function readPath(ctx: EvalContext, path: string[], base: Scope): Value {
  let scope = base;
  let segments = path;
  if (ctx.scopes.has(path[0])) {
    scope = ctx.scopes.get(path[0])!;
    segments = path.slice(1);
  }
  for (let i = 0; i < segments.length - 1; i++) {
    const nav = ctx.org.navigation(scope.entity, segments[i]);
    if (!nav || nav.kind !== "single") return null;
    const next = ctx.org.related(scope.entity, scope.row, nav)[0];
    if (!next) return null;
    scope = { entity: nav.target, row: next };
  }
  const v = scope.row[segments[segments.length - 1]];
  return v === undefined ? null : (v as Value);
}

function normalise(v: Value): Value {
  return typeof v === "string" ? v.toLowerCase() : v;
}

function compare(op: string, a: Value, b: Value): boolean {
  if (op === "eq") return a == null || b == null ? a == null && b == null : normalise(a) === normalise(b);
  if (op === "ne") return a == null || b == null ? !(a == null && b == null) : normalise(a) !== normalise(b);
  if (a == null || b == null) return false;
  let x: string | number | boolean = normalise(a)!;
  let y: string | number | boolean = normalise(b)!;
  // Dates arrive as ISO strings on both sides; compare instants, not text.
  if (typeof x === "string" && typeof y === "string" && /^\d{4}-\d{2}-\d{2}/.test(x) && /^\d{4}-\d{2}-\d{2}/.test(y)) {
    x = Date.parse(x);
    y = Date.parse(y);
  }
  switch (op) {
    case "gt":
      return x > y;
    case "ge":
      return x >= y;
    case "lt":
      return x < y;
    case "le":
      return x <= y;
  }
  return false;
}

function value(ctx: EvalContext, e: Expr, scope: Scope): Value {
  switch (e.kind) {
    case "literal":
      return e.value;
    case "path":
      return readPath(ctx, e.segments, scope);
    case "call":
      return callFunction(ctx, e, scope);
    default:
      return test(ctx, e, scope);
  }
}

function callFunction(ctx: EvalContext, e: Extract<Expr, { kind: "call" }>, scope: Scope): Value {
  if (PATTERN_FUNCTIONS.has(e.name)) {
    if (e.args.length !== 2) throw badQuery(`The function '${e.name}' needs two arguments.`);
    const subject = value(ctx, e.args[0], scope);
    const pattern = value(ctx, e.args[1], scope);
    if (subject == null || pattern == null) return false;
    return likeToRegExp(String(pattern), e.name as "contains").test(String(subject));
  }
  if (e.name === "tolower" || e.name === "toupper" || e.name === "trim") {
    const v = value(ctx, e.args[0], scope);
    if (typeof v !== "string") return v;
    return e.name === "tolower" ? v.toLowerCase() : e.name === "toupper" ? v.toUpperCase() : v.trim();
  }
  // Dataverse query functions (powerapps-docs/developer/data-platform/webapi/reference/queryfunctions.md).
  const name = e.name.slice(DATAVERSE_PREFIX.length);
  const named = new Map(e.args.filter((a) => a.kind === "named").map((a) => [(a as { name: string }).name, (a as { value: Expr }).value]));
  const prop = named.get("PropertyName");
  const propValue = prop && prop.kind === "literal" ? readPath(ctx, [String(prop.value)], scope) : undefined;
  switch (name) {
    case "In":
    case "NotIn": {
      const list = named.get("PropertyValues");
      const items = list?.kind === "list" ? list.items.map((i) => normalise(value(ctx, i, scope))) : [];
      const found = items.includes(normalise(propValue));
      return name === "In" ? found : !found;
    }
    case "EqualUserId":
      return normalise(propValue) === ctx.currentUserId;
    case "NotEqualUserId":
      return normalise(propValue) !== ctx.currentUserId;
    case "Null":
      return propValue == null;
    case "NotNull":
      return propValue != null;
  }
  throw badQuery(`The query function '${e.name}' is not supported by the devserver.`);
}

export function test(ctx: EvalContext, e: Expr, scope: Scope): boolean {
  switch (e.kind) {
    case "or":
      return test(ctx, e.left, scope) || test(ctx, e.right, scope);
    case "and":
      return test(ctx, e.left, scope) && test(ctx, e.right, scope);
    case "not":
      return !test(ctx, e.expr, scope);
    case "cmp":
      return compare(e.op, value(ctx, e.left, scope), value(ctx, e.right, scope));
    case "lambda": {
      let base = scope;
      let path = e.path;
      if (ctx.scopes.has(path[0])) {
        base = ctx.scopes.get(path[0])!;
        path = path.slice(1);
      }
      let rows: Array<{ entity: Entity; row: Row }> = [base];
      for (const seg of path) {
        const next: Array<{ entity: Entity; row: Row }> = [];
        for (const s of rows) {
          const nav = ctx.org.navigation(s.entity, seg);
          if (!nav) throw propertyNotFound(seg, s.entity);
          for (const r of ctx.org.related(s.entity, s.row, nav)) next.push({ entity: nav.target, row: r });
        }
        rows = next;
      }
      if (!e.predicate || !e.variable) return rows.length > 0;
      const variable = e.variable;
      const check = (s: Scope) => test({ ...ctx, scopes: new Map([...ctx.scopes, [variable, s]]) }, e.predicate!, scope);
      return e.op === "any" ? rows.some(check) : rows.every(check);
    }
    case "call":
      return Boolean(callFunction(ctx, e, scope));
    case "literal":
      return e.value === true;
    default:
      throw badQuery("The $filter expression must evaluate to a boolean.");
  }
}

export function filterRows(org: Org, entity: Entity, rows: Row[], expr: Expr, currentUserId: string): Row[] {
  validateFilter(org, entity, expr);
  const ctx: EvalContext = { org, scopes: new Map(), currentUserId };
  return rows.filter((row) => test(ctx, expr, { entity, row }));
}
