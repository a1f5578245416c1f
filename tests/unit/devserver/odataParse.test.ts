/**
 * The stand-in's OData parser, table-driven: what it reads, and what it refuses with Dataverse's
 * error code (powerapps-docs/developer/data-platform/webapi/query/join-tables.md, page-results.md).
 */
import { MAX_EXPANDS, NESTED_EXPAND_OPTIONS_MESSAGE, ODataSyntaxError, parseFilter, parseQueryOptions, type QueryOptions } from "../../../devserver/odata/parse";

const BAD_QUERY = "0x80060888";
const TOO_MANY_JOINS = "0x8004430D";

function refusal(params: Record<string, string>): ODataSyntaxError {
  try {
    parseQueryOptions(params);
  } catch (e) {
    if (e instanceof ODataSyntaxError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(params)}`);
}

/** `n` expands of lookups, side by side. */
const expands = (n: number) => Array.from({ length: n }, (_, i) => `nav${i}($select=a)`).join(",");

describe("valid queries", () => {
  const valid: Array<[string, Record<string, string>, (q: QueryOptions) => void]> = [
    ["select", { $select: "fullname,systemuserid" }, (q) => expect(q.select).toEqual(["fullname", "systemuserid"])],
    [
      "orderby with direction",
      { $orderby: "fullname desc,createdon" },
      (q) =>
        expect(q.orderby).toEqual([
          { path: ["fullname"], desc: true },
          { path: ["createdon"], desc: false },
        ]),
    ],
    ["top", { $top: "25" }, (q) => expect(q.top).toBe(25)],
    ["count at the top level", { $count: "true" }, (q) => expect(q.count).toBe(true)],
    ["skiptoken", { $skiptoken: '<cookie pagenumber="2" offset="5000" />' }, (q) => expect(q.skiptoken).toContain("pagenumber")],
    [
      "expand with $select, $filter, $orderby and $top (no nested expand)",
      { $expand: "Account_Tasks($select=subject;$filter=contains(subject,'a;b');$orderby=createdon desc;$top=3)" },
      (q) => {
        expect(q.expand![0].navigation).toBe("Account_Tasks");
        expect(q.expand![0].options).toMatchObject({ select: ["subject"], top: 3, orderby: [{ path: ["createdon"], desc: true }] });
        expect(q.expand![0].raw.map(([k]) => k)).toEqual(["$select", "$filter", "$orderby", "$top"]);
      },
    ],
    [
      "nested expand with only $select and $filter",
      { $expand: "contact_customer_accounts($select=fullname;$filter=fullname ne null;$expand=owninguser($select=fullname))" },
      (q) => expect(q.expand![0].options.expand![0].navigation).toBe("owninguser"),
    ],
    [`${MAX_EXPANDS} expands`, { $expand: expands(MAX_EXPANDS) }, (q) => expect(q.expand).toHaveLength(MAX_EXPANDS)],
    ["parameter aliases are left to the caller", { "@p1": "'x'" }, (q) => expect(q).toEqual({})],
  ];
  it.each(valid)("%s", (_name, params, check) => check(parseQueryOptions(params)));
});

describe("refused queries, each with Dataverse's code", () => {
  const invalid: Array<[string, Record<string, string>, string, RegExp]> = [
    ["$skip (Dataverse has no $skip)", { $skip: "10" }, BAD_QUERY, /\$skip is not supported/],
    ["$skip with $top", { $top: "5", $skip: "5" }, BAD_QUERY, /\$skip is not supported/],
    ["$skip inside $expand", { $expand: "Account_Tasks($skip=1)" }, BAD_QUERY, /\$skip is not supported/],
    ["$count inside $expand", { $expand: "Account_Tasks($count=true)" }, BAD_QUERY, /\$count is not supported inside \$expand/],
    ["$levels inside $expand", { $expand: "Account_Tasks($levels=2)" }, BAD_QUERY, /\$levels is not supported inside \$expand/],
    [
      "$top in a collection expand that has a nested expand",
      { $expand: "contact_customer_accounts($select=fullname;$top=2;$expand=owninguser($select=fullname))" },
      BAD_QUERY,
      new RegExp(NESTED_EXPAND_OPTIONS_MESSAGE.replace(/[$.]/g, "\\$&")),
    ],
    [
      "$orderby in a collection expand that has a nested expand",
      { $expand: "contact_customer_accounts($orderby=fullname;$expand=owninguser($select=fullname))" },
      BAD_QUERY,
      /^Only \$select and \$filter clause can be provided/,
    ],
    [
      "$top beside a nested expand elsewhere in the query",
      { $expand: "Account_Tasks($top=1),contact_customer_accounts($expand=owninguser($select=fullname))" },
      BAD_QUERY,
      /^Only \$select and \$filter clause can be provided/,
    ],
    [`${MAX_EXPANDS + 1} expands`, { $expand: expands(MAX_EXPANDS + 1) }, TOO_MANY_JOINS, /^Number of link entities in query exceeded maximum limit\.$/],
    [`${MAX_EXPANDS + 1} expands counting nested ones`, { $expand: `${expands(MAX_EXPANDS - 1)},parent($expand=createdby($select=fullname))` }, TOO_MANY_JOINS, /link entities/],
    ["an unknown system option", { $search: "x" }, BAD_QUERY, /'\$search' is not supported/],
    ["a negative $top", { $top: "-1" }, BAD_QUERY, /non-negative integer/],
    ["$count that is not a boolean", { $count: "yes" }, BAD_QUERY, /not a valid count/],
    ["a $select item that is not a name", { $select: "fullname,full name" }, BAD_QUERY, /\$select at item 2/],
    ["an $orderby that is not a path", { $orderby: "fullname sideways" }, BAD_QUERY, /\$orderby/],
    ["an $expand option without '='", { $expand: "nav($select)" }, BAD_QUERY, /\$expand options/],
    ["unbalanced parentheses in $expand", { $expand: "nav($select=a" }, BAD_QUERY, /Unbalanced/],
    ["an unterminated literal", { $filter: "fullname eq 'O'Brien'" }, BAD_QUERY, /position/],
    ["a literal cut by a raw '&' (what the server sees of it)", { $filter: "contains(fullname,'R" }, BAD_QUERY, /Unterminated string literal/],
    ["a character OData has no use for", { $filter: "fullname eq #1" }, BAD_QUERY, /character '#' is not valid/],
  ];
  it.each(invalid)("%s", (_name, params, code, message) => {
    const e = refusal(params);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe("$filter", () => {
  const filters: Array<[string, unknown]> = [
    ["name eq 'O''Brien'", { kind: "cmp", op: "eq", left: { kind: "path", segments: ["name"] }, right: { kind: "literal", type: "string", value: "O'Brien" } }],
    [
      "contains(name,'R&D #1 + a/b;c=d?e@f$g,h:i')",
      {
        kind: "call",
        name: "contains",
        args: [
          { kind: "path", segments: ["name"] },
          { kind: "literal", type: "string", value: "R&D #1 + a/b;c=d?e@f$g,h:i" },
        ],
      },
    ],
    ["not (a eq 1 or b ne null)", { kind: "not", expr: { kind: "or", left: expect.objectContaining({ op: "eq" }), right: expect.objectContaining({ op: "ne" }) } }],
    ["teamroles_association/any(r:r/name eq 'x')", expect.objectContaining({ kind: "lambda", op: "any", variable: "r" })],
  ];
  it.each(filters)("reads %s", (text, ast) => expect(parseFilter(text)).toEqual(ast));

  const broken: Array<[string, RegExp]> = [
    ["name eq", /Syntax error at position 7/],
    ["name eq 'x' and", /Syntax error/],
    ["(name eq 'x'", /Expected '\)'/],
    ["all/all()", /lambda expression/],
  ];
  it.each(broken)("refuses %s", (text, message) => {
    expect(() => parseFilter(text)).toThrow(ODataSyntaxError);
    expect(() => parseFilter(text)).toThrow(message);
  });
});
