/**
 * Reads a FetchXML query into a tree the stand-in can run, refusing what Dataverse refuses.
 *
 * Sources (MicrosoftDocs/powerapps-docs, powerapps-docs/developer/data-platform/):
 * - fetchxml/overview.md, reference/fetch.md: `top` (at most 5,000; not with `page`/`count`),
 *   `distinct`, `no-lock` (legacy, no effect), `useraworderby`, `aggregate`.
 * - fetchxml/select-columns.md: `attribute` (with `alias`), `all-attributes`, no columns = all.
 * - fetchxml/filter-rows.md: nested `filter` (`and` by default, or `or`), `condition` with `value`
 *   or `<value>` children, `entityname` naming a link-entity alias; at most 500 conditions and
 *   link-entities (TooManyConditionsInQuery, 0x8004430C).
 * - fetchxml/join-tables.md: `link-entity` with `name`, `from`, `to` (any columns, "No
 *   relationship"), `link-type` (default inner), `alias`; at most 15 (0x8004430D).
 * - fetchxml/order-rows.md: `order` in entity or link-entity, `entityname` on an entity's order.
 * - includes/data-service-error-codes.md: the QueryBuilder* codes used below, with their texts.
 *   Where the service's own text is known from public reports it is used instead (unknown table:
 *   MscrmTools/MscrmTools.PortalCodeEditor#15; unknown column:
 *   microsoft/PowerPlatform-DataverseServiceClient#299).
 * The HTTP status of these refusals is not documented: 400, as for other query errors.
 */
import { HttpError, badQuery } from "../errors";
import { attr, children, parseXml, textOf, xmlError, type XmlElement } from "../../formats/xml";
import { TOO_MANY_JOINS_CODE } from "../odata/parse";
import type { AttributeDef } from "../schema";
import type { Entity, Org } from "../store";

export const FetchCodes = {
  /** InvalidXml */
  invalidXml: "0x80040201",
  /** QueryBuilderNoEntity */
  noEntity: "0x80041102",
  /** QueryBuilderNoAttribute */
  noAttribute: "0x80041103",
  /** QueryBuilderInvalid_Value */
  invalidValue: "0x80041108",
  /** QueryBuilderAlias_Does_Not_Exist */
  aliasDoesNotExist: "0x8004110A",
  /** QueryBuilderValue_GreaterThanZero */
  greaterThanZero: "0x8004110C",
  /** QueryBuilderDeserializeInvalidDistinct / …InvalidLinkType / …InvalidNoLock / …InvalidDescending */
  invalidDistinct: "0x80041115",
  invalidLinkType: "0x80041117",
  invalidNoLock: "0x80041118",
  invalidDescending: "0x80041119",
  /** QueryBuilderDeserializeInvalidUseRawOrderBy */
  invalidUseRawOrderBy: "0x800410FD",
  /** QueryBuilderDeserializeInvalidNode */
  invalidNode: "0x8004111C",
  /** QueryBuilderAttributeNotFound: a required XML attribute is missing. */
  requiredAttribute: "0x8004111E",
  /** QueryBuilderInvalidConditionOperator */
  invalidOperator: "0x80041120",
  /** QueryBuilderInvalidFilterType */
  invalidFilterType: "0x80041122",
  /** QueryBuilderElementNotFound */
  elementNotFound: "0x80041123",
  /** QueryBuilderEntitiesDontMatch */
  entitiesDontMatch: "0x80041128",
  /** QueryBuilderDuplicateAlias */
  duplicateAlias: "0x80041130",
  /** TooManyConditionsInQuery (filter-rows.md, "Condition limits") */
  tooManyConditions: "0x8004430C",
  /** Number of link entities in query exceeded maximum limit (join-tables.md, "Limitations") */
  tooManyLinks: TOO_MANY_JOINS_CODE,
} as const;

export const MAX_LINK_ENTITIES = 15;
export const MAX_CONDITIONS = 500;
export const MAX_TOP = 5000;

const fail = (code: string, message: string) => new HttpError(400, code, message);

export type LinkType = "inner" | "outer" | "exists" | "in";
/** The operators the stand-in evaluates. */
export type Operator = "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "like" | "not-like" | "in" | "not-in" | "null" | "not-null";

export interface Column {
  attribute: AttributeDef;
  /** `attribute alias='…'`: the result is an aliased value under this name. */
  alias?: string;
}

export interface EntityNode {
  entity: Entity;
  /** The link-entity's alias (explicit or generated); the table's logical name for the root. */
  alias: string;
  /** null: every column (`all-attributes`, or no `attribute` element on the root). */
  columns: Column[] | null;
  orders: Order[];
  filter?: Filter;
  links: LinkNode[];
}

export interface LinkNode extends EntityNode {
  parent: EntityNode;
  /** Column of this link-entity's table. */
  from: AttributeDef;
  /** Column of the parent's table. */
  to: AttributeDef;
  linkType: LinkType;
}

export interface Order {
  node: EntityNode;
  attribute: AttributeDef;
  descending: boolean;
}

export interface Condition {
  kind: "condition";
  node: EntityNode;
  attribute: AttributeDef;
  operator: Operator;
  values: string[];
}

export interface Filter {
  kind: "filter";
  type: "and" | "or";
  items: Array<Filter | Condition>;
}

export interface FetchQuery {
  root: EntityNode;
  /** Every link-entity in document order (depth first), the order joins are made in. */
  links: LinkNode[];
  top?: number;
  count?: number;
  page?: number;
  distinct: boolean;
  useRawOrderBy: boolean;
}

/**
 * Operators of fetchxml/reference/operators.md that the stand-in does not evaluate: a query using
 * one is refused as not emulated (a devserver limit), not as an unknown operator.
 */
const DOCUMENTED_OPERATORS = new Set(
  [
    "above begins-with between contain-values ends-with eq-businessid eq-or-above eq-or-under eq-userid eq-userlanguage",
    "eq-useroruserhierarchy eq-useroruserhierarchyandteams eq-useroruserteams eq-userteams in-fiscal-period",
    "in-fiscal-period-and-year in-fiscal-year in-or-after-fiscal-period-and-year in-or-before-fiscal-period-and-year",
    "last-fiscal-period last-fiscal-year last-month last-seven-days last-week last-x-days last-x-fiscal-periods",
    "last-x-fiscal-years last-x-hours last-x-months last-x-weeks last-x-years last-year ne-businessid ne-userid neq",
    "next-fiscal-period next-fiscal-year next-month next-seven-days next-week next-x-days next-x-fiscal-periods",
    "next-x-fiscal-years next-x-hours next-x-months next-x-weeks next-x-years next-year not-begin-with not-between",
    "not-contain-values not-end-with not-under olderthan-x-days olderthan-x-hours olderthan-x-minutes olderthan-x-months",
    "olderthan-x-weeks olderthan-x-years on on-or-after on-or-before this-fiscal-period this-fiscal-year this-month",
    "this-week this-year today tomorrow under yesterday",
  ]
    .join(" ")
    .split(" "),
);
const EMULATED_OPERATORS = new Set<Operator>(["eq", "ne", "lt", "le", "gt", "ge", "like", "not-like", "in", "not-in", "null", "not-null"]);
const NO_VALUE = new Set<Operator>(["null", "not-null"]);
const MANY_VALUES = new Set<Operator>(["in", "not-in"]);

const notEmulated = (what: string) => badQuery(`${what} is not emulated by the devserver (FetchXML subset: see devserver/README.md).`);

function flag(el: XmlElement, name: string, code: string): boolean {
  const v = attr(el, name);
  if (v === "") return false;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw fail(code, `The only valid values for ${name} attribute are 'true', 'false', '1', and '0'.`);
}

function positive(el: XmlElement, name: string): number | undefined {
  const v = attr(el, name);
  if (v === "") return undefined;
  // The docs ask for a positive integer; the code for anything else is the closest documented one.
  if (!/^\d+$/.test(v) || Number(v) < 1) throw fail(FetchCodes.greaterThanZero, `A value greater than zero must be specified. (${name}='${v}')`);
  return Number(v);
}

function required(el: XmlElement, name: string): string {
  const v = attr(el, name);
  if (!v) throw fail(FetchCodes.requiredAttribute, `A required attribute was not specified. (${el.name} needs '${name}')`);
  return v;
}

function entityNamed(org: Org, name: string): Entity {
  const e = org.entities.get(name);
  if (!e) throw fail(FetchCodes.noEntity, `The entity with a name = '${name}' with namemapping = 'Logical' was not found in the MetadataCache.`);
  return e;
}

function column(entity: Entity, name: string): AttributeDef {
  const a = entity.attributeMap.get(name);
  if (!a) throw fail(FetchCodes.noAttribute, `'${entity.logicalName}' entity doesn't contain attribute with Name = '${name}' and NameMapping = 'Logical'.`);
  return a;
}

interface PendingCondition {
  el: XmlElement;
  owner: EntityNode;
  /** Filled in once every alias is known: a condition may name a link-entity written after it. */
  target?: Condition;
}

class Reader {
  readonly links: LinkNode[] = [];
  readonly aliases = new Map<string, EntityNode>();
  readonly pending: PendingCondition[] = [];
  private readonly pendingOrders: Array<{ el: XmlElement; owner: EntityNode }> = [];
  conditions = 0;

  constructor(private readonly org: Org) {}

  /** Reads an entity or link-entity element's children into `node`. */
  fill(el: XmlElement, node: EntityNode, isRoot: boolean): void {
    const entity = node.entity;
    let allColumns = false;
    for (const c of el.children) {
      switch (c.name) {
        case "attribute": {
          if (attr(c, "aggregate") || attr(c, "groupby") || attr(c, "dategrouping")) throw notEmulated("Aggregation (aggregate, groupby, dategrouping)");
          const col: Column = { attribute: column(entity, required(c, "name")) };
          if (attr(c, "alias")) col.alias = attr(c, "alias");
          node.columns!.push(col);
          break;
        }
        case "all-attributes":
          allColumns = true;
          break;
        case "order":
          this.pendingOrders.push({ el: c, owner: node });
          break;
        case "filter":
          if (node.filter) node.filter = { kind: "filter", type: "and", items: [node.filter, this.filter(c, node)] };
          else node.filter = this.filter(c, node);
          break;
        case "link-entity":
          node.links.push(this.link(c, node));
          break;
        case "attributes":
        case "no-attrs":
          throw notEmulated(`<${c.name}>`);
        default:
          throw fail(FetchCodes.invalidNode, `The element node encountered is invalid. ('${c.name}' in '${el.name}')`);
      }
    }
    // No attribute element on the query's table returns every column (select-columns.md).
    if (allColumns || (isRoot && node.columns!.length === 0)) node.columns = null;
  }

  link(el: XmlElement, parent: EntityNode): LinkNode {
    const entity = entityNamed(this.org, required(el, "name"));
    const from = column(entity, required(el, "from"));
    const to = column(parent.entity, required(el, "to"));
    const type = attr(el, "link-type") || "inner";
    if (!["inner", "outer", "exists", "in", "natural", "matchfirstrowusingcrossapply", "any", "not any", "all", "not all"].includes(type)) {
      throw fail(FetchCodes.invalidLinkType, "The only valid values for link-type attribute are 'natural', 'inner','in','exists','matchfirstrowusingcrossapply' and 'outer'.");
    }
    if (!["inner", "outer", "exists", "in"].includes(type)) throw notEmulated(`link-type '${type}'`);
    // Without an alias Dataverse names the join itself: "account1" for the first link-entity to
    // account in join-tables.md's example; we number link-entities in document order.
    const index = this.links.length + 1;
    const explicit = attr(el, "alias");
    const alias = explicit || `${entity.logicalName}${index}`;
    if (this.aliases.has(alias)) throw fail(FetchCodes.duplicateAlias, "FetchXML should have unique aliases.");
    const link: LinkNode = { entity, alias, columns: [], orders: [], links: [], parent, from, to, linkType: type as LinkType };
    this.aliases.set(alias, link);
    this.links.push(link);
    this.fill(el, link, false);
    return link;
  }

  filter(el: XmlElement, owner: EntityNode): Filter {
    const type = attr(el, "type") || "and";
    if (type !== "and" && type !== "or") throw fail(FetchCodes.invalidFilterType, "Unsupported filter type. Valid values are 'and', or 'or'.");
    const f: Filter = { kind: "filter", type, items: [] };
    for (const c of el.children) {
      if (c.name === "filter") f.items.push(this.filter(c, owner));
      else if (c.name === "condition") {
        const p: PendingCondition = { el: c, owner };
        this.pending.push(p);
        this.conditions++;
        const placeholder = { kind: "condition" } as Condition;
        p.target = placeholder;
        f.items.push(placeholder);
      } else if (c.name === "link-entity") throw notEmulated("A link-entity inside a filter (any, not any, all, not all)");
      else throw fail(FetchCodes.invalidNode, `The element node encountered is invalid. ('${c.name}' in 'filter')`);
    }
    return f;
  }

  /** Conditions and orders once every alias is known. */
  resolve(): void {
    for (const p of this.pending) Object.assign(p.target!, this.condition(p.el, p.owner));
    for (const { el, owner } of this.pendingOrders) {
      if (attr(el, "alias")) throw notEmulated("An order by alias (aggregate queries)");
      const node = attr(el, "entityname") ? this.aliasNode(attr(el, "entityname")) : owner;
      owner.orders.push({ node, attribute: column(node.entity, required(el, "attribute")), descending: flag(el, "descending", FetchCodes.invalidDescending) });
    }
  }

  private aliasNode(name: string): EntityNode {
    const node = this.aliases.get(name);
    if (!node) throw fail(FetchCodes.aliasDoesNotExist, `The specified alias for the given entity in the condition does not exist. ('${name}')`);
    return node;
  }

  private condition(el: XmlElement, owner: EntityNode): Condition {
    const node = attr(el, "entityname") ? this.aliasNode(attr(el, "entityname")) : owner;
    const attribute = column(node.entity, required(el, "attribute"));
    const op = required(el, "operator");
    if (!EMULATED_OPERATORS.has(op as Operator)) {
      if (DOCUMENTED_OPERATORS.has(op)) throw notEmulated(`The condition operator '${op}'`);
      throw fail(FetchCodes.invalidOperator, `Unsupported condition operator. ('${op}')`);
    }
    if (attr(el, "valueof")) throw notEmulated("A column comparison (valueof)");
    const operator = op as Operator;
    const listed = children(el, "value").map(textOf);
    let values: string[];
    if (NO_VALUE.has(operator)) values = [];
    else if (MANY_VALUES.has(operator)) values = listed.length ? listed : attr(el, "value") ? [attr(el, "value")] : [];
    else values = Object.prototype.hasOwnProperty.call(el.attrs, "value") ? [attr(el, "value")] : listed.slice(0, 1);
    if (!NO_VALUE.has(operator) && values.length === 0)
      throw fail(FetchCodes.invalidValue, `Invalid value specified for type. (condition on '${attribute.logicalName}' with operator '${op}' has no value)`);
    return { kind: "condition", node, attribute, operator, values };
  }
}

/** Parses `text` for a request on `setEntity`'s entity set. Throws HttpError as Dataverse refuses. */
export function parseFetchXml(org: Org, setEntity: Entity, text: string): FetchQuery {
  if (!text.trim() || xmlError(text)) throw fail(FetchCodes.invalidXml, "Invalid XML.");
  const fetch = parseXml(text);
  if (fetch.name !== "fetch") throw fail(FetchCodes.invalidNode, `The element node encountered is invalid. ('${fetch.name}')`);
  if (flag(fetch, "aggregate", FetchCodes.invalidNode)) throw notEmulated("An aggregate query");
  if (flag(fetch, "returntotalrecordcount", FetchCodes.invalidNode)) throw notEmulated("returntotalrecordcount");
  if (attr(fetch, "datasource") && attr(fetch, "datasource") !== "live") throw notEmulated(`datasource='${attr(fetch, "datasource")}'`);
  flag(fetch, "no-lock", FetchCodes.invalidNoLock); // legacy, no effect (optimize-performance.md)
  const distinct = flag(fetch, "distinct", FetchCodes.invalidDistinct);
  const useRawOrderBy = flag(fetch, "useraworderby", FetchCodes.invalidUseRawOrderBy);
  const top = positive(fetch, "top");
  const count = positive(fetch, "count");
  const page = positive(fetch, "page");
  // reference/fetch.md states both rules; no page gives the error's code or text.
  if (top !== undefined && top > MAX_TOP) throw badQuery(`The top attribute can't exceed ${MAX_TOP}.`);
  if (top !== undefined && (count !== undefined || page !== undefined)) throw badQuery("The top attribute can't be used with the page or count attributes.");

  const entities = children(fetch, "entity");
  const other = fetch.children.find((c) => c.name !== "entity");
  if (other) throw fail(FetchCodes.invalidNode, `The element node encountered is invalid. ('${other.name}' in 'fetch')`);
  if (entities.length !== 1) throw fail(FetchCodes.elementNotFound, "A required element was not specified. (fetch needs one entity)");
  const entity = entityNamed(org, required(entities[0], "name"));
  // Dataverse documents QueryBuilderEntitiesDontMatch for a fetch naming another table than the
  // request's; no page shows what the Web API answers when the entity set differs, so we give it.
  if (entity !== setEntity) {
    throw fail(
      FetchCodes.entitiesDontMatch,
      `The entity name specified in fetchxml does not match the entity name specified in the Entity or Query Expression. ('${entity.logicalName}' queried through '${setEntity.entitySetName}')`,
    );
  }
  const reader = new Reader(org);
  const root: EntityNode = { entity, alias: entity.logicalName, columns: [], orders: [], links: [] };
  reader.fill(entities[0], root, true);
  if (reader.links.length > MAX_LINK_ENTITIES) throw fail(FetchCodes.tooManyLinks, "Number of link entities in query exceeded maximum limit.");
  if (reader.conditions + reader.links.length > MAX_CONDITIONS) throw fail(FetchCodes.tooManyConditions, "Number of conditions in query exceeded maximum limit.");
  reader.resolve();
  return { root, links: reader.links, top, count, page, distinct, useRawOrderBy };
}
