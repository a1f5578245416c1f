/**
 * Copy report, Copy all and the links away from the form, on the real control in jsdom against the
 * devserver's demo organisation. The clipboard is the browser's (host.copyToClipboard), replaced by a
 * recorder; every wait is for what the page shows.
 */
import { configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { startDevServer, type DevServer } from "../../devserver/server";
import { APP, CONFIG, ORG, USER } from "../../devserver/fixtures/ids";
import { checkDocUrl } from "../../core/setup/docLinks";
import { mountControl } from "../helpers/mountControl";
import { readResx } from "../helpers/resx";

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 20_000 });

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ publishDurationMs: 50 });
});
afterAll(() => server.close());

const en = readResx("1033");
const fr = readResx("1036");
const config = { entity: CONFIG.demo.entity, attribute: CONFIG.demo.userAttribute, id: CONFIG.defaultRecord };
const marketoSync = { id: USER.marketoSync, name: "Marketo Sync", entityType: "systemuser" };
const line = (id: string) => document.querySelector(`[data-check="${id}"]`) as HTMLElement;
const announced = () => document.getElementById("mss-announcer")!.textContent;
/** The text is on screen too, not only in the screen reader's announcer. */
const shown = (text: string) => screen.getAllByText(text).filter((e) => !e.closest("#mss-announcer"));

let writes: string[];
let refuse: boolean;
beforeEach(() => {
  server.reset();
  writes = [];
  refuse = false;
  Object.assign(navigator, {
    clipboard: {
      writeText: async (text: string) => {
        if (refuse) throw new Error("NotAllowedError");
        writes.push(text);
      },
    },
  });
});

/** The demo org with Marketo Sync saved as the Marketo User: the role is still missing, others hold it. */
async function mountSaved(lang: "1033" | "1036" = "1033") {
  const r = await fetch(`${server.url}/api/data/v9.2/${CONFIG.demo.entitySet}(${CONFIG.defaultRecord})`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json", "If-Match": "*", "x-devserver-user": USER.admin },
    body: JSON.stringify({ [`${CONFIG.demo.navigation}@odata.bind`]: `/systemusers(${USER.marketoSync})` }),
  });
  expect(r.status).toBe(204);
  const m = mountControl({ serverUrl: server.url, config, user: marketoSync, lang });
  await waitFor(() => expect(line("solution.installed")?.getAttribute("data-status")).toBe("pass"));
  return m;
}

async function copyReport(item: string) {
  fireEvent.click(screen.getByRole("button", { name: en.get("Button_CopyReport") }));
  fireEvent.click(await screen.findByRole("menuitem", { name: item }));
}

describe("Copy report", () => {
  it("copies the checklist as text, with the organisation, the solution, the time and the Marketo User", async () => {
    await mountSaved();
    await copyReport(en.get("CopyReport_Text")!);
    await waitFor(() => expect(writes).toHaveLength(1));
    const text = writes[0];
    const lines = text.split("\n");
    expect(lines[0]).toBe(en.get("Report_Title"));
    expect(text).toContain(`Organization: Contoso (devserver) — ${server.url}`);
    expect(text).toContain(`Organization ID: ${ORG.organizationId}`);
    expect(text).toContain("Marketo solution: Marketo Lead Management 5.0.2.1");
    expect(text).toMatch(/\nChecked on: \d/);
    expect(text).toContain(`Marketo User: Marketo Sync (ID ${USER.marketoSync}, Client ID ${APP.marketoSync})`);
    // One line per check, as the checklist shows it, and Adobe's page under a failed one.
    const checks = document.querySelectorAll("[data-check]");
    expect(lines.filter((l) => /^\[[^\]]+\] /.test(l))).toHaveLength(checks.length);
    const role = lines.findIndex((l) => l.startsWith(`[${en.get("Status_fail")}] ${en.get("CheckTitle_user_role")}: `));
    expect(lines[role + 1]).toBe(`    Marketo’s guide: ${checkDocUrl("user.role", "en")}`);
    expect(text).not.toMatch(/devserver-secret/);
    await waitFor(() => expect(announced()).toBe(en.get("Copy_ReportTextDone")));
    expect(shown(en.get("Copy_ReportTextDone")!)).toHaveLength(1);
  });

  it("copies it as JSON with ids tools can use", async () => {
    await mountSaved();
    await copyReport(en.get("CopyReport_Json")!);
    await waitFor(() => expect(writes).toHaveLength(1));
    const report = JSON.parse(writes[0]);
    expect(report).toMatchObject({
      schemaVersion: 1,
      overall: "fail",
      organization: { name: "Contoso (devserver)", url: server.url, organizationId: ORG.organizationId, tenantId: ORG.tenantId },
      solution: { name: "Marketo Lead Management", version: "5.0.2.1" },
      marketoUser: { id: USER.marketoSync, name: "Marketo Sync", clientId: APP.marketoSync, saved: true },
      roleName: "Marketo Sync User",
    });
    expect(Date.parse(report.checkedAt)).not.toBeNaN();
    const exclusive = report.checks.find((c: { id: string }) => c.id === "role.exclusive");
    expect(exclusive).toMatchObject({ status: "fail", data: { exclusiveFromVersion: "4.0.0.14", solutionVersion: "5.0.2.1" } });
    expect(exclusive.data.otherHolderIds.length).toBeGreaterThan(0);
    expect(exclusive.data.otherHolderIds).not.toContain(USER.marketoSync);
    expect(report.checks.find((c: { id: string }) => c.id === "user.role")).toMatchObject({ status: "fail", fix: "assignRole", docUrl: checkDocUrl("user.role", "en") });
    await waitFor(() => expect(announced()).toBe(en.get("Copy_ReportJsonDone")));
  });

  it("says so when the browser refuses the clipboard", async () => {
    await mountSaved();
    refuse = true;
    await copyReport(en.get("CopyReport_Text")!);
    await waitFor(() => expect(announced()).toBe(en.get("Copy_ReportFailed")));
    expect(writes).toEqual([]);
  });
});

describe("Copy all", () => {
  it("copies every connection value as 'Label: value' lines and announces it", async () => {
    await mountSaved();
    fireEvent.click(screen.getByRole("button", { name: en.get("Button_CopyAll_Label") }));
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0].split("\n")).toEqual([
      `Dynamics URL (organization URL): ${server.url}`,
      `Organization Service URL: ${server.url}/XRMServices/2011/Organization.svc`,
      `Tenant ID: ${ORG.tenantId}`,
      `Client ID (application ID): ${APP.marketoSync}`,
      expect.stringMatching(/^Username \(the sync user’s email\): \S+@\S+$/),
    ]);
    await waitFor(() => expect(announced()).toBe(en.get("Copy_AllDone")));
    expect(shown(en.get("Copy_AllDone")!)).toHaveLength(1);
  });
});

describe("links where the admin goes next", () => {
  it("opens the sync user's record and Adobe's page of a failed check in a new tab", async () => {
    await mountSaved();
    const record = document.querySelector('a[data-link="user-record"]') as HTMLAnchorElement;
    expect(record.getAttribute("href")).toBe(`${server.url}/main.aspx?pagetype=entityrecord&etn=systemuser&id=${USER.marketoSync}`);
    expect(record.textContent).toBe(`Open the user record of Marketo Sync ${en.get("Link_NewTab")}`);

    const doc = within(line("user.role")).getByRole("link", { name: new RegExp(en.get("DocLink_Text")!) }) as HTMLAnchorElement;
    expect(doc.getAttribute("href")).toBe(
      "https://experienceleague.adobe.com/en/docs/marketo/using/product-docs/crm-sync/microsoft-dynamics/fix-dynamics-validation-sync-issues#sync-user-is-assigned-to-the-marketo-sync-user-role",
    );
    for (const a of [record, doc]) {
      expect(a.getAttribute("target")).toBe("_blank");
      expect(a.getAttribute("rel")).toBe("noopener noreferrer");
    }
    // Passed lines point nowhere.
    expect(line("solution.installed").querySelector('a[data-link="doc"]')).toBeNull();
    expect(line("user.selected").querySelector('a[data-link="doc"]')).toBeNull();
  });

  it("points a French admin at Adobe's French pages", async () => {
    await mountSaved("1036");
    const doc = line("user.role").querySelector('a[data-link="doc"]') as HTMLAnchorElement;
    expect(doc.textContent).toContain(fr.get("DocLink_Text"));
    expect(doc.getAttribute("href")).toBe(checkDocUrl("user.role", "fr"));
    expect(doc.getAttribute("href")).toMatch(/^https:\/\/experienceleague\.adobe\.com\/fr\//);
  });

  it("has no record link while no sync user is picked", async () => {
    mountControl({ serverUrl: server.url, config });
    await waitFor(() => expect(line("solution.installed")?.getAttribute("data-status")).toBe("pass"));
    expect(document.querySelector('a[data-link="user-record"]')).toBeNull();
  });
});
