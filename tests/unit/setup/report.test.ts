/** The copyable report (core/setup/report.ts), its documentation links and the record link, from hand-made states. */
import { createTranslator } from "../../../core/i18n/translate";
import { DataverseError } from "../../../core/dataverse/errors";
import { checkDocUrl, documentedChecks } from "../../../core/setup/docLinks";
import { evaluate } from "../../../core/setup/evaluate";
import { recordUrl, userRecordUrl } from "../../../core/setup/recordUrl";
import { buildReport, REPORT_SCHEMA_VERSION } from "../../../core/setup/report";
import type { CheckId, SetupState } from "../../../core/setup/types";
import { IDS, passingState, user } from "../../helpers/stateBuilder";
import { readResx } from "../../helpers/resx";

const strings = { "1033": readResx("1033"), "1036": readResx("1036") };
const translator = (lang: "1033" | "1036") => createTranslator({ lookup: (k) => strings[lang].get(k), locale: lang === "1036" ? "fr-FR" : "en-US" });
const en = translator("1033");
const CHECKED = "2026-12-02T14:00:00.000Z";
const ORG_ID = "77777777-0000-4000-8000-000000000001";

function state(change: (s: SetupState) => void = () => undefined): SetupState {
  const s = passingState();
  s.organization = {
    ok: true,
    value: {
      organizationId: ORG_ID,
      tenantId: "88888888-0000-4000-8000-000000000001",
      friendlyName: "Contoso",
      uniqueName: "contoso",
      webApplicationUrl: "https://contoso.crm.dynamics.com/",
      organizationServiceUrl: "https://contoso.crm.dynamics.com/XRMServices/2011/Organization.svc",
    },
  };
  s.lastPublishJobAt = "2026-11-27T10:06:00Z";
  change(s);
  return s;
}

const report = (s: SetupState, t = en, locale = "en-US") => buildReport(s, evaluate(s), t, { checkedAt: CHECKED, clientUrl: "https://contoso.crm.dynamics.com", locale });
const check = (r: ReturnType<typeof report>, id: CheckId) => r.data.checks.find((c) => c.id === id)!;

/** Another holder of the role, so that "role.exclusive" fails. */
const withOtherHolders = (s: SetupState) => {
  if (s.roles.ok) s.roles.value[1].holders.push(user(IDS.other1, "Ann Admin"), user(IDS.other2, "Bob Builder"));
};

describe("the JSON report", () => {
  it("names the organisation, the solution, the times and the Marketo User", () => {
    const r = report(state());
    expect(JSON.parse(r.json)).toEqual(r.data);
    expect(r.data).toMatchObject({
      schemaVersion: REPORT_SCHEMA_VERSION,
      checkedAt: CHECKED,
      overall: "pass",
      organization: { name: "Contoso", uniqueName: "contoso", url: "https://contoso.crm.dynamics.com", organizationId: ORG_ID },
      solution: { uniqueName: "MarketoLeadManagement", name: "Marketo Lead Management", version: "5.0.2.1", managed: true },
      // The newest of the org's Publish All job and the publish made here.
      publish: { lastPublishedAt: "2026-11-27T10:06:00Z", lastPublishJobAt: "2026-11-27T10:06:00Z", lastPublishHereAt: "2026-11-27T10:05:00Z" },
      marketoUser: {
        id: IDS.syncUser,
        name: "Marketo Sync",
        email: "marketo.sync@contoso.com",
        clientId: IDS.clientId,
        saved: true,
        recordUrl: `https://contoso.crm.dynamics.com/main.aspx?pagetype=entityrecord&etn=systemuser&id=${IDS.syncUser}`,
      },
      savedMarketoUserId: IDS.syncUser,
      roleName: "Marketo Sync User",
    });
    expect(r.data.checks.map((c) => c.id)).toEqual(evaluate(state()).map((i) => i.id));
  });

  it("gives each check structured data: step ids, other role holders, versions", () => {
    const r = report(
      state((s) => {
        withOtherHolders(s);
        if (s.steps.ok) s.steps.value[1].enabled = false;
      }),
    );
    expect(check(r, "solution.steps")).toMatchObject({ status: "fail", fix: "enableSteps", data: { stepIds: [IDS.step1, IDS.step2], disabledStepIds: [IDS.step2] } });
    expect(check(r, "role.exclusive")).toMatchObject({
      status: "fail",
      data: { solutionVersion: "5.0.2.1", exclusiveFromVersion: "4.0.0.14", otherHolderIds: [IDS.other1, IDS.other2] },
    });
    expect(check(r, "user.role").data).toEqual({ roleIds: [IDS.roleRoot, IDS.roleChild], userRoleIds: [IDS.roleRoot], viaTeams: [] });
    expect(check(r, "solution.installed").data).toEqual({ uniqueName: "MarketoLeadManagement", version: "5.0.2.1" });
    expect(check(r, "filter.field").data).toEqual({ tables: { lead: true, contact: false, account: false } });
    expect(r.data.overall).toBe("fail");
  });

  it("links Adobe's page for failed and warned checks only", () => {
    const r = report(state(withOtherHolders));
    expect(check(r, "role.exclusive").docUrl).toBe(checkDocUrl("role.exclusive", "en-US"));
    expect(check(r, "solution.installed").docUrl).toBeUndefined();
    expect(check(r, "filter.field").docUrl).toBeUndefined();
  });

  it("tells a solution that is not installed (null) from one that could not be read (absent)", () => {
    expect(report(state((s) => (s.solution = { ok: true, value: null }))).data.solution).toBeNull();
    const unread = report(
      state((s) => (s.solution = { ok: false, error: new DataverseError("privilege", { status: 403, code: "0x80040220", message: "Principal user is missing prvReadSolution" }) })),
    );
    expect("solution" in unread.data).toBe(false);
    // The read that failed: kind, status and code, not the server's message.
    expect(check(unread, "solution.installed")).toMatchObject({ status: "unknown", error: { kind: "privilege", status: 403, code: "0x80040220" } });
    expect(unread.json).not.toContain("prvReadSolution");
  });

  it("marks a Marketo User picked but not saved, and says when none is picked", () => {
    const picked = report(state((s) => (s.savedUserId = { ok: true, value: null })));
    expect(picked.data.marketoUser).toMatchObject({ id: IDS.syncUser, saved: false });
    expect(picked.data.savedMarketoUserId).toBeNull();
    const none = report(state((s) => ((s.input.chosenUserId = null), (s.chosenUser = undefined), (s.savedUserId = { ok: true, value: null }))));
    expect(none.data.marketoUser).toBeNull();
  });

  it("holds no secret and no credential field", () => {
    const r = report(state(withOtherHolders));
    const keys: string[] = [];
    JSON.stringify(r.data, (k, v) => (keys.push(k), v));
    expect(keys.filter((k) => /secret|password|token|cookie|authorization/i.test(k))).toEqual([]);
  });
});

describe("the text report", () => {
  it("reads like the checklist, with the header a ticket needs", () => {
    const r = report(state(withOtherHolders));
    const lines = r.text.split("\n");
    expect(lines[0]).toBe(en("Report_Title"));
    expect(r.text).toContain(`Organization: Contoso — https://contoso.crm.dynamics.com`);
    expect(r.text).toContain(`Organization ID: ${ORG_ID}`);
    expect(r.text).toContain("Marketo solution: Marketo Lead Management 5.0.2.1");
    expect(r.text).toContain(`Checked on: ${CHECKED}`);
    expect(r.text).toContain("Last publish of all customizations: 2026-11-27T10:06:00Z");
    expect(r.text).toContain(`Marketo User: Marketo Sync (ID ${IDS.syncUser}, Client ID ${IDS.clientId})`);
    expect(r.text).toContain(en("Summary_Attention", { count: 1 }));
    const exclusive = lines.findIndex((l) => l.startsWith(`[${en("Status_fail")}] ${en("CheckTitle_role_exclusive")}: `));
    expect(lines[exclusive]).toContain("Ann Admin, Bob Builder");
    expect(lines[exclusive + 1]).toBe(`    ${en("Report_Doc")}: ${checkDocUrl("role.exclusive", "en-US")}`);
    expect(lines.filter((l) => l.startsWith(`[${en("Status_pass")}] `))).toHaveLength(8);
  });

  it("shows times as the caller formats them, and leaves already formatted ones alone", () => {
    const s = state();
    const formatTime = (iso: string) => `<${iso.slice(0, 10)}>`;
    const items = evaluate(s).map((i) => (i.id === "publish" ? { ...i, params: { ...i.params, time: "27/11/2026 10:06" } } : i));
    const r = buildReport(s, items, en, { checkedAt: CHECKED, formatTime });
    expect(r.text).toContain("Checked on: <2026-12-02>");
    expect(r.text).toContain("Last publish of all customizations: <2026-11-27>");
    expect(r.text).toContain("27/11/2026 10:06");
    expect(r.data.checkedAt).toBe(CHECKED);
  });

  it("is in French for a French admin, links to Adobe's French pages, and keeps the JSON ids", () => {
    const fr = translator("1036");
    const r = report(state(withOtherHolders), fr, "fr-FR");
    expect(r.text.split("\n")[0]).toBe(fr("Report_Title"));
    // French puts a space before the colon.
    expect(r.text).toContain("Organisation : Contoso — https://contoso.crm.dynamics.com");
    expect(r.text).toContain(`[${fr("Status_fail")}] ${fr("CheckTitle_role_exclusive")} : `);
    expect(check(r, "role.exclusive").docUrl).toMatch(/^https:\/\/experienceleague\.adobe\.com\/fr\/docs\//);
    expect(check(r, "role.exclusive").data).toEqual(check(report(state(withOtherHolders)), "role.exclusive").data);
  });

  it("says what is not known rather than leaving blanks", () => {
    const r = report(
      state((s) => {
        s.organization = { ok: false, error: new DataverseError("privilege", { status: 403, message: "x" }) };
        s.solution = { ok: true, value: null };
        s.lastPublishJobAt = undefined;
        s.input.publishLog = {};
      }),
    );
    // The organisation URL is still the one the admin works in.
    expect(r.text).toContain("Organization: https://contoso.crm.dynamics.com");
    expect(r.text).toContain(`Marketo solution: ${en("Report_SolutionMissing")}`);
    expect(r.text).toContain(`Last publish of all customizations: ${en("Report_NotKnown")}`);
  });
});

describe("documentation links", () => {
  it("every check that can fail or warn has an Adobe page; the informational one has none", () => {
    expect(documentedChecks().sort()).toEqual(
      (
        [
          "solution.installed",
          "solution.steps",
          "user.selected",
          "user.credentials",
          "user.enabled",
          "user.application",
          "user.role",
          "role.exclusive",
          "role.disabledHolders",
          "user.configRead",
          "publish",
        ] as CheckId[]
      ).sort(),
    );
    expect(checkDocUrl("filter.field")).toBeUndefined();
    for (const id of documentedChecks())
      expect(checkDocUrl(id)).toMatch(/^https:\/\/experienceleague\.adobe\.com\/en\/docs\/marketo\/using\/product-docs\/crm-sync\/microsoft-dynamics\/[a-z0-9/-]+(#[a-z0-9-]+)?$/);
  });

  it("points at the right sections", () => {
    expect(checkDocUrl("solution.steps")).toBe(
      "https://experienceleague.adobe.com/en/docs/marketo/using/product-docs/crm-sync/microsoft-dynamics/fix-dynamics-validation-sync-issues#all-steps-in-the-solution-are-enabled",
    );
    expect(checkDocUrl("user.application", "fr-FR")).toBe(
      "https://experienceleague.adobe.com/fr/docs/marketo/using/product-docs/crm-sync/microsoft-dynamics/sync-setup/microsoft-dynamics-365-with-s2s-connection/step-2-of-3-set-up#create-application-user-in-microsoft",
    );
  });
});

describe("record links", () => {
  it("builds the model-driven form URL of a user", () => {
    expect(userRecordUrl("https://contoso.crm.dynamics.com/", `{${IDS.syncUser.toUpperCase()}}`)).toBe(
      `https://contoso.crm.dynamics.com/main.aspx?pagetype=entityrecord&etn=systemuser&id=${IDS.syncUser}`,
    );
  });

  it("refuses what could not be a record link", () => {
    expect(userRecordUrl("javascript:alert(1)//", IDS.syncUser)).toBeUndefined();
    expect(userRecordUrl("https://contoso.crm.dynamics.com", "not-a-guid")).toBeUndefined();
    expect(userRecordUrl(undefined, IDS.syncUser)).toBeUndefined();
    expect(recordUrl("https://contoso.crm.dynamics.com", "system user&x=1", IDS.syncUser)).toBeUndefined();
  });
});
