import { anyOf, buildQuery, eq, guid, InvalidGuidError, isGuid, literal, pattern } from "../../../core/dataverse/odata";

/** What a server sees once the query string is decoded. */
const decoded = (q: string) => decodeURIComponent(q);

describe("literal", () => {
  it("doubles single quotes", () => {
    expect(literal("O'Brien")).toBe("'O''Brien'");
    expect(literal("''")).toBe("''''''");
  });

  it("keeps wildcard characters as they are outside pattern functions", () => {
    expect(literal("100%_[x]")).toBe("'100%_[x]'");
  });

  it("brackets %, _ and [ inside pattern functions so they match themselves", () => {
    expect(literal("100%", { wildcards: true })).toBe("'100[%]'");
    expect(literal("a_b", { wildcards: true })).toBe("'a[_]b'");
    expect(literal("[x]", { wildcards: true })).toBe("'[[]x]'");
    expect(literal("O'Brien_%", { wildcards: true })).toBe("'O''Brien[_][%]'");
  });

  it("handles empty, unicode and long values", () => {
    expect(literal("")).toBe("''");
    expect(literal("Zoë 🚀 Müller")).toBe("'Zoë 🚀 Müller'");
    const long = "x'".repeat(250);
    expect(literal(long)).toBe(`'${"x''".repeat(250)}'`);
    expect(literal(long).length).toBe(752);
  });
});

describe("buildQuery", () => {
  it("URL-encodes characters that would break the query string", () => {
    const q = buildQuery({ filter: pattern("contains", "fullname", "R&D #1 + a/b") });
    expect(q).not.toMatch(/R&D|#1|\+ a/);
    expect(q).toContain("R%26D");
    expect(q).toContain("%231");
    expect(q).toContain("%2B");
    expect(decoded(q)).toBe("?$filter=contains(fullname,'R&D #1 + a/b')");
  });

  // Microsoft's "URL encode special characters" table (filter-rows.md), plus '#' (it would end the
  // URL), '%' (it would start an escape) and space. Each must leave the client percent-encoded
  // inside a literal: a raw one is read differently by the server, or is at odds with the docs.
  const TABLE: Array<[string, string]> = [
    ["$", "%24"],
    ["&", "%26"],
    ["+", "%2B"],
    [",", "%2C"],
    ["/", "%2F"],
    [":", "%3A"],
    [";", "%3B"],
    ["=", "%3D"],
    ["?", "%3F"],
    ["@", "%40"],
    ["#", "%23"],
    ["%", "%25"],
    [" ", "%20"],
  ];
  it.each(TABLE)("encodes %s inside a literal as %s, in $filter and inside $expand", (char, encoded) => {
    for (const q of [buildQuery({ filter: eq("fullname", `a${char}b`) }), buildQuery({ expand: [{ navigation: "nav", select: ["name"], filter: eq("name", `a${char}b`) }] })]) {
      const literalText = /'([^']*)'/.exec(q)![1];
      expect(literalText).toBe(`a${encoded}b`);
      expect(decoded(q)).toContain(`'a${char}b'`);
    }
  });

  it("keeps OData punctuation readable outside literals", () => {
    const q = buildQuery({ select: ["a", "b"], filter: "a eq 1", expand: [{ navigation: "nav", select: ["c"], filter: "c eq 'x:y'" }] });
    expect(q).toBe("?$select=a,b&$filter=a%20eq%201&$expand=nav($select=c;$filter=c%20eq%20'x%3Ay')");
  });

  it("encodes % so a literal percent survives decoding", () => {
    const q = buildQuery({ filter: pattern("contains", "fullname", "100%") });
    expect(q).toContain("100%5B%25%5D");
    expect(decoded(q)).toBe("?$filter=contains(fullname,'100[%]')");
  });

  it("replaces half an emoji instead of throwing", () => {
    const half = "🚀".slice(0, 1);
    expect(() => buildQuery({ filter: eq("fullname", `a${half}`) })).not.toThrow();
    expect(buildQuery({ filter: eq("fullname", `a${half}`) })).toContain("a%EF%BF%BD");
  });

  it("encodes unicode as UTF-8", () => {
    expect(buildQuery({ filter: eq("fullname", "Zoë") })).toContain("Zo%C3%AB");
  });

  it("joins select, filter, expand with nested options, orderby, top and count", () => {
    const q = buildQuery({
      select: ["a", "b"],
      filter: "a eq 1",
      expand: [{ navigation: "nav", select: ["c"], filter: "c eq 'x'" }],
      orderby: ["a desc"],
      top: 25,
      count: true,
    });
    expect(decoded(q)).toBe("?$select=a,b&$filter=a eq 1&$expand=nav($select=c;$filter=c eq 'x')&$orderby=a desc&$top=25&$count=true");
  });

  it("is empty without options", () => {
    expect(buildQuery({})).toBe("");
  });

  it("a quote in a value cannot end the literal and inject a clause", () => {
    const q = buildQuery({ filter: eq("fullname", "x' or fullname ne 'y") });
    expect(decoded(q)).toBe("?$filter=fullname eq 'x'' or fullname ne ''y'");
  });
});

describe("guid", () => {
  it("normalises braces and case", () => {
    expect(guid("{AB8B4C38-1F3C-4A5F-9C3B-2E0C1B7A9D10}")).toBe("ab8b4c38-1f3c-4a5f-9c3b-2e0c1b7a9d10");
    expect(isGuid("ab8b4c38-1f3c-4a5f-9c3b-2e0c1b7a9d10")).toBe(true);
  });

  it("rejects anything else, so nothing unquoted reaches a URL", () => {
    for (const bad of ["", "abc", "ab8b4c38-1f3c-4a5f-9c3b-2e0c1b7a9d1", "ab8b4c38-1f3c-4a5f-9c3b-2e0c1b7a9d10) or (1 eq 1"]) {
      expect(() => guid(bad)).toThrow(InvalidGuidError);
    }
  });

  it("eq with a guid writes it unquoted and validated", () => {
    expect(eq("systemuserid", "{AB8B4C38-1F3C-4A5F-9C3B-2E0C1B7A9D10}", "guid")).toBe("systemuserid eq ab8b4c38-1f3c-4a5f-9c3b-2e0c1b7a9d10");
    expect(() => eq("systemuserid", "nope", "guid")).toThrow(InvalidGuidError);
    expect(eq("applicationid", null)).toBe("applicationid eq null");
  });
});

describe("anyOf", () => {
  it("matches nothing when empty", () => {
    expect(anyOf([])).toBe("false");
    expect(anyOf(["a"])).toBe("a");
    expect(anyOf(["a", "b"])).toBe("(a or b)");
  });
});
