/**
 * `bind-form` against the devserver in token mode: it edits the latest saved form (not the published
 * one), keeps what the admin did in the designer, binds the body control only, refuses to replace
 * another vendor's control, and publishes only when it changed something.
 */
import { BOUND_PROPERTY, CONTROL_NAME } from "../../../cli/commands/bindForm";
import { parseFormXml } from "../../../cli/formXml";
import { FORM } from "../../../devserver/fixtures/ids";
import { publishedFormXml, saveUnpublishedForm, unpublishedFormXml } from "../../../devserver/routes/forms";
import { startDevServer, type DevServer } from "../../../devserver/server";
import { cli, connectionArgs } from "./helpers";
import { holdImport } from "../../helpers/solutionLock";

jest.setTimeout(60_000);

let server: DevServer;
let args: string[];

beforeAll(async () => {
  server = await startDevServer({ auth: "token", publishDurationMs: 0, importDurationMs: 0 });
  args = connectionArgs(server);
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  // What `deploy` registers (the deploy path itself is tested in cli.test.ts).
  server.org.insert(server.org.entity("customcontrol"), { name: CONTROL_NAME, version: "1.0.0" });
});

const FIELD = "mkto_marketouserid";
const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const publishes = () => server.org.publishedXml.length;

type XNode = Record<string, unknown>;
const tag = (n: XNode) => Object.keys(n).find((k) => k !== ":@")!;
const kids = (n: XNode) => n[tag(n)] as XNode[];
const attrs = (n: XNode) => (n[":@"] ?? {}) as Record<string, string>;
const all = (nodes: XNode[], name: string): XNode[] => nodes.flatMap((n) => (tag(n) === name ? [n] : tag(n).startsWith("#") ? [] : all(kids(n), name)));
/** The customControls bound to a control, as "formFactor name" (or "fallback"), with their parameter names. */
function customControls(xml: string, uniqueId: string): string[] {
  return all(parseFormXml(xml), "controlDescription")
    .filter((d) => attrs(d)["@_forControl"] === uniqueId)
    .flatMap((d) => all(kids(d), "customControl"))
    .map((cc) => {
      const params = all(kids(cc), "parameters").flatMap((p) =>
        kids(p)
          .filter((x) => !tag(x).startsWith("#"))
          .map(
            (x) =>
              `${tag(x)}=${kids(x)
                .map((t) => t["#text"])
                .join("")}`,
          ),
      );
      return `${attrs(cc)["@_name"] ? `${attrs(cc)["@_formFactor"]} ${attrs(cc)["@_name"]}` : "fallback"} [${params.join(" ")}]`;
    });
}
/** The parsed form without its controlDescriptions block. */
function withoutDescriptions(xml: string): XNode[] {
  const strip = (nodes: XNode[]): XNode[] => nodes.filter((n) => tag(n) !== "controlDescriptions").map((n) => (tag(n).startsWith("#") ? n : { ...n, [tag(n)]: strip(kids(n)) }));
  return strip(parseFormXml(xml));
}
const ours = (extra = "") => ["0", "1", "2"].map((f) => `${f} ${CONTROL_NAME} [${BOUND_PROPERTY}=${FIELD}${extra}]`);
const FALLBACK = `fallback [datafieldname=${FIELD}]`;
/** The fixture's main form with a controlDescriptions block added (as the designer would save it). */
const withDescriptions = (inner: string) => unpublishedFormXml(server.org, FORM.main).replace("<DisplayConditions", `<controlDescriptions>${inner}</controlDescriptions><DisplayConditions`);

describe("bind-form", () => {
  it("needs the control installed", async () => {
    server.reset();
    const none = await cli(["bind-form", ...args]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("is not installed: run deploy first");
  });

  it("keeps a tab the admin saved but did not publish; binds the body control, not the header copy", async () => {
    const admin = unpublishedFormXml(server.org, FORM.main).replace(
      "</tabs>",
      `<tab name="admin_tab" id="{7ab00000-0000-4000-8000-0000000000ad}"><labels><label description="Admin's new tab &amp; notes" languagecode="1033" /></labels></tab></tabs>`,
    );
    saveUnpublishedForm(server.org, FORM.main, admin);

    const r = await cli(["bind-form", ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Form “Information”: ${FIELD} now uses ${CONTROL_NAME}`);
    expect(r.stdout).toContain(`the copy of ${FIELD} in the header was left as it is (add --include-header`);
    expect(r.urls.some((u) => u.includes("systemforms/Microsoft.Dynamics.CRM.RetrieveUnpublishedMultiple()"))).toBe(true);

    const live = publishedFormXml(server.org, FORM.main);
    expect(live).toContain('name="admin_tab"');
    expect(withoutDescriptions(live)).toEqual(parseFormXml(admin));
    expect(customControls(live, FORM.userControl)).toEqual([`fallback [datafieldname=${FIELD}]`, ...ours()]);
    expect(customControls(live, FORM.headerUserControl)).toEqual([]);
    expect(server.org.publishedXml.map((p) => p.entities)).toEqual([["mkto_marketoconfig"]]);
    // The quick create form is not a main form: untouched.
    expect(publishedFormXml(server.org, FORM.quickCreate)).not.toContain("controlDescription");
  });

  it("waits for an import running in Dynamics before publishing the table, and says so", async () => {
    const held = await holdImport(server, { auth: "token" });
    let attempts = 0;
    // The gate: the import ends as bind-form asks a second time, so the first ask meets the lock.
    const r = await cli(["bind-form", ...args], { onFetch: (url) => void (url.endsWith("/PublishXml") && ++attempts === 2 && held.finish()) });
    expect(r.code).toBe(0);
    expect(attempts).toBe(2);
    expect(r.stderr).toContain("Another import or publish is running in Dynamics; waiting for it to finish… [Import]");
    expect(r.stdout).toContain("Marketo Config published.");
    expect(publishes()).toBe(1);
    expect(customControls(publishedFormXml(server.org, FORM.main), FORM.userControl)).toEqual([FALLBACK, ...ours()]);
  });

  it("run again: changes nothing and publishes nothing", async () => {
    expect((await cli(["bind-form", ...args])).code).toBe(0);
    const before = publishedFormXml(server.org, FORM.main);
    const count = publishes();
    const again = await cli(["bind-form", ...args]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already uses ${CONTROL_NAME}: nothing changed`);
    expect(again.stdout).toContain("Nothing changed, so");
    const asJson = await cli(["bind-form", "--json", ...args]);
    expect(json(asJson)).toMatchObject({ forms: [{ formId: FORM.main, changed: false }], published: false });
    expect(publishes()).toBe(count);
    expect(again.urls.some((u) => u.includes("PublishXml"))).toBe(false);
    expect(publishedFormXml(server.org, FORM.main)).toBe(before);
  });

  it("--include-header binds the header copy too", async () => {
    const r = await cli(["bind-form", "--include-header", "--json", ...args]);
    expect(json(r).forms[0]).toMatchObject({ changed: true, controls: [FORM.userControl, FORM.headerUserControl], headerSkipped: 0 });
    const live = publishedFormXml(server.org, FORM.main);
    expect(customControls(live, FORM.headerUserControl)).toEqual([FALLBACK, ...ours()]);
  });

  it("completing a web-only binding keeps the roleName and solutionName the admin set", async () => {
    const set = `<roleName type="SingleLine.Text" static="true">Sync Role (EU)</roleName><solutionName type="SingleLine.Text" static="true">Marketo &amp; Co</solutionName>`;
    saveUnpublishedForm(
      server.org,
      FORM.main,
      withDescriptions(
        `<controlDescription forControl="${FORM.userControl}"><customControl formFactor="0" name="${CONTROL_NAME}"><parameters><${BOUND_PROPERTY} type="Lookup.Simple">${FIELD}</${BOUND_PROPERTY}>${set}</parameters></customControl></controlDescription>`,
      ),
    );
    expect((await cli(["bind-form", ...args])).code).toBe(0);
    expect(customControls(publishedFormXml(server.org, FORM.main), FORM.userControl)).toEqual([FALLBACK, ...ours(" roleName=Sync Role (EU) solutionName=Marketo & Co")]);
  });

  it("refuses to replace another vendor's control (names it, changes and publishes nothing); --replace replaces it", async () => {
    const foreign = withDescriptions(
      `<controlDescription forControl="${FORM.userControl}"><customControl formFactor="0" name="acme_Acme.UserPicker"><parameters><value>${FIELD}</value></parameters></customControl></controlDescription>`,
    );
    saveUnpublishedForm(server.org, FORM.main, foreign);
    const refused = await cli(["bind-form", ...args]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Form “Information”: ${FIELD} already uses another control, acme_Acme.UserPicker. Nothing was changed.`);
    expect(refused.stderr).toContain("--replace");
    expect(unpublishedFormXml(server.org, FORM.main)).toBe(foreign);
    expect(publishes()).toBe(0);

    const replaced = await cli(["bind-form", "--replace", ...args]);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain("acme_Acme.UserPicker was replaced");
    expect(customControls(publishedFormXml(server.org, FORM.main), FORM.userControl)).toEqual([FALLBACK, ...ours()]);
  });

  it("--form: a name that matches no form lists the main forms; the match ignores case", async () => {
    const wrong = await cli(["bind-form", "--form", "Informations", ...args]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("No main form of Marketo Config is named “Informations”. Its main forms are: Information.");
    expect(publishes()).toBe(0);
    const right = await cli(["bind-form", "--form", "information", "--no-publish", "--json", ...args]);
    expect(json(right)).toMatchObject({ forms: [{ name: "Information", changed: true }], published: false });
    expect(publishedFormXml(server.org, FORM.main)).not.toContain("controlDescription");
    expect(customControls(unpublishedFormXml(server.org, FORM.main), FORM.userControl)).toEqual([FALLBACK, ...ours()]);
  });
});
