/**
 * Issue 13, "The checklist says the truth, briefly" and "Words": the real control against the
 * devserver's organisations, in English and French. Nothing waits on a clock: the tests wait for
 * what the page shows.
 */
import { configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { startDevServer, type DevServer } from "../../devserver/server";
import { CONFIG, USER } from "../../devserver/fixtures/ids";
import { mountControl } from "../helpers/mountControl";

jest.setTimeout(30_000);
// The bound only decides when to give up on a busy machine (see control.test.tsx).
configure({ asyncUtilTimeout: 20_000 });

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ publishDurationMs: 0 });
});
afterAll(() => server.close());
// `reset({})`: back to the demo organisation, whichever one a test switched to.
beforeEach(() => server.reset({}));

const config = { entity: CONFIG.demo.entity, attribute: CONFIG.demo.userAttribute, id: CONFIG.defaultRecord };
const marketoSync = { id: USER.marketoSync, name: "Marketo Sync", entityType: "systemuser" };

const line = (id: string) => document.querySelector(`[data-check="${id}"]`) as HTMLElement;
const statusOf = (id: string) => line(id)?.getAttribute("data-status");
const fixOf = (id: string) => line(id)?.querySelector("button[data-fix]") as HTMLButtonElement | null;
const loaded = () => waitFor(() => expect(statusOf("solution.installed")).toBe("pass"));

async function saveMarketoSync() {
  const r = await fetch(`${server.url}/api/data/v9.2/${CONFIG.demo.entitySet}(${CONFIG.defaultRecord})`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json", "If-Match": "*", "x-devserver-user": USER.admin },
    body: JSON.stringify({ [`${CONFIG.demo.navigation}@odata.bind`]: `/systemusers(${USER.marketoSync})` }),
  });
  expect(r.status).toBe(204);
}

async function mountSaved(options: Partial<Parameters<typeof mountControl>[0]> = {}) {
  await saveMarketoSync();
  const m = mountControl({ serverUrl: server.url, config, user: marketoSync, ...options });
  await loaded();
  return m;
}

describe("Customizations published", () => {
  it("on all-correct, 'not known' does not count: the panel says all is well", async () => {
    server.reset({ allCorrect: true });
    mountControl({ serverUrl: server.url, config, user: marketoSync });
    await waitFor(() => expect(statusOf("user.role")).toBe("pass"));
    expect(statusOf("publish")).toBe("unknown");
    // Shown under the checklist's heading, not only announced.
    expect(screen.getAllByText("Everything Marketo needs is in place.").filter((e) => e.id !== "mss-announcer")).toHaveLength(1);
    expect(screen.queryByText(/need(s)? attention/)).toBeNull();
  });

  it("is needed after a change made here, done after a publish", async () => {
    await mountSaved();
    expect(statusOf("publish")).toBe("unknown");
    fireEvent.click(fixOf("user.role")!);
    await waitFor(() => expect(statusOf("user.role")).toBe("pass"));
    await waitFor(() => expect(statusOf("publish")).toBe("fail"));
    expect(within(line("publish")).getByText(/^Needed: the setup was changed here/)).toBeTruthy();
    fireEvent.click(document.querySelector('button[data-action="publish"]')!);
    await waitFor(() => expect(statusOf("publish")).toBe("pass"));
    expect(within(line("publish")).getByText(/^Done: customizations were published/)).toBeTruthy();
  });
});

describe("Read access to this record", () => {
  it("explains that assigning the role fixes it, and offers that fix", async () => {
    await mountSaved();
    expect(statusOf("user.configRead")).toBe("fail");
    expect(within(line("user.configRead")).getByText(/Assigning the role fixes this/)).toBeTruthy();
    expect(fixOf("user.configRead")?.getAttribute("data-fix")).toBe("assignRole");
    fireEvent.click(fixOf("user.configRead")!);
    await waitFor(() => expect(statusOf("user.configRead")).toBe("pass"));
    expect(statusOf("user.role")).toBe("pass");
  });
});

describe("the role rule of the installed version", () => {
  it("before 4.0.0.14 the line reads as its own rule: it names who lacks the role and gives it to them after a confirmation naming them", async () => {
    server.reset({ solutionVersion: "4.0.0.13" });
    await mountSaved();
    await waitFor(() => expect(statusOf("role.exclusive")).toBe("fail"));
    expect(within(line("role.exclusive")).getByText("Role for every user")).toBeTruthy();
    expect(within(line("role.exclusive")).getByText(/enabled users lack the role Marketo Sync User, which Marketo solution 4\.0\.0\.13 requires for every user: .*Alex Admin/)).toBeTruthy();
    expect(screen.queryByText("Nobody else has the role")).toBeNull();
    // Before 4.0.0.14 a disabled user keeping the role is no problem: no line for it.
    expect(line("role.disabledHolders")).toBeNull();
    fireEvent.click(fixOf("role.exclusive")!);
    const dialog = await screen.findByRole("alertdialog");
    const named = within(within(dialog).getByRole("list", { name: "Users who will get the role" })).getAllByRole("listitem");
    expect(named.length).toBeGreaterThan(1);
    fireEvent.click(within(dialog).getByRole("button", { name: "Assign the role" }));
    await waitFor(() => expect(statusOf("role.exclusive")).toBe("pass"));
    // Checked on the server: nobody the rule covers lacks the role any more.
    const people = [...server.org.tables.get("systemuser")!.values()].filter((u) => u.isdisabled !== true && u.accessmode === 0 && !u.applicationid);
    expect(people.length).toBe(named.length + people.filter((u) => named.every((li) => !li.textContent!.startsWith(String(u.fullname)))).length);
    expect(people.filter((u) => !server.org.rolesOf(String(u.systemuserid)).direct.some((r) => r.name === "Marketo Sync User")).map((u) => u.fullname)).toEqual([]);
  });

  it("from 4.0.0.14 on, nobody else may have it", async () => {
    await mountSaved();
    expect(within(line("role.exclusive")).getByText("Nobody else has the role")).toBeTruthy();
  });
});

describe("a field the admin cannot change", () => {
  it("field security: says why and who can change it; the fixes that leave the field alone stay", async () => {
    await mountSaved({ fieldEditable: false });
    expect(screen.getByText(/You don’t have permission to change this field: a field security profile/)).toBeTruthy();
    expect(screen.getByText(/Ask a system administrator/)).toBeTruthy();
    expect(screen.queryByText(/form is read-only/)).toBeNull();
    expect(screen.queryByRole("combobox")).toBeNull();
    expect(fixOf("user.role")?.disabled).toBe(false);
    expect(fixOf("solution.steps")?.getAttribute("data-fix")).toBe("enableSteps");
    expect((document.querySelector('button[data-action="publish"]') as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(fixOf("user.role")!);
    await waitFor(() => expect(statusOf("user.role")).toBe("pass"));
  });

  it("a read-only form: says so, who can change it, and keeps the other fixes", async () => {
    await mountSaved({ readOnly: true });
    expect(screen.getByText(/This form is read-only for you.*A system administrator or the record’s owner can change it/)).toBeTruthy();
    expect(screen.queryByText(/field security profile/)).toBeNull();
    expect(fixOf("user.role")?.getAttribute("data-fix")).toBe("assignRole");
    expect(document.querySelector('button[data-fix="pickUser"]')).toBeNull();
  });

  it("nothing saved on a read-only form: no 'Pick a user' button that could not work", async () => {
    mountControl({ serverUrl: server.url, config, readOnly: true });
    await loaded();
    expect(statusOf("user.selected")).toBe("fail");
    expect(fixOf("user.selected")).toBeNull();
  });
});

describe("words", () => {
  it("English: a real singular", async () => {
    await mountSaved();
    expect(within(line("solution.steps")).getByText("1 of 6 plugin steps is disabled.")).toBeTruthy();
  });

  it("French: a real singular, the Marketo User by one name, the tables by their French names", async () => {
    await mountSaved({ lang: "1036" });
    expect(within(line("solution.steps")).getByText("1 étape de plug-in sur 6 est désactivée.")).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Utilisateur Marketo" })).toBeTruthy();
    expect(within(line("filter.field")).getByText(/Prospect/)).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/\((?:e)?s\)/);
  });
});
