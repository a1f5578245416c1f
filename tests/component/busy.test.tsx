/**
 * What the admin sees while the control waits: "Checking…" over the old, faded checklist while it
 * is read again, and "Dynamics 365 is busy; retrying in N seconds" with Cancel while a request waits
 * on a Retry-After (429 service protection). Against the devserver: the read is held, the 429s are
 * injected, and nothing here races a clock (the countdown runs on jest's fake timers).
 */
import * as React from "react";
import { act, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { startDevServer, type DevServer } from "../../devserver/server";
import { adminApi } from "../helpers/adminApi";
import { CONFIG, ROLE, USER } from "../../devserver/fixtures/ids";
import { BusyNotice } from "../../MarketoConfigControl/components/BusyNotice";
import { createTranslate } from "../../MarketoConfigControl/i18n";
import { RetryWaits } from "../../MarketoConfigControl/services/retryWaits";
import { mountControl } from "../helpers/mountControl";
import { readResx } from "../helpers/resx";

jest.setTimeout(30_000);
// The bound only decides when to give up on a busy machine; nothing waits for it.
configure({ asyncUtilTimeout: 20_000 });

const en = readResx("1033");
const fr = readResx("1036");

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ publishDurationMs: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const config = { entity: CONFIG.demo.entity, attribute: CONFIG.demo.userAttribute, id: CONFIG.defaultRecord };
const marketoSync = { id: USER.marketoSync, name: "Marketo Sync", entityType: "systemuser" };
const line = (id: string) => document.querySelector(`[data-check="${id}"]`) as HTMLElement;
const statusOf = (id: string) => line(id)?.getAttribute("data-status");
const fixButton = (id: string) => line(id)?.querySelector("button[data-fix]") as HTMLButtonElement | null;
const publishButton = () => document.querySelector('button[data-action="publish"]') as HTMLButtonElement;
const checklist = () => screen.getByRole("list", { name: "Marketo sync setup checklist" });
const loaded = () => waitFor(() => expect(statusOf("solution.installed")).toBe("pass"));
const busyNotice = () => document.querySelector('[data-busy="retrying"]') as HTMLElement | null;
/** The notice's text is rendered just after it appears (so screen readers announce it): wait for it. */
const busyText = () => waitFor(() => expect(busyNotice()?.textContent).toMatch(/busy/)).then(() => busyNotice()!);
/** Retry-After longer than any test: the client is still waiting when the test cancels. */
const LONG = 45;

const api = adminApi(() => server.url);

async function rolesOf(userId: string): Promise<string[]> {
  const u = await api<{ systemuserroles_association: Array<{ roleid: string }> }>(`systemusers(${userId})?$select=fullname&$expand=systemuserroles_association($select=roleid)`);
  return u.systemuserroles_association.map((r) => r.roleid);
}

async function mountSaved() {
  await api(`${CONFIG.demo.entitySet}(${CONFIG.defaultRecord})`, {
    method: "PATCH",
    headers: { "If-Match": "*" },
    body: JSON.stringify({ [`${CONFIG.demo.navigation}@odata.bind`]: `/systemusers(${USER.marketoSync})` }),
  });
  const m = mountControl({ serverUrl: server.url, config, user: marketoSync });
  await loaded();
  return m;
}

describe("while the checklist is read again", () => {
  it("says Checking… by the heading and keeps the old lines, faded and marked busy", async () => {
    await mountSaved();
    expect(screen.queryByText("Checking…")).toBeNull();
    expect(checklist().getAttribute("aria-busy")).toBeNull();
    const held = server.faults.hold({ match: { method: "POST", path: "$batch" } });
    fireEvent.click(screen.getByRole("button", { name: "Check again" }));
    await held.arrived();

    const checking = await screen.findByText("Checking…");
    // Beside the heading, not somewhere else on the panel.
    const heading = screen.getByRole("heading", { name: "Setup checklist" });
    expect(heading.parentElement!.contains(checking)).toBe(true);
    // The old lines are still there, stale.
    expect(checklist().getAttribute("aria-busy")).toBe("true");
    expect(checklist().style.opacity).toBe("0.5");
    expect(statusOf("solution.installed")).toBe("pass");
    expect(statusOf("user.role")).toBe("fail");
    expect(fixButton("user.role")!.disabled).toBe(true);

    held.release();
    await waitFor(() => expect(screen.queryByText("Checking…")).toBeNull());
    expect(checklist().getAttribute("aria-busy")).toBeNull();
    expect(checklist().style.opacity).toBe("1");
    expect(fixButton("user.role")!.disabled).toBe(false);
  });
});

describe("while Dynamics 365 answers 429 with Retry-After", () => {
  it("the first read: says so with a countdown; Cancel stops it and offers to check again", async () => {
    const throttle = server.faults.add({ match: { method: "POST", path: "$batch" }, respond: server.faults.presets.throttle(LONG) });
    mountControl({ serverUrl: server.url, config, user: marketoSync });
    expect((await busyText()).textContent).toMatch(/Dynamics 365 is busy; retrying in \d+ seconds\./);
    expect(server.faults.fired(throttle)).toBe(1);

    fireEvent.click(within(busyNotice()!).getByRole("button", { name: "Cancel" }));
    const cancelled = await screen.findByText("Checking the setup was cancelled: nothing new was read. Check again when Dynamics 365 is less busy.");
    expect(busyNotice()).toBeNull();
    // No error for what the admin chose, and no retry behind the admin's back.
    expect(screen.queryByText(/The request was cancelled/)).toBeNull();
    expect(server.faults.fired(throttle)).toBe(1);
    // Nothing was read: Publish has nothing to go on, so it is not offered (it was a live button that did nothing).
    expect((screen.getByRole("button", { name: "Publish all customizations" }) as HTMLButtonElement).disabled).toBe(true);

    server.faults.remove(throttle);
    const notice = cancelled.closest('[data-busy="cancelled"]') as HTMLElement;
    fireEvent.click(within(notice).getByRole("button", { name: "Check again" }));
    await loaded();
    expect(document.querySelector('[data-busy="cancelled"]')).toBeNull();
  });

  it("a fix: Cancel aborts it while it waits, nothing changes on the server, and the fix can be run again", async () => {
    await mountSaved();
    const before = await rolesOf(USER.marketoSync);
    expect(before).not.toContain(ROLE.marketoSync);
    const throttle = server.faults.add({ match: { method: "POST", path: "systemuserroles_association/$ref" }, respond: server.faults.presets.throttle(LONG) });

    fireEvent.click(fixButton("user.role")!);
    fireEvent.click(within(await busyText()).getByRole("button", { name: "Cancel" }));

    expect(await screen.findByText(/Assigning the role was cancelled before Dynamics 365 accepted it: nothing was changed/)).toBeTruthy();
    expect(busyNotice()).toBeNull();
    await waitFor(() => expect(fixButton("user.role")!.disabled).toBe(false));
    expect(statusOf("user.role")).toBe("fail");
    expect(server.faults.fired(throttle)).toBe(1);
    expect(await rolesOf(USER.marketoSync)).toEqual(before);

    // Retry: the same button, now that Dynamics has room again.
    server.faults.remove(throttle);
    fireEvent.click(fixButton("user.role")!);
    await waitFor(() => expect(statusOf("user.role")).toBe("pass"));
    expect(document.querySelector('[data-busy="cancelled"]')).toBeNull();
    expect((await rolesOf(USER.marketoSync)).length).toBe(before.length + 1);
  });

  it("publish: Cancel aborts it while it waits; nothing was published", async () => {
    await mountSaved();
    const org = async () => (await fetch(`${server.url}/_devserver/org`)).json() as Promise<{ publishCount: number }>;
    const publishedBefore = (await org()).publishCount;
    const throttle = server.faults.add({ match: { method: "POST", path: "PublishAllXmlAsync" }, respond: server.faults.presets.throttle(LONG) });

    fireEvent.click(publishButton());
    fireEvent.click(within(await busyText()).getByRole("button", { name: "Cancel" }));

    expect(await screen.findByText(/Publishing was cancelled/)).toBeTruthy();
    await waitFor(() => expect(publishButton().disabled).toBe(false));
    expect(server.faults.fired(throttle)).toBe(1);
    expect((await org()).publishCount).toBe(publishedBefore);
  });
});

describe("the busy notice on its own", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const translate = (strings: Map<string, string>, locale: string) => createTranslate((key) => strings.get(key) ?? "", locale);

  it("counts down each second, in real plurals, in English and French", () => {
    const store = new RetryWaits(() => Date.now());
    const { rerender } = render(<BusyNotice store={store} t={translate(en, "en-US")} />);
    expect(busyNotice()).toBeNull();
    act(() => void store.report({ seconds: 3, status: 429, method: "POST", url: "x" }));
    act(() => void jest.advanceTimersByTime(0)); // the text is rendered just after the notice
    expect(busyNotice()!.textContent).toBe("Dynamics 365 is busy; retrying in 3 seconds.");
    act(() => void jest.advanceTimersByTime(1000));
    expect(busyNotice()!.textContent).toBe("Dynamics 365 is busy; retrying in 2 seconds.");
    act(() => void jest.advanceTimersByTime(1000));
    expect(busyNotice()!.textContent).toBe("Dynamics 365 is busy; retrying in 1 second.");
    rerender(<BusyNotice store={store} t={translate(fr, "fr-FR")} />);
    expect(busyNotice()!.textContent).toBe("Dynamics 365 est occupé ; nouvel essai dans 1 seconde.");
    // An untracked request: shown, but there is nothing the notice could stop.
    expect(within(busyNotice()!).queryByRole("button")).toBeNull();
  });

  it("has a sentence for every operation Cancel can stop, in both languages", () => {
    for (const operation of ["load", "search", "assignRole", "removeRole", "enableSteps", "publish"]) {
      expect([operation, en.has(`Busy_Cancelled_${operation}`), fr.has(`Busy_Cancelled_${operation}`)]).toEqual([operation, true, true]);
    }
  });
});
