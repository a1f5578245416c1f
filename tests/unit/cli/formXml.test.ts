import { bindControl, ForeignControlError, FormXmlError, parseFormXml, type BindOptions } from "../../../cli/formXml";
import { parseResx } from "../../../formats/resx";

const CONTROL = "mss_MarketoSync.MarketoConfigControl";
const opts: BindOptions = { field: "x_user", controlName: CONTROL, property: "marketoUser" };
const LOOKUP = "{270BD3DB-D9AF-4782-9025-509E298DEC0A}";
const bodyControl = `<control id="x_user" classid="${LOOKUP}" datafieldname="x_user" uniqueid="{aaaa}" />`;
const form = (rest = "", header = "") =>
  `<form><tabs><tab><columns><column><sections><section><rows><row><cell>${bodyControl}</cell></row></rows></section></sections></column></columns></tab></tabs>${header}${rest}</form>`;
const headerCopy = `<header><rows><row><cell><control id="header_x_user" classid="${LOOKUP}" datafieldname="x_user" uniqueid="{hhhh}" /></cell></row></rows></header>`;

type XNode = Record<string, unknown>;
const name = (n: XNode) => Object.keys(n).find((k) => k !== ":@")!;
const kids = (n: XNode) => n[name(n)] as XNode[];
const attrs = (n: XNode) => (n[":@"] ?? {}) as Record<string, string>;
const find = (nodes: XNode[], tag: string): XNode[] => nodes.flatMap((n) => (name(n) === tag ? [n] : name(n).startsWith("#") ? [] : find(kids(n), tag)));

/** The customControls of the description for `uniqueId`, as { formFactor, name, id, params: {name: [text, attrs]} }. */
function described(xml: string, uniqueId: string) {
  const desc = find(parseFormXml(xml), "controlDescription").filter((d) => attrs(d)["@_forControl"] === uniqueId);
  expect(desc).toHaveLength(1);
  return find(kids(desc[0]), "customControl").map((cc) => ({
    formFactor: attrs(cc)["@_formFactor"],
    name: attrs(cc)["@_name"],
    id: attrs(cc)["@_id"],
    params: Object.fromEntries(
      kids(find(kids(cc), "parameters")[0])
        .filter((p) => !name(p).startsWith("#"))
        .map((p) => [
          name(p),
          [
            kids(p)
              .map((t) => t["#text"])
              .join(""),
            attrs(p),
          ],
        ]),
    ),
  }));
}

/** The parsed form without the controlDescriptions of `controls` (and without a controlDescriptions left empty by that). */
function outside(xml: string, controls: string[]): XNode[] {
  const tree = parseFormXml(xml);
  const strip = (nodes: XNode[]): XNode[] =>
    nodes
      .filter((n) => !(name(n) === "controlDescription" && controls.includes(attrs(n)["@_forControl"])))
      .map((n) => (name(n).startsWith("#") ? n : { ...n, [name(n)]: strip(kids(n)) }))
      .filter((n) => !(name(n) === "controlDescriptions" && kids(n).length === 0));
  return strip(tree);
}

const bound = (formFactor: string, extra: Record<string, unknown> = {}) => ({
  formFactor,
  name: CONTROL,
  id: undefined,
  params: { marketoUser: ["x_user", { "@_type": "Lookup.Simple" }], ...extra },
});
const fallback = { formFactor: undefined, name: undefined, id: LOOKUP, params: { datafieldname: ["x_user", {}] } };

describe("bindControl", () => {
  it("adds controlDescriptions with the default lookup and one customControl per form factor", () => {
    const r = bindControl(form(), opts);
    expect(r.changed).toBe(true);
    expect(r.controls).toEqual(["{aaaa}"]);
    expect(described(r.xml, "{aaaa}")).toEqual([fallback, bound("0"), bound("1"), bound("2")]);
    expect(outside(r.xml, r.controls)).toEqual(parseFormXml(form()));
  });

  it("is idempotent: the second run changes nothing and returns the XML as it was", () => {
    const once = bindControl(form(), opts);
    const twice = bindControl(once.xml, opts);
    expect(twice.changed).toBe(false);
    expect(twice.xml).toBe(once.xml);
  });

  it("keeps everything else in the form: comments, entities, accents, line breaks in attributes, other descriptions, order", () => {
    const other = `<controlDescription forControl="{bbbb}"><customControl formFactor="2" name="Other.Control"><parameters><value>x_other</value></parameters></customControl></controlDescription>`;
    const rich =
      `<?xml version="1.0" encoding="utf-8"?>\n<form headerdensity="HighWithControls">\n  <!-- designer note & more -->\n  <tabs><tab name="t" id="{1}"><labels><label description="Général &amp; «co» &lt;1&gt;" languagecode="1036" />` +
      `<label description="line one&#10;line two&#x9;tab" languagecode="1033" /></labels><columns><column width="100%"><sections><section name="s"><rows>` +
      `<row><cell id="{c1}"><control id="x_other" classid="${LOOKUP}" datafieldname="x_other" uniqueid="{bbbb}" /></cell></row>` +
      `<row><cell id="{c2}">${bodyControl}</cell></row><row><cell id="{c3}"><control id="x_new" classid="{4273EDBD-AC1D-40d3-9FB2-095C621B552D}" datafieldname="x_new" /></cell></row>` +
      `</rows></section></sections></column></columns></tab></tabs>\n  <events><event name="onload" application="false" active="false"><Handlers><Handler functionName="onLoad" libraryName="a.js" handlerUniqueId="{e1}" enabled="true" parameters="'x' &amp; &quot;y&quot;" passExecutionContext="true" /></Handlers></event></events>` +
      `<controlDescriptions>${other}</controlDescriptions><![CDATA[raw <data>]]><DisplayConditions Order="0" FallbackForm="true"><Everyone /></DisplayConditions></form>`;
    const r = bindControl(rich, opts);
    expect(r.changed).toBe(true);
    expect(outside(r.xml, r.controls)).toEqual(parseFormXml(rich));
    expect(r.xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    expect(r.xml).toContain('<form headerdensity="HighWithControls">\n  <!-- designer note & more -->');
    expect(described(r.xml, "{bbbb}")).toEqual([{ formFactor: "2", name: "Other.Control", id: undefined, params: { value: ["x_other", {}] } }]);
    expect(r.xml).toContain('description="line one&#10;line two&#9;tab"');
  });

  it("completes a partial binding (web only) and keeps the values the admin set in the designer", () => {
    const values = `<roleName type="SingleLine.Text" static="true">Sync &amp; Co</roleName><solutionName type="SingleLine.Text" static="true">Marketo Lead Mgmt</solutionName>`;
    const partial = `<controlDescriptions><controlDescription forControl="{aaaa}"><customControl id="${LOOKUP}"><parameters><datafieldname>x_user</datafieldname></parameters></customControl><customControl formFactor="0" name="${CONTROL}"><parameters><marketoUser type="Lookup.Simple">x_user</marketoUser>${values}</parameters></customControl></controlDescription></controlDescriptions>`;
    const r = bindControl(form(partial), opts);
    expect(r.changed).toBe(true);
    const set = { roleName: ["Sync & Co", { "@_type": "SingleLine.Text", "@_static": "true" }], solutionName: ["Marketo Lead Mgmt", { "@_type": "SingleLine.Text", "@_static": "true" }] };
    expect(described(r.xml, "{aaaa}")).toEqual([fallback, bound("0", set), bound("1", set), bound("2", set)]);
    // A form factor bound to the wrong field is corrected, its own values kept.
    const wrong = bindControl(r.xml.replace(/(formFactor="1"[^]*?<marketoUser type="Lookup.Simple">)x_user/, "$1x_other"), opts);
    expect(wrong.changed).toBe(true);
    expect(described(wrong.xml, "{aaaa}")).toEqual([fallback, bound("0", set), bound("1", set), bound("2", set)]);
  });

  it("binds the body control only, the header copy too with includeHeader", () => {
    const r = bindControl(form("", headerCopy), opts);
    expect(r.controls).toEqual(["{aaaa}"]);
    expect(r.headerSkipped).toBe(1);
    expect(find(parseFormXml(r.xml), "controlDescription").map((d) => attrs(d)["@_forControl"])).toEqual(["{aaaa}"]);
    const both = bindControl(form("", headerCopy), { ...opts, includeHeader: true });
    expect(both.controls).toEqual(["{aaaa}", "{hhhh}"]);
    expect(both.headerSkipped).toBe(0);
    expect(described(both.xml, "{hhhh}")).toEqual([fallback, bound("0"), bound("1"), bound("2")]);
    // Only in the header: refused without includeHeader.
    const headerOnly = `<form><tabs/>${headerCopy}</form>`;
    expect(() => bindControl(headerOnly, opts)).toThrow(expect.objectContaining({ problem: "headerOnly" }));
    expect(bindControl(headerOnly, { ...opts, includeHeader: true }).controls).toEqual(["{hhhh}"]);
  });

  it("refuses to replace another control on the field, naming it; replaces it with replace", () => {
    const foreign = form(
      `<controlDescriptions><controlDescription forControl="{aaaa}"><customControl id="${LOOKUP}"><parameters><datafieldname>x_user</datafieldname></parameters></customControl><customControl formFactor="0" name="vendor_Other.Picker"><parameters><value>x_user</value></parameters></customControl></controlDescription></controlDescriptions>`,
    );
    let error: unknown;
    try {
      bindControl(foreign, opts);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ForeignControlError);
    expect((error as ForeignControlError).controls).toEqual(["vendor_Other.Picker"]);
    const r = bindControl(foreign, { ...opts, replace: true });
    expect(r.replaced).toEqual(["vendor_Other.Picker"]);
    expect(described(r.xml, "{aaaa}")).toEqual([fallback, bound("0"), bound("1"), bound("2")]);
  });

  it("fills an empty <controlDescriptions/> and adds a missing uniqueid", () => {
    expect(described(bindControl(form("<controlDescriptions />"), opts).xml, "{aaaa}")).toHaveLength(4);
    const noId = bindControl(form().replace(' uniqueid="{aaaa}"', ""), opts);
    expect(noId.controls[0]).toMatch(/^\{[0-9a-f-]{36}\}$/);
    expect(described(noId.xml, noId.controls[0])).toHaveLength(4);
  });

  it("refuses a form without the field, and XML that is not well-formed", () => {
    expect(() => bindControl("<form></form>", opts)).toThrow(expect.objectContaining({ problem: "noField" }));
    expect(() => bindControl("<form><tabs></form>", opts)).toThrow(FormXmlError);
    expect(() => bindControl("<notaform/>", opts)).toThrow(FormXmlError);
  });
});

describe("parseResx", () => {
  it("reads values and decodes entities", () => {
    const m = parseResx(`<root><data name="A" xml:space="preserve"><value>x &lt;y&gt; &amp; {n}</value></data></root>`);
    expect(m.get("A")).toBe("x <y> & {n}");
  });
});
