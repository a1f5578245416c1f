/**
 * The real control (index.ts, components, core) in jsdom, with the PCF context mock, talking
 * to the devserver's demo organisation over HTTP: what a Dynamics admin sees and does.
 * Nothing here races a clock: the tests wait for what the page shows (waitFor, findBy), for
 * request counts, or for a request the devserver holds until the test releases it.
 */
import { act, configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { startDevServer, type DevServer } from "../../devserver/server";
import { adminApi } from "../helpers/adminApi";
import { APP, CONFIG, ORG, ROLE, SOLUTION, STEP, USER } from "../../devserver/fixtures/ids";
import { RetryWaits } from "../../MarketoConfigControl/services/retryWaits";
import { mountControl } from "../helpers/mountControl";
import { holdImport } from "../helpers/solutionLock";

jest.setTimeout(30_000);
// waitFor's default bound is 1 s: on a busy machine an action and the reload it starts take longer,
// and the test failed while the page was still "Checking again…". The bound only decides when to give up.
configure({ asyncUtilTimeout: 20_000 });

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ publishDurationMs: 50 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const config = { entity: CONFIG.demo.entity, attribute: CONFIG.demo.userAttribute, id: CONFIG.defaultRecord };
const marketoSync = { id: USER.marketoSync, name: "Marketo Sync", entityType: "systemuser" };

const line = (id: string) => document.querySelector(`[data-check="${id}"]`) as HTMLElement;
const statusOf = (id: string) => line(id)?.getAttribute("data-status");
const fixButton = (id: string) => line(id)?.querySelector("button[data-fix]") as HTMLButtonElement | null;
const publishButton = () => document.querySelector('button[data-action="publish"]') as HTMLButtonElement;
const loaded = () => waitFor(() => expect(statusOf("solution.installed")).toBe("pass"));
const requestsTo = (pattern: RegExp) => server.requests.filter((r) => pattern.test(decodeURIComponent(r.url)));

const api = adminApi(() => server.url);

async function rolesOf(userId: string): Promise<string[]> {
  const u = await api<{ systemuserroles_association: Array<{ roleid: string }> }>(`systemusers(${userId})?$select=fullname&$expand=systemuserroles_association($select=roleid)`);
  return u.systemuserroles_association.map((r) => r.roleid);
}

/** The form's own save: the record is written, then the platform calls updateView. */
async function saveForm(m: ReturnType<typeof mountControl>) {
  const value = m.boundValue();
  await api(`${CONFIG.demo.entitySet}(${CONFIG.defaultRecord})`, {
    method: "PATCH",
    headers: { "If-Match": "*" },
    body: JSON.stringify(value ? { [`${CONFIG.demo.navigation}@odata.bind`]: `/systemusers(${value.id})` } : {}),
  });
  act(() => m.afterSave());
}

/** The Marketo Sync user saved on the record, as the test's own write. */
async function saveMarketoSync() {
  await api(`${CONFIG.demo.entitySet}(${CONFIG.defaultRecord})`, {
    method: "PATCH",
    headers: { "If-Match": "*" },
    body: JSON.stringify({ [`${CONFIG.demo.navigation}@odata.bind`]: `/systemusers(${USER.marketoSync})` }),
  });
}

async function mountSaved(options: Partial<Parameters<typeof mountControl>[0]> = {}) {
  await saveMarketoSync();
  const m = mountControl({ serverUrl: server.url, config, user: marketoSync, ...options });
  await loaded();
  return m;
}

function search(text: string) {
  const box = screen.getByRole("combobox");
  fireEvent.focus(box);
  fireEvent.change(box, { target: { value: text } });
}

const resultNames = () =>
  within(screen.getByRole("listbox"))
    .getAllByRole("option")
    .map((o) => o.querySelector("span")!.textContent!.split(" · ")[0]);

describe("first look", () => {
  it("shows a skeleton, then the checklist of the demo org", async () => {
    mountControl({ serverUrl: server.url, config });
    expect(screen.getByLabelText("Checking the Marketo sync setup…")).toBeTruthy();
    await loaded();
    expect(statusOf("solution.steps")).toBe("fail");
    expect(statusOf("user.selected")).toBe("fail");
    expect(statusOf("user.role")).toBe("unknown");
    expect(within(line("solution.installed")).getByText(/Marketo Lead Management 5\.0\.2\.1 is installed/)).toBeTruthy();
    expect(screen.getByText("No Marketo User chosen yet.")).toBeTruthy();
    expect(document.getElementById("mss-announcer")!.textContent).toMatch(/checks need attention/);
  });

  it("loads the checklist in one $batch when the form holds the Marketo User", async () => {
    await saveMarketoSync();
    server.resetCount(); // only the control's requests from here on
    mountControl({ serverUrl: server.url, config, user: marketoSync });
    await loaded();
    expect(server.requestCount()).toBe(1);
    expect(requestsTo(/\$batch/)).toHaveLength(1);
  });

  it("a wrong entity set name from the host costs one more $batch, never a wrong answer", async () => {
    await saveMarketoSync();
    server.resetCount();
    mountControl({ serverUrl: server.url, config, user: marketoSync, entitySet: "mkto_wrongs" });
    await loaded();
    expect(requestsTo(/\$batch/)).toHaveLength(2);
    expect(server.requestCount()).toBe(2);
    expect(line("user.selected").getAttribute("data-status")).toBe("pass");
  });
});

describe("a new record", () => {
  it("asks to save first, sends no request for the checklist, and still lets the admin pick", async () => {
    server.resetCount();
    const m = mountControl({ serverUrl: server.url, config, newRecord: true });
    expect(await screen.findByText(/Save this record first/)).toBeTruthy();
    expect(document.querySelectorAll("[data-check]")).toHaveLength(0);
    search("Marketo Sync");
    await waitFor(() => screen.getByRole("option"));
    fireEvent.click(screen.getByRole("option"));
    await waitFor(() => expect(m.boundValue()?.id).toBe(USER.marketoSync));
    expect(requestsTo(/\$batch/)).toHaveLength(0);
  });
});

describe("search and pick", () => {
  it("sends one request per pause in typing, for at most 25 rows", async () => {
    mountControl({ serverUrl: server.url, config });
    await loaded();
    const box = screen.getByRole("combobox");
    fireEvent.focus(box);
    for (const text of ["M", "Ma", "Mar", "Mark", "Marketo"]) fireEvent.change(box, { target: { value: text } });
    await waitFor(() => expect(resultNames()).toEqual(["Marketo Sync"]));
    const searches = requestsTo(/systemusers\?/);
    expect(searches).toHaveLength(1);
    expect(decodeURIComponent(searches[0].url)).toContain("$top=25");
    expect(decodeURIComponent(searches[0].url)).toContain("applicationid ne null");
  });

  it.each([
    ["O'Brien", true, ["Siobhan O'Brien"]],
    ["100%", false, ["100% Data Bot"]],
    ["a_b", false, ["a_b Integration"]],
    ["R&D", false, ["R&D Sync"]],
  ])("finds exactly the users named with %s", async (text, includeAll, expected) => {
    mountControl({ serverUrl: server.url, config });
    await loaded();
    if (includeAll) fireEvent.click(screen.getByRole("switch"));
    search(text as string);
    await waitFor(() => expect(resultNames()).toEqual(expected));
  });

  it("shows email, Client ID, business unit and whether the user has the role", async () => {
    mountControl({ serverUrl: server.url, config });
    await loaded();
    search("Marketo Sync");
    await waitFor(() => screen.getByRole("option"));
    const text = screen.getByRole("option").textContent!;
    expect(text).toContain(APP.marketoSync);
    expect(text).toMatch(/@/);
    expect(text).toContain("Contoso");
  });

  it("picks with the keyboard, returns the user through getOutputs, and warns until saved", async () => {
    const m = mountControl({ serverUrl: server.url, config });
    await loaded();
    search("Marketo Sync");
    await waitFor(() => screen.getByRole("option"));
    fireEvent.keyDown(screen.getByRole("combobox"), { key: "ArrowDown" });
    fireEvent.keyDown(screen.getByRole("combobox"), { key: "Enter" });
    await waitFor(() => expect(m.outputs()?.marketoUser?.[0]).toMatchObject({ id: USER.marketoSync, entityType: "systemuser" }));
    expect(m.boundValue()?.id).toBe(USER.marketoSync);
    await waitFor(() => expect(statusOf("user.selected")).toBe("warn"));
    expect(screen.getByText(/You changed the Marketo User/)).toBeTruthy();
    const publish = publishButton() as HTMLButtonElement;
    expect(publish.disabled).toBe(true);
    expect(screen.getAllByText(/Save the record first/).length).toBeGreaterThan(0);

    await saveForm(m);
    await waitFor(() => expect(statusOf("user.selected")).toBe("pass"));
    expect(screen.queryByText(/You changed the Marketo User/)).toBeNull();
    expect((publishButton() as HTMLButtonElement).disabled).toBe(false);
  });

  it("while a pick is unsaved, an updateView naming something else (layout) loads nothing again", async () => {
    const m = await mountSaved();
    search("Europe Integration");
    await waitFor(() => screen.getByRole("option"));
    fireEvent.keyDown(screen.getByRole("combobox"), { key: "ArrowDown" });
    fireEvent.keyDown(screen.getByRole("combobox"), { key: "Enter" });
    await waitFor(() => expect(statusOf("user.selected")).toBe("warn"));
    await waitFor(() => expect(screen.queryByText(/Checking/)).toBeNull());
    const before = requestsTo(/\$batch/).length;
    for (let i = 0; i < 3; i++) {
      m.gen.context.updatedProperties = ["layout"];
      act(() => m.view.rerender(m.gen.ExecuteUpdateView()));
    }
    // The same updateView naming nothing (as after a save) does read again: one load.
    m.gen.context.updatedProperties = [];
    act(() => m.view.rerender(m.gen.ExecuteUpdateView()));
    await waitFor(() => expect(requestsTo(/\$batch/).length).toBe(before + 1));
  });

  it("moves through several results with the arrow keys", async () => {
    const m = mountControl({ serverUrl: server.url, config });
    await loaded();
    search("Integration");
    await waitFor(() => expect(resultNames()).toEqual(["a_b Integration", "abc Integration", "Europe Integration"]));
    const box = screen.getByRole("combobox");
    // Nothing is chosen until an arrow key chooses: the first ArrowDown chooses the first row.
    for (const key of ["ArrowDown", "ArrowDown", "ArrowDown", "ArrowUp"]) fireEvent.keyDown(box, { key });
    expect(box.getAttribute("aria-activedescendant")).toBe("mss-user-results-1");
    fireEvent.keyDown(box, { key: "Enter" });
    await waitFor(() => expect(m.boundValue()?.id).toBe(USER.abcApp));
  });

  it("clears the value", async () => {
    const m = await mountSaved();
    fireEvent.click(screen.getByRole("button", { name: /Clear the Marketo User/ }));
    await waitFor(() => expect(m.outputs()).toEqual({ marketoUser: undefined }));
    expect(Object.keys(m.outputs()!)).toEqual(["marketoUser"]);
    await waitFor(() => expect(m.boundValue()).toBeNull());
    await waitFor(() => expect(statusOf("user.selected")).toBe("warn"));
  });

  it("gives no output when the admin changed nothing: a platform that asks then must not clear the Marketo User", async () => {
    const m = await mountSaved();
    // Dynamics may call getOutputs at any time (a save, another field's change): nothing picked, nothing returned.
    expect(m.gen.control.getOutputs!()).toStrictEqual({});
    search("Europe Integration");
    await waitFor(() => screen.getByRole("option"));
    fireEvent.keyDown(screen.getByRole("combobox"), { key: "ArrowDown" });
    fireEvent.keyDown(screen.getByRole("combobox"), { key: "Enter" });
    await waitFor(() => expect(m.outputs()?.marketoUser?.[0]?.id).toBe(USER.europeApp));
    // Once the form holds the pick, the control has nothing more to say.
    await waitFor(() => expect(m.gen.control.getOutputs!()).toStrictEqual({}));
    expect(m.boundValue()?.id).toBe(USER.europeApp);
  });

  it("falls back to the platform's lookup dialog", async () => {
    const m = mountControl({ serverUrl: server.url, config });
    // A form whose column has no lookup view of its own (as on the stand-in's page).
    (m.gen.context.parameters.marketoUser as unknown as { _boundViewId: string })._boundViewId = "";
    await loaded();
    m.gen.context.utils.lookupObjects.callsFake(async () => [marketoSync]);
    fireEvent.click(screen.getByRole("button", { name: /Browse all users/ }));
    await waitFor(() => expect(m.outputs()?.marketoUser?.[0]?.id).toBe(USER.marketoSync));
    expect(m.gen.context.utils.lookupObjects.calledOnce).toBe(true);
    // No lookup view set on the form: the platform's default.
    expect(m.gen.context.utils.lookupObjects.firstCall.args[0]).toStrictEqual({ allowMultiSelect: false, defaultEntityType: "systemuser", entityTypes: ["systemuser"] });
  });

  it("opens the lookup dialog on the view the form sets for the column, the other views still offered", async () => {
    const view = "00000000-0000-0000-00aa-000010001019";
    const m = mountControl({ serverUrl: server.url, config });
    (m.gen.context.parameters.marketoUser as unknown as { _boundViewId: string })._boundViewId = view;
    await loaded();
    m.gen.context.utils.lookupObjects.callsFake(async () => [marketoSync]);
    fireEvent.click(screen.getByRole("button", { name: /Browse all users/ }));
    await waitFor(() => expect(m.gen.context.utils.lookupObjects.calledOnce).toBe(true));
    expect(m.gen.context.utils.lookupObjects.firstCall.args[0]).toStrictEqual({ allowMultiSelect: false, defaultEntityType: "systemuser", entityTypes: ["systemuser"], defaultViewId: view });
  });
});

describe("fixes", () => {
  it("assigns the role of the user's business unit", async () => {
    await mountSaved();
    expect(statusOf("user.role")).toBe("fail");
    fireEvent.click(fixButton("user.role")!);
    await waitFor(() => expect(statusOf("user.role")).toBe("pass"));
    expect(await rolesOf(USER.marketoSync)).toContain(ROLE.marketoSync);
  });

  it("removes the role from the others only after a confirmation that names them", async () => {
    await mountSaved();
    expect(statusOf("role.exclusive")).toBe("fail");
    fireEvent.click(fixButton("role.exclusive")!);
    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByText(/John Smith/)).toBeTruthy();
    expect(within(dialog).getByText(/Maria Garcia/)).toBeTruthy();

    fireEvent.click(within(dialog).getByText("Cancel"));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(requestsTo(/\$ref/)).toHaveLength(0);
    expect(await rolesOf(USER.john)).toContain(ROLE.marketoSync);

    fireEvent.click(fixButton("role.exclusive")!);
    fireEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Remove the role" }));
    await waitFor(() => expect(statusOf("role.exclusive")).toBe("pass"));
    expect(await rolesOf(USER.john)).not.toContain(ROLE.marketoSync);
    expect(await rolesOf(USER.maria)).not.toContain(ROLE.marketoSync);
  });

  it("enables the disabled plugin steps", async () => {
    await mountSaved();
    fireEvent.click(fixButton("solution.steps")!);
    await waitFor(() => expect(statusOf("solution.steps")).toBe("pass"));
    const step = await api<{ statecode: number }>(`sdkmessageprocessingsteps(${STEP.disabled})?$select=statecode`);
    expect(step.statecode).toBe(0);
  });

  it("explains a privilege error in plain words, with details on demand, and changes nothing", async () => {
    const m = await mountSaved();
    const denied = server.faults.add({ match: { method: "POST", path: "systemuserroles_association/$ref" }, respond: "privilegeDenied" });
    fireEvent.click(fixButton("user.role")!);
    const message = await screen.findByText(/^You don’t have the privileges this needs\. Ask a System Administrator\. Assigning a security role needs the Assign privilege/);
    const bar = message.closest(".ms-MessageBar") as HTMLElement;
    expect(within(bar).queryByText(/0x80040220/)).toBeNull();
    fireEvent.click(within(bar).getByText("Show details"));
    expect(within(bar).getByText(/0x80040220/)).toBeTruthy();
    expect(m.boundValue()?.id).toBe(USER.marketoSync);
    expect(await rolesOf(USER.marketoSync)).not.toContain(ROLE.marketoSync);
    await waitFor(() => expect(statusOf("user.role")).toBe("fail"));
    expect(server.faults.fired(denied)).toBe(1);
  });
});

describe("an admin whose roles lack privileges", () => {
  it("sees which fixes need what before clicking, and cannot start them", async () => {
    server.org.currentUserId = USER.limited; // the session the control runs in
    await mountSaved();
    await waitFor(() => expect(within(line("user.role")).getByText(/missing: prvAssignRole/)).toBeTruthy());
    expect(fixButton("user.role")!.disabled).toBe(true);
    expect(within(line("user.role")).getByText(/Assigning a security role needs the Assign privilege/)).toBeTruthy();
    expect(fixButton("solution.steps")!.disabled).toBe(false);
    expect(publishButton().disabled).toBe(true);
    expect(screen.getByText(/missing: prvPublishCustomization/)).toBeTruthy();
  });
});

describe("publish", () => {
  it("publishes with progress and reports the time", async () => {
    await mountSaved();
    // The request is held until the page has been seen publishing: no race with a fast publish.
    const held = server.faults.hold({ match: { method: "POST", path: "PublishAllXmlAsync" } });
    fireEvent.click(publishButton());
    await held.arrived();
    expect(await screen.findByText("Publishing all customizations…")).toBeTruthy();
    // Disabled but still focusable while it publishes: the focus stays on it instead of falling to the page.
    expect(publishButton().getAttribute("aria-disabled")).toBe("true");
    held.release();
    await screen.findByText(/Customizations published at/);
    await waitFor(() => expect(statusOf("publish")).toBe("pass"));
    expect(requestsTo(/PublishAllXmlAsync/)).toHaveLength(1);
  });

  it("leaving the form (destroy) stops the control's running operations (RetryWaits.stopAll, whose aborts its unit test proves)", async () => {
    const m = await mountSaved();
    const held = server.faults.hold({ match: { method: "POST", path: "PublishAllXmlAsync" } });
    fireEvent.click(publishButton());
    await held.arrived();
    const stopAll = jest.spyOn(RetryWaits.prototype, "stopAll");
    m.gen.control.destroy();
    expect(stopAll).toHaveBeenCalledTimes(1);
    stopAll.mockRestore();
    held.release();
  });

  it("waits while another publish runs", async () => {
    await mountSaved();
    const busy = server.faults.add({
      match: { method: "POST", path: "PublishAllXmlAsync" },
      respond: { status: 400, body: { error: { code: "0x8004F063", message: "Cannot start another [PublishAll] because there is a previous [PublishAll] running at this moment." } } },
    });
    fireEvent.click(publishButton());
    expect(await screen.findByText(/Another import or publish is running in Dynamics; waiting for it to finish…/)).toBeTruthy();
    await screen.findByText(/Customizations published at/);
    expect(screen.queryByText(/Publishing failed/)).toBeNull();
    expect(server.faults.fired(busy)).toBe(1);
    expect(requestsTo(/PublishAllXmlAsync/)).toHaveLength(2);
  });

  it("says so, in French too, while an import running in Dynamics holds the publish", async () => {
    await holdImport(server);
    await mountSaved({ lang: "1036" });
    fireEvent.click(publishButton());
    expect(await screen.findByText("Une autre importation ou publication est en cours dans Dynamics ; en attente de sa fin…")).toBeTruthy();
    expect(screen.getByText(/n’exécute qu’une importation ou publication de solution à la fois/)).toBeTruthy();
    expect(publishButton().getAttribute("aria-disabled")).toBe("true");
    expect(document.querySelector(".ms-MessageBar--error")).toBeNull(); // a wait, not an error
    expect(requestsTo(/PublishAllXmlAsync/)).toHaveLength(1);
    expect(server.org.publishCount).toBe(0);
  });

  it("reports a failed publish clearly", async () => {
    await mountSaved();
    const failing = server.faults.add({ match: { method: "POST", path: "PublishAllXmlAsync" }, respond: "publishFail" });
    fireEvent.click(publishButton());
    await screen.findByText(/Publishing failed: what was changed is saved, but not published yet\. Try again\./);
    expect(server.faults.fired(failing)).toBe(1);
    expect(statusOf("publish")).not.toBe("pass");
  });
});

describe("connection details for Marketo", () => {
  it("shows and copies what step 3 asks for, never a secret", async () => {
    const writes: string[] = [];
    Object.assign(navigator, { clipboard: { writeText: async (t: string) => void writes.push(t) } });
    await mountSaved();
    const value = (key: string) => document.querySelector(`[data-connection="${key}"]`)!.textContent;
    expect(value("Connection_TenantId")).toBe(ORG.tenantId);
    expect(value("Connection_ClientId")).toBe(APP.marketoSync);
    expect(value("Connection_Username")).toMatch(/@/);
    expect(value("Connection_OrgServiceUrl")).toMatch(/Organization\.svc$/);
    expect(screen.getByText(/cannot be changed in Marketo/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Copy Tenant ID" }));
    await waitFor(() => expect(writes).toEqual([ORG.tenantId]));
    await waitFor(() => expect(document.getElementById("mss-announcer")!.textContent).toBe("Tenant ID copied."));
    expect(document.body.textContent).not.toMatch(/devserver-secret/);
  });
});

describe("read-only forms", () => {
  // The field cannot change, but the fixes that leave it alone (role, steps, publish) stay (issue 13;
  // tests/component/truth.test.tsx says why the field is locked).
  it.each([
    ["a disabled control", { readOnly: true }],
    ["a field-secured field", { fieldEditable: false }],
  ])("%s: shows the checklist without search, keeps the fixes that leave the field alone", async (_name, options) => {
    await mountSaved(options);
    expect(screen.queryByRole("combobox")).toBeNull();
    expect(fixButton("user.role")?.getAttribute("data-fix")).toBe("assignRole");
    expect(document.querySelector('button[data-fix="pickUser"]')).toBeNull();
    expect(document.querySelector('button[data-action="publish"]')).not.toBeNull();
    expect(statusOf("user.role")).toBe("fail");
  });

  it("is recomputed on every updateView", async () => {
    const m = await mountSaved();
    expect(screen.getByRole("combobox")).toBeTruthy();
    m.gen.context.mode.isControlDisabled = true;
    act(() => m.view.rerender(m.gen.ExecuteUpdateView()));
    expect(screen.queryByRole("combobox")).toBeNull();
    expect(screen.getByText(/form is read-only for you/)).toBeTruthy();
  });
});

describe("French", () => {
  it("speaks French from the 1036 resx", async () => {
    await mountSaved({ lang: "1036" });
    expect(screen.getByText("Liste de contrôle de la configuration")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Publier toutes les personnalisations" })).toBeTruthy();
    expect(screen.getByText("ID de locataire")).toBeTruthy();
    expect(within(line("user.role")).getByText(/n’a pas le rôle Marketo Sync User/)).toBeTruthy();
    expect(within(line("user.role")).getByText("Échec")).toBeTruthy();
  });
});

describe("solution missing", () => {
  it("says so, points to step 1, and leaves the dependent checks unknown", async () => {
    await api(`solutions(${SOLUTION.marketo})`, { method: "DELETE" });
    mountControl({ serverUrl: server.url, config, user: marketoSync });
    await waitFor(() => expect(statusOf("solution.installed")).toBe("fail"));
    expect(within(line("solution.installed")).getByText(/The Marketo solution “Marketo Lead Management” is not installed/)).toBeTruthy();
    fireEvent.click(within(line("solution.installed")).getByText("Show details"));
    expect(within(line("solution.installed")).getByText(/step 1 of 3/)).toBeTruthy();
    expect(statusOf("solution.steps")).toBe("unknown");
    expect(statusOf("role.exclusive")).toBe("unknown");
  });
});
