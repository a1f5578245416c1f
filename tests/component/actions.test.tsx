/**
 * What the admin sees after each click, where they look: a fix's or a publish's result next to the
 * button that was clicked, scrolled to and focused; who lost the role; Fix everything, its one
 * confirmation, its progress and where it stops; Publish held back until a Marketo User is saved.
 * The real control in jsdom against the devserver; failures come from the devserver's faults, and
 * nothing waits on a clock (waitFor, request counts, held requests).
 */
import { configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { startDevServer, type DevServer } from "../../devserver/server";
import { adminApi } from "../helpers/adminApi";
import { CONFIG, ROLE, STEP, TEAM, USER } from "../../devserver/fixtures/ids";
import { mountControl } from "../helpers/mountControl";

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 20_000 });

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ publishDurationMs: 50 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

// jsdom lays nothing out and has no scrollIntoView: record which element was asked to come into view.
const scrolled: Element[] = [];
beforeAll(() => {
  Element.prototype.scrollIntoView = function (this: Element) {
    scrolled.push(this);
  };
});
afterAll(() => {
  delete (Element.prototype as Partial<Element>).scrollIntoView;
});
beforeEach(() => (scrolled.length = 0));

const config = { entity: CONFIG.demo.entity, attribute: CONFIG.demo.userAttribute, id: CONFIG.defaultRecord };
const marketoSync = { id: USER.marketoSync, name: "Marketo Sync", entityType: "systemuser" };

const line = (id: string) => document.querySelector(`[data-check="${id}"]`) as HTMLElement;
const statusOf = (id: string) => line(id)?.getAttribute("data-status");
const fixButton = (id: string) => line(id)?.querySelector("button[data-fix]") as HTMLButtonElement | null;
const publishButton = () => document.querySelector('button[data-action="publish"]') as HTMLButtonElement;
const fixEverything = () => screen.getByTestId("fix-everything") as HTMLButtonElement;
const loaded = () => waitFor(() => expect(statusOf("solution.installed")).toBe("pass"));
const checkAgain = () => screen.getByText("Check again").closest("button") as HTMLButtonElement;
const settled = () => waitFor(() => expect(checkAgain().disabled).toBe(false));
const requestsTo = (pattern: RegExp) => server.requests.filter((r) => pattern.test(decodeURIComponent(r.url)));

const api = adminApi(() => server.url);

async function rolesOf(userId: string): Promise<string[]> {
  const u = await api<{ systemuserroles_association: Array<{ roleid: string }> }>(`systemusers(${userId})?$select=fullname&$expand=systemuserroles_association($select=roleid)`);
  return u.systemuserroles_association.map((r) => r.roleid);
}

const stepState = async () => (await api<{ statecode: number }>(`sdkmessageprocessingsteps(${STEP.disabled})?$select=statecode`)).statecode;

async function mountSaved(options: Partial<Parameters<typeof mountControl>[0]> = {}) {
  await api(`${CONFIG.demo.entitySet}(${CONFIG.defaultRecord})`, {
    method: "PATCH",
    headers: { "If-Match": "*" },
    body: JSON.stringify({ [`${CONFIG.demo.navigation}@odata.bind`]: `/systemusers(${USER.marketoSync})` }),
  });
  const m = mountControl({ serverUrl: server.url, config, user: marketoSync, ...options });
  await loaded();
  return m;
}

/** The result notice shown for the last click, and that it has the focus and was brought into view. */
async function focusedNotice(home: HTMLElement, text: RegExp): Promise<HTMLElement> {
  const notice = await waitFor(() => {
    const found = Array.from(home.querySelectorAll<HTMLElement>("[data-notice]")).find((n) => text.test(n.textContent ?? ""));
    expect(found).toBeTruthy();
    return found!;
  });
  await waitFor(() => expect(document.activeElement).toBe(notice));
  expect(scrolled).toContain(notice);
  return notice;
}

describe("Publish is held back", () => {
  it("while no Marketo User is saved, saying why", async () => {
    mountControl({ serverUrl: server.url, config });
    await loaded();
    await settled();
    expect(publishButton().disabled).toBe(true);
    expect(screen.getByText("Pick and save the Marketo User first: Marketo reads the saved Marketo User.")).toBeTruthy();
  });

  it("in French too", async () => {
    mountControl({ serverUrl: server.url, config, lang: "1036" });
    await loaded();
    expect(publishButton().disabled).toBe(true);
    expect(screen.getByText(/Choisissez et enregistrez d’abord l’Utilisateur Marketo/)).toBeTruthy();
  });
});

describe("every result is seen where the admin looks", () => {
  it("a failed fix: the error is on the line whose button was clicked, brought into view and focused", async () => {
    await mountSaved();
    const denied = server.faults.add({ match: { method: "POST", path: "systemuserroles_association/$ref" }, respond: "privilegeDenied" });
    fireEvent.click(fixButton("user.role")!);
    const notice = await focusedNotice(line("user.role"), /You don’t have the privileges this needs/);
    expect(server.faults.fired(denied)).toBe(1);
    expect(notice.getAttribute("data-notice")).toBe("error");
    // Nothing at the top of the control: the line is the only place it shows.
    expect(document.querySelectorAll("[data-notice]")).toHaveLength(1);
    await settled();
    expect(document.activeElement).toBe(notice);
  });

  it("a failed publish: the error is next to Publish, focused; dismissed, the focus stays in the section", async () => {
    await mountSaved();
    const failing = server.faults.add({ match: { method: "POST", path: "PublishAllXmlAsync" }, respond: "publishFail" });
    fireEvent.click(publishButton());
    const section = publishButton().closest("[data-notice-home]") as HTMLElement;
    const notice = await focusedNotice(section, /Publishing failed: what was changed is saved, but not published yet\. Try again\./);
    expect(server.faults.fired(failing)).toBeGreaterThanOrEqual(1);
    fireEvent.click(within(notice).getByRole("button", { name: "Dismiss" }));
    expect(section.querySelector("[data-notice]")).toBeNull();
    expect(document.activeElement).toBe(section);
  });

  it("a fix that worked: says what it did, with the user's name, on its line, and the focus goes there", async () => {
    await mountSaved();
    fireEvent.click(fixButton("user.role")!);
    const notice = await focusedNotice(line("user.role"), /^Role Marketo Sync User assigned to Marketo Sync\.$/);
    expect(notice.getAttribute("data-notice")).toBe("done");
    await waitFor(() => expect(statusOf("user.role")).toBe("pass"));
    await settled();
    expect(document.activeElement).toBe(notice);
    expect(document.activeElement).not.toBe(document.body);
  });

  it("a publish that worked: its time next to the button, focused", async () => {
    await mountSaved();
    fireEvent.click(publishButton());
    await focusedNotice(publishButton().closest("[data-notice-home]") as HTMLElement, /Customizations published at/);
  });

  it("after Remove from the others…, who lost the role and when stays on the page", async () => {
    await mountSaved();
    fireEvent.click(fixButton("role.exclusive")!);
    const dialog = await screen.findByRole("alertdialog");
    // The team that gives the role to one more user is named, with that member.
    const teams = within(dialog).getByRole("list", { name: "Teams that will lose the role" });
    expect(within(teams).getByText("Team Marketo Admins (1 member)")).toBeTruthy();
    expect(within(teams).getByText(/Team Sync App/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove the role" }));
    await focusedNotice(line("role.exclusive"), /Role Marketo Sync User removed from John Smith, Maria Garcia, Team Sync App\./);
    await waitFor(() => expect(statusOf("role.exclusive")).toBe("pass"));
    // Later results replace the notice, not the record.
    fireEvent.click(fixButton("solution.steps")!);
    await focusedNotice(line("solution.steps"), /^Plugin step enabled: /);
    const record = within(line("role.exclusive")).getByRole("list", { name: "Who lost the role here" });
    expect(record.textContent).toMatch(/\d{1,2}:\d{2}:\d{2}.*: role Marketo Sync User removed from John Smith, Maria Garcia, Team Sync App/);
    expect(await rolesOf(USER.john)).not.toContain(ROLE.marketoSync);
    const team = await api<{ teamroles_association: Array<{ roleid: string }> }>(`teams(${TEAM.marketoAdmins})?$select=name&$expand=teamroles_association($select=roleid)`);
    expect(team.teamroles_association.map((r) => r.roleid)).not.toContain(ROLE.marketoSync);
  });

  it("a Microsoft Entra group team with no member listed yet: the line fails, the confirmation says why, and the team loses the role", async () => {
    // Only the group team stands between this organisation and a passing line.
    const org = server.org;
    const mine = [...org.links.get("systemuserroles_association")!].filter((p) => p.endsWith(`|${ROLE.marketoSync}`) && !p.startsWith(USER.marketoSync));
    for (const p of mine) org.links.get("systemuserroles_association")!.delete(p);
    org.links.get("systemuserroles_association")!.add(`${USER.marketoSync}|${ROLE.marketoSync}`);
    org.links.get("teamroles_association")!.delete(`${TEAM.marketoAdmins}|${ROLE.marketoSync}`);
    const groupTeam = "7ea00000-0000-0000-0000-00000000e1a1";
    org.insert(org.entity("team"), {
      teamid: groupTeam,
      name: "Marketing (Entra group)",
      teamtype: 2,
      isdefault: false,
      _businessunitid_value: org.get("systemuser", USER.marketoSync)!._businessunitid_value,
    });
    org.links.get("teamroles_association")!.add(`${groupTeam}|${ROLE.marketoSync}`);

    await mountSaved();
    expect(statusOf("role.exclusive")).toBe("fail");
    expect(line("role.exclusive").textContent).toContain("The Microsoft Entra group team Marketing (Entra group) holds the role");
    fireEvent.click(fixButton("role.exclusive")!);
    const dialog = await screen.findByRole("alertdialog");
    const teams = within(dialog).getByRole("list", { name: "Teams that will lose the role" });
    expect(within(teams).getByText(/^Team Marketing \(Entra group\), a Microsoft Entra group team: members who have not opened this environment yet are not listed/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove the role" }));
    await focusedNotice(line("role.exclusive"), /^Role Marketo Sync User removed from the teams Marketing \(Entra group\)\.$/);
    await waitFor(() => expect(statusOf("role.exclusive")).toBe("pass"));
    expect(org.links.get("teamroles_association")!.has(`${groupTeam}|${ROLE.marketoSync}`)).toBe(false);
  });

  it("in French, with the user's name", async () => {
    await mountSaved({ lang: "1036" });
    fireEvent.click(fixButton("user.role")!);
    await focusedNotice(line("user.role"), /^Rôle Marketo Sync User attribué à Marketo Sync\.$/);
  });
});

describe("Fix everything", () => {
  it("one confirmation lists every change and everybody who loses the role; then runs them in order, to a focused result", async () => {
    await mountSaved();
    server.resetCount();
    fireEvent.click(fixEverything());
    const dialog = await screen.findByRole("alertdialog");
    const changes = within(dialog).getByRole("list", { name: "Changes to make" });
    expect(Array.from(changes.children).map((li) => li.getAttribute("data-step"))).toEqual(["assignRole", "removeRoleFromOthers", "removeRoleFromDisabled", "enableSteps", "publish"]);
    expect(within(changes).getByText("Assign the role Marketo Sync User to Marketo Sync")).toBeTruthy();
    expect(within(changes).getByText("Remove the role Marketo Sync User from 3 other users, and from the teams that give it to them")).toBeTruthy();
    expect(within(changes).getByText("Remove the role Marketo Sync User from 1 disabled user")).toBeTruthy();
    expect(within(changes).getByText(/Former Employee/)).toBeTruthy();
    expect(within(changes).getByText(/John Smith/)).toBeTruthy();
    expect(within(changes).getByText(/Maria Garcia/)).toBeTruthy();
    expect(within(changes).getByText(/^Enable the plugin step /)).toBeTruthy();
    expect(requestsTo(/\$ref|sdkmessageprocessingsteps\(|Publish/)).toHaveLength(0);

    fireEvent.click(screen.getByTestId("fix-everything-confirm"));
    const area = fixEverything().closest("[data-notice-home]") as HTMLElement;
    await focusedNotice(area, /^Done: all 5 changes were made\.$/);
    const progress = within(area).getByRole("list", { name: "Fix everything, step by step" });
    expect(Array.from(progress.children).map((li) => li.getAttribute("data-state"))).toEqual(["done", "done", "done", "done", "done"]);
    // Each step keeps its words once done: the plugin step is named though none is disabled any more.
    expect(progress.children[3].textContent).toMatch(/^Enable the plugin step Marketo\.Crm\.Plugins\.\S+: .+/);
    expect(progress.textContent).not.toMatch(/Enable 0|: :/);

    for (const id of ["user.role", "role.exclusive", "solution.steps"]) await waitFor(() => expect(statusOf(id)).toBe("pass"));
    expect(line("role.disabledHolders")).toBeNull();
    expect(await rolesOf(USER.formerEmployee)).not.toContain(ROLE.marketoSync);
    expect(await rolesOf(USER.marketoSync)).toContain(ROLE.marketoSync);
    expect(await rolesOf(USER.maria)).not.toContain(ROLE.marketoSync);
    expect(await stepState()).toBe(0);
    expect(server.org.publishCount).toBe(1);
    // The order: the sync user has the role before anyone loses it; the publish comes last.
    const order = server.requests.map((r) => `${r.method} ${decodeURIComponent(r.url)}`);
    const first = (re: RegExp) => order.findIndex((r) => re.test(r));
    expect(first(/^POST .*systemuserroles_association\/\$ref/)).toBeGreaterThanOrEqual(0);
    expect(first(/^POST .*systemuserroles_association\/\$ref/)).toBeLessThan(first(/^DELETE .*\$ref/));
    expect(first(/^DELETE .*\$ref/)).toBeLessThan(first(/^PATCH .*sdkmessageprocessingsteps/));
    expect(first(/^PATCH .*sdkmessageprocessingsteps/)).toBeLessThan(first(/PublishAllXmlAsync/));
    expect(within(line("role.exclusive")).getByRole("list", { name: "Who lost the role here" }).textContent).toMatch(/John Smith, Maria Garcia/);
  });

  it("stops at the first failure, saying what was done and what was not, focused next to its button", async () => {
    await mountSaved();
    const denied = server.faults.add({ match: { method: "PATCH", path: "sdkmessageprocessingsteps" }, respond: "privilegeDenied" });
    fireEvent.click(fixEverything());
    fireEvent.click(await screen.findByTestId("fix-everything-confirm"));
    const area = fixEverything().closest("[data-notice-home]") as HTMLElement;
    const notice = await focusedNotice(area, /You don’t have the privileges this needs/);
    expect(notice.textContent).toMatch(
      /Stopped\. Done: Assign the role Marketo Sync User to Marketo Sync; Remove the role Marketo Sync User from 3 other users, and from the teams that give it to them; Remove the role Marketo Sync User from 1 disabled user\. Not done: Enable the plugin step .+; Publish all customizations\./,
    );
    const progress = within(area).getByRole("list", { name: "Fix everything, step by step" });
    expect(Array.from(progress.children).map((li) => li.getAttribute("data-state"))).toEqual(["done", "done", "done", "failed", "notRun"]);
    expect(server.faults.fired(denied)).toBe(1);
    expect(await rolesOf(USER.marketoSync)).toContain(ROLE.marketoSync);
    expect(await stepState()).not.toBe(0);
    expect(requestsTo(/PublishAllXmlAsync/)).toHaveLength(0);
    expect(server.org.publishCount).toBe(0);
  });

  it("cancelled, changes nothing and gives the focus back to its button", async () => {
    await mountSaved();
    fixEverything().focus();
    fireEvent.click(fixEverything());
    fireEvent.click(within(await screen.findByRole("alertdialog")).getByText("Cancel"));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(fixEverything()));
    expect(requestsTo(/\$ref|sdkmessageprocessingsteps\(|Publish/)).toHaveLength(0);
  });

  it("leaves out what the admin's roles do not allow, saying so; with nothing left, it is off with the reason", async () => {
    server.org.currentUserId = USER.limited;
    await mountSaved();
    await settled();
    fireEvent.click(fixEverything());
    const dialog = await screen.findByRole("alertdialog");
    const changes = within(dialog).getByRole("list", { name: "Changes to make" });
    expect(Array.from(changes.children).map((li) => li.getAttribute("data-step"))).toEqual(["enableSteps"]);
    expect(within(dialog).getByText(/^Assign the role Marketo Sync User to Marketo Sync: Your security roles do not allow this \(missing: prvAssignRole\)/)).toBeTruthy();
    expect(within(dialog).getByText(/^Publish all customizations: .*missing: prvPublishCustomization/)).toBeTruthy();
    fireEvent.click(within(dialog).getByText("Cancel"));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());

    await api(`sdkmessageprocessingsteps(${STEP.disabled})`, { method: "PATCH", body: JSON.stringify({ statecode: 0, statuscode: 1 }) });
    fireEvent.click(checkAgain());
    await waitFor(() => expect(statusOf("solution.steps")).toBe("pass"));
    await settled();
    expect(fixEverything().disabled).toBe(true);
    const reasons = within(fixEverything().closest("[data-notice-home]") as HTMLElement)
      .getAllByText(/: Your security roles do not allow this/)
      .map((r) => r.textContent!.split(":")[0]);
    expect(reasons).toEqual([
      "Assign the role Marketo Sync User to Marketo Sync",
      "Remove the role Marketo Sync User from 3 other users, and from the teams that give it to them",
      "Remove the role Marketo Sync User from 1 disabled user",
      "Publish all customizations",
    ]);
  });

  it("holds the publish back while the Marketo User is unsaved", async () => {
    mountControl({ serverUrl: server.url, config, user: marketoSync }); // picked on the form, not saved
    await loaded();
    await settled();
    fireEvent.click(fixEverything());
    const dialog = await screen.findByRole("alertdialog");
    const changes = within(dialog).getByRole("list", { name: "Changes to make" });
    expect(Array.from(changes.children).map((li) => li.getAttribute("data-step"))).toEqual(["assignRole", "removeRoleFromDisabled", "enableSteps"]);
    expect(within(dialog).getByText("Publish all customizations: Save the record first: Marketo reads the saved Marketo User.")).toBeTruthy();
  });

  it("is offered in French", async () => {
    await mountSaved({ lang: "1036" });
    expect(fixEverything().textContent).toBe("Tout corriger…");
    fireEvent.click(fixEverything());
    expect(within(await screen.findByRole("alertdialog")).getByText("Attribuer le rôle Marketo Sync User à Marketo Sync")).toBeTruthy();
  });
});
