import { bindControl, FormXmlError } from "../../../cli/formXml";
import { parseResx } from "../../../cli/strings";

const opts = { field: "x_user", controlName: "mss_MarketoSync.MarketoConfigControl", property: "marketoUser" };
const LOOKUP = "{270BD3DB-D9AF-4782-9025-509E298DEC0A}";
const form = (rest = "") => `<form><tabs><tab><columns><column><sections><section><rows><row><cell><control id="x_user" classid="${LOOKUP}" datafieldname="x_user" uniqueid="{aaaa}" /></cell></row></rows></section></sections></column></columns></tab></tabs>${rest}</form>`;
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe("bindControl", () => {
  it("adds controlDescriptions with the default lookup and one customControl per form factor", () => {
    const r = bindControl(form(), opts);
    expect(r.changed).toBe(true);
    expect(r.controls).toEqual(["{aaaa}"]);
    expect(r.xml).toContain(`<controlDescriptions><controlDescription forControl="{aaaa}"><customControl id="${LOOKUP}"><parameters><datafieldname>x_user</datafieldname></parameters></customControl>`);
    for (const f of [0, 1, 2]) expect(r.xml).toContain(`<customControl formFactor="${f}" name="mss_MarketoSync.MarketoConfigControl"><parameters><marketoUser type="Lookup.Simple">x_user</marketoUser></parameters></customControl>`);
    expect(r.xml.endsWith("</controlDescriptions></form>")).toBe(true);
  });

  it("is idempotent and keeps other descriptions", () => {
    const other = `<controlDescriptions><controlDescription forControl="{bbbb}"><customControl formFactor="2" name="Other.Control" /></controlDescription></controlDescriptions>`;
    const once = bindControl(form(other), opts);
    const twice = bindControl(once.xml, opts);
    expect(twice.changed).toBe(false);
    expect(twice.xml).toBe(once.xml);
    expect(count(twice.xml, /<controlDescription /g)).toBe(2);
    expect(count(twice.xml, /MarketoConfigControl/g)).toBe(3);
  });

  it("replaces another control bound to the field, fills an empty <controlDescriptions/>, adds a missing uniqueid", () => {
    const replaced = bindControl(form(`<controlDescriptions><controlDescription forControl="{aaaa}"><customControl formFactor="2" name="Old.Control" /></controlDescription></controlDescriptions>`), opts);
    expect(replaced.xml).not.toContain("Old.Control");
    expect(bindControl(form("<controlDescriptions />"), opts).xml).toContain("<controlDescriptions><controlDescription");
    const noId = bindControl(form().replace(' uniqueid="{aaaa}"', ""), opts);
    expect(noId.controls[0]).toMatch(/^\{[0-9a-f-]{36}\}$/);
    expect(noId.xml).toContain(`forControl="${noId.controls[0]}"`);
  });

  it("refuses a form without the field", () => {
    expect(() => bindControl("<form></form>", opts)).toThrow(FormXmlError);
  });
});

describe("parseResx", () => {
  it("reads values and decodes entities", () => {
    const m = parseResx(`<root><data name="A" xml:space="preserve"><value>x &lt;y&gt; &amp; {n}</value></data></root>`);
    expect(m.get("A")).toBe("x <y> & {n}");
  });
});
