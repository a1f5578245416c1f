/**
 * The Marketo User search box: nothing changes by accident. The real control in jsdom against the
 * devserver's demo organisation; tests wait for what the page shows, never for a clock.
 */
import { act, configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { startDevServer, type DevServer } from "../../devserver/server";
import { APP, CONFIG, USER } from "../../devserver/fixtures/ids";
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
const marketoSync = { id: USER.marketoSync, name: "Marketo Sync", entityType: "systemuser" };
const loaded = () => waitFor(() => expect(document.querySelector('[data-check="solution.installed"]')?.getAttribute("data-status")).toBe("pass"));
const searches = () => server.requests.filter((r) => /systemusers\?/.test(decodeURIComponent(r.url)));

async function mount(options: Partial<Parameters<typeof mountControl>[0]> = {}) {
  if (options.user) await saveOnServer(options.user.id);
  const m = mountControl({ serverUrl: server.url, config, ...options });
  await loaded();
  return m;
}

/** The record as saved: the form's value is then the saved one, not a change. */
async function saveOnServer(userId: string) {
  const r = await fetch(`${server.url}/api/data/v9.2/${CONFIG.demo.entitySet}(${CONFIG.defaultRecord})`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json", "If-Match": "*", "x-devserver-user": USER.admin },
    body: JSON.stringify({ [`${CONFIG.demo.navigation}@odata.bind`]: `/systemusers(${userId})` }),
  });
  expect(r.status).toBe(204);
}

const box = () => screen.getByRole("combobox") as HTMLInputElement;
const key = (k: string) => fireEvent.keyDown(box(), { key: k });
/** Focus as the browser gives it (document.activeElement moves, blur fires on the old element). */
const focus = (el: HTMLElement) => act(() => el.focus());
function type(text: string) {
  focus(box());
  fireEvent.change(box(), { target: { value: text } });
}
const options = () => within(screen.getByRole("listbox")).getAllByRole("option");
/** The first line of each option: the name, then what marks it. */
const firstLine = (o: HTMLElement) => o.querySelector("span")!.textContent!;
const names = () => options().map((o) => firstLine(o).split(" · ")[0]);

describe("no pick without an explicit choice", () => {
  it("focusing the empty box opens nothing and searches nothing; Enter there changes nothing", async () => {
    const m = await mount();
    server.resetCount();
    focus(box());
    expect(box().getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByText("Searching…")).toBeNull();
    expect(screen.queryByRole("listbox")).toBeNull();
    key("Enter");
    expect(m.boundValue()).toBeNull();
    expect(searches()).toHaveLength(0);
  });

  it("Enter among results that nobody chose does nothing; an arrow key chooses, and Enter then picks", async () => {
    const m = await mount();
    type("Integration");
    await waitFor(() => expect(names()).toEqual(["a_b Integration", "abc Integration", "Europe Integration"]));
    expect(box().getAttribute("aria-expanded")).toBe("true");
    expect(box().hasAttribute("aria-activedescendant")).toBe(false);
    expect(options().filter((o) => o.getAttribute("aria-selected") === "true")).toHaveLength(0);
    key("Enter");
    expect(m.boundValue()).toBeNull();
    expect(screen.getByRole("listbox")).toBeTruthy();

    key("ArrowDown");
    expect(box().getAttribute("aria-activedescendant")).toBe(options()[0].id);
    expect(options()[0].getAttribute("aria-selected")).toBe("true");
    key("Enter");
    await waitFor(() => expect(m.boundValue()?.id).toBe(USER.underscoreApp));
    expect(screen.queryByRole("listbox")).toBeNull();
  });

  it("a click in the empty box lists the application users with none chosen", async () => {
    const m = await mount();
    focus(box());
    fireEvent.click(box());
    await waitFor(() => expect(names()).toContain("Marketo Sync"));
    expect(box().hasAttribute("aria-activedescendant")).toBe(false);
    key("Enter");
    expect(m.boundValue()).toBeNull();
  });

  it("a choice is forgotten when new results arrive", async () => {
    const m = await mount();
    type("Integration");
    await waitFor(() => expect(names()).toHaveLength(3));
    key("ArrowDown");
    expect(box().hasAttribute("aria-activedescendant")).toBe(true);
    fireEvent.change(box(), { target: { value: "Europe" } });
    await waitFor(() => expect(names()).toEqual(["Europe Integration"]));
    expect(box().hasAttribute("aria-activedescendant")).toBe(false);
    key("Enter");
    expect(m.boundValue()).toBeNull();
  });

  it("closed, an arrow key opens the list without choosing", async () => {
    await mount();
    focus(box());
    key("ArrowDown");
    await waitFor(() => expect(names()).toContain("Marketo Sync"));
    expect(box().hasAttribute("aria-activedescendant")).toBe(false);
    expect(box().getAttribute("aria-controls")).toBe(screen.getByRole("listbox").id);
  });
});

describe("the list closes without picking", () => {
  it("on Tab, and the list is not a Tab stop", async () => {
    const m = await mount();
    type("Integration");
    await waitFor(() => expect(names()).toHaveLength(3));
    // A scroll container is a Tab stop in Chromium 130+ unless tabindex says otherwise.
    expect(screen.getByRole("listbox").getAttribute("tabindex")).toBe("-1");
    for (const o of options()) expect(o.tabIndex).toBeLessThan(0);
    key("ArrowDown");
    key("Tab");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(box().getAttribute("aria-expanded")).toBe("false");
    expect(box().hasAttribute("aria-activedescendant")).toBe(false);
    expect(m.boundValue()).toBeNull();
  });

  it("on a click elsewhere, and keeps the text", async () => {
    const m = await mount();
    type("Integration");
    await waitFor(() => expect(names()).toHaveLength(3));
    const browse = screen.getByRole("button", { name: /Browse all users/ });
    fireEvent.mouseDown(browse);
    focus(browse);
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(box().value).toBe("Integration");
    expect(m.boundValue()).toBeNull();
  });

  it("on Escape; a second Escape empties the box", async () => {
    await mount();
    type("Integration");
    await waitFor(() => expect(names()).toHaveLength(3));
    key("Escape");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(box().value).toBe("Integration");
    key("Escape");
    expect(box().value).toBe("");
  });

  it("a click on an option picks it and keeps focus in the box", async () => {
    const m = await mount();
    type("Europe");
    await waitFor(() => expect(names()).toEqual(["Europe Integration"]));
    expect(fireEvent.mouseDown(options()[0])).toBe(false); // default prevented: the box keeps focus
    fireEvent.click(options()[0]);
    await waitFor(() => expect(m.boundValue()?.id).toBe(USER.europeApp));
    expect(document.activeElement).toBe(box());
  });
});

describe("the current Marketo User in the results", () => {
  it.each([
    ["1033", /current Marketo User/i],
    ["1036", /utilisateur Marketo actuel/i],
  ] as const)("is marked, in words (%s)", async (lang, words) => {
    await mount({ user: marketoSync, lang });
    type("Marketo");
    await waitFor(() => expect(names()).toContain("Marketo Sync"));
    const current = options().filter((o) => words.test(firstLine(o)));
    expect(current.map((o) => firstLine(o).split(" · ")[0])).toEqual(["Marketo Sync"]);
  });

  it("picking it again changes nothing on the form", async () => {
    const m = await mount({ user: marketoSync });
    const outputsBefore = m.outputs();
    type("Marketo Sync");
    await waitFor(() => expect(names()).toEqual(["Marketo Sync"]));
    key("ArrowDown");
    key("Enter");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(m.outputs()).toBe(outputsBefore);
    expect(screen.queryByText(/You changed the Marketo User/)).toBeNull();
  });
});

describe("no matching user", () => {
  it("suggests including every enabled user, and turning it on searches again", async () => {
    await mount();
    type("Maria");
    const message = await screen.findByText(/No application user matches\. To search every enabled user, turn on “Include every enabled user, not only application users”/);
    expect(message).toBeTruthy();
    fireEvent.click(screen.getByRole("switch"));
    await waitFor(() => expect(names()).toEqual(["Maria Garcia"]));
    expect(document.activeElement).toBe(box());
    expect(screen.queryByText(/No application user matches/)).toBeNull();
  });

  it("stays readable after the box loses focus", async () => {
    await mount();
    type("Maria");
    await screen.findByText(/No application user matches/);
    focus(screen.getByRole("switch"));
    expect(screen.getByText(/No application user matches/)).toBeTruthy();
  });

  it.each([
    ["1033", /No enabled application user has the Client ID c1000000-0000-0000-0000-000000000003\. Create the application user .* Power Platform admin center/],
    ["1036", /Aucun utilisateur d’application activé n’a l’ID client c1000000-0000-0000-0000-000000000003\. Créez l’utilisateur d’application .* Centre d’administration Power Platform/],
  ] as const)("for a Client ID, says no application user has it and that it must be created (%s)", async (lang, text) => {
    await mount({ lang });
    type(` ${APP.disabledApp} `); // the disabled application user: not offered
    expect(await screen.findByText(text)).toBeTruthy();
  });
});
