/**
 * "Create the application user" (issue 14) in the real control against the devserver: from a
 * Client ID that matches nobody to a user on the server, in the root business unit, with the role,
 * picked as the Marketo User on the form.
 */
import { act, configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { startDevServer, type DevServer } from "../../devserver/server";
import { APP, BU, CONFIG, ROLE, USER } from "../../devserver/fixtures/ids";
import { mountControl } from "../helpers/mountControl";

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 20_000 });

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ publishDurationMs: 50 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const config = { entity: CONFIG.demo.entity, attribute: CONFIG.demo.userAttribute, id: CONFIG.defaultRecord };
const loaded = () => waitFor(() => expect(document.querySelector('[data-check="solution.installed"]')?.getAttribute("data-status")).toBe("pass"));
const appUsers = (clientId: string) => [...server.org.table(server.org.entity("systemuser")).values()].filter((u) => String(u.applicationid ?? "").toLowerCase() === clientId);
const posts = () => server.requests.filter((r) => r.method === "POST" && /systemusers$/.test(r.url.split("?")[0]));

async function mount(lang: "1033" | "1036" = "1033") {
  const m = mountControl({ serverUrl: server.url, config, lang });
  await loaded();
  return m;
}

/** Types a Client ID in the user search and waits for "no match" with its Create button. */
async function searchClientId(clientId: string) {
  const box = screen.getAllByRole("combobox")[0] as HTMLInputElement;
  act(() => box.focus());
  fireEvent.change(box, { target: { value: clientId } });
  await waitFor(() => expect(screen.getByText(new RegExp(`No enabled application user has the Client ID ${clientId}`))).toBeTruthy());
  const panel = screen.getByText(/No enabled application user has the Client ID/).parentElement!;
  return within(panel).getByRole("button", { name: "Create the application user" });
}

async function openAndCreate(clientId: string) {
  fireEvent.click(await searchClientId(clientId));
  const group = await screen.findByRole("group", { name: "Create the application user" });
  // Pre-filled with the Client ID searched for; the root business unit chosen by default.
  expect((within(group).getByLabelText(/Client ID/) as HTMLInputElement).value).toBe(clientId);
  await waitFor(() => expect((within(group).getByRole("combobox") as HTMLInputElement).value).toBe("Contoso (root business unit)"));
  fireEvent.click(within(group).getByRole("button", { name: "Create and pick as Marketo User" }));
  return group;
}

describe("Create the application user", () => {
  it("creates it in the root business unit with the role and picks it as the Marketo User", async () => {
    const m = await mount();
    await openAndCreate(APP.marketoSyncNew);
    const done = await screen.findByText(/Marketo Sync \(new\) was created in Contoso with the role Marketo Sync User/);
    // The result takes the focus, beside the button.
    await waitFor(() => expect(done.closest("[data-notice]")).toBe(document.activeElement));
    const rows = appUsers(APP.marketoSyncNew);
    expect(rows).toHaveLength(1);
    expect(rows[0]._businessunitid_value).toBe(BU.contoso);
    expect(server.org.rolesOf(String(rows[0].systemuserid)).direct.map((r) => r.roleid)).toEqual([ROLE.marketoSync]);
    // Picked on the form; the admin saves as usual.
    await waitFor(() => expect(m.boundValue()).toMatchObject({ id: rows[0].systemuserid, name: "Marketo Sync (new)" }));
  });

  it("a Client ID without service principal: plain words, nothing created", async () => {
    const m = await mount();
    await openAndCreate(APP.noServicePrincipal);
    await screen.findByText(new RegExp(`Microsoft Entra ID has no app with the Client ID ${APP.noServicePrincipal} in your tenant, so no user was created`));
    expect(appUsers(APP.noServicePrincipal)).toHaveLength(0);
    expect(m.boundValue()).toBeNull();
  });

  it("an existing disabled application user is offered to enable, never created twice", async () => {
    const m = await mount();
    await openAndCreate(APP.disabledApp);
    await screen.findByText(/already exists for this Client ID, but it is disabled: Old Marketo Connector/);
    expect(posts()).toHaveLength(0);
    fireEvent.click(screen.getByRole("button", { name: "Enable Old Marketo Connector and pick it" }));
    await screen.findByText("Old Marketo Connector is now the Marketo User on this form. Save the record to keep it.");
    expect(server.org.get("systemuser", USER.disabledApp)?.isdisabled).toBe(false);
    expect(appUsers(APP.disabledApp)).toHaveLength(1);
    expect(m.boundValue()).toMatchObject({ id: USER.disabledApp });
  });

  it("creates it in a business unit found by typing, beyond the first page, with that unit's copy of the role", async () => {
    const bu = server.org.entity("businessunit");
    for (let i = 0; i < 60; i++) server.org.insert(bu, { name: `Area ${String(i).padStart(2, "0")}`, _parentbusinessunitid_value: BU.contoso });
    await mount();
    fireEvent.click(await searchClientId(APP.marketoSyncNew));
    const group = await screen.findByRole("group", { name: "Create the application user" });
    const unit = within(group).getByRole("combobox") as HTMLInputElement;
    await waitFor(() => expect(unit.value).toBe("Contoso (root business unit)"));
    const unitSearches = () => server.requests.filter((r) => decodeURIComponent(r.url).includes("contains(name,'Contoso Europe')"));
    act(() => unit.focus());
    fireEvent.input(unit, { target: { value: "Contoso Europe" } });
    await waitFor(() => expect(unitSearches().length).toBeGreaterThan(0));
    // The unit found on the server is now one of the options.
    fireEvent.click(group.querySelector(".ms-ComboBox-CaretDown-button")!);
    fireEvent.click(await screen.findByRole("option", { name: "Contoso Europe" }));
    await waitFor(() => expect(unit.value).toBe("Contoso Europe"));
    fireEvent.click(within(group).getByRole("button", { name: "Create and pick as Marketo User" }));
    await screen.findByText(/Marketo Sync \(new\) was created in Contoso Europe with the role Marketo Sync User/);
    const rows = appUsers(APP.marketoSyncNew);
    expect(rows.map((r) => r._businessunitid_value)).toEqual([BU.europe]);
    expect(server.org.rolesOf(String(rows[0].systemuserid)).direct.map((r) => r.roleid)).toEqual([ROLE.marketoSyncEurope]);
  });

  it("is offered on the Marketo User line when none is set, and disabled with what is missing without prvCreateUser", async () => {
    server.org.denied[USER.admin] = ["prvCreateUser"];
    await mount("1036");
    const line = document.querySelector('[data-check="user.selected"]') as HTMLElement;
    const button = within(line).getByRole("button", { name: "Créer l’utilisateur d’application" });
    await waitFor(() => expect(button.hasAttribute("disabled") || button.getAttribute("aria-disabled") === "true").toBe(true));
    expect(within(line).getByText(/prvCreateUser/)).toBeTruthy();
  });
});
