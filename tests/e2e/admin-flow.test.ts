/**
 * A new admin on the "Marketo Config: Default" form in Chromium, with the production bundle.js
 * hosted by the `npm start` harness: every step is checked in the page AND on the server.
 * The whole setup runs on both Reacts the control meets: 17.0.2, what model-driven apps load, and
 * 16.14.0, the manifest's version (Microsoft's "React controls & platform libraries" page); the rest
 * of the suite runs on SUITE_REACT (E2E_REACT, by default 17.0.2).
 */
import { REACT_VERSIONS, type ReactVersion } from "../../devserver/harness/react";
import { APP, USER } from "../../devserver/fixtures/ids";
import {
  allStatuses,
  boundValue,
  devserverOrg,
  disabledStepsOfSolution,
  expectAccessible,
  expectStatus,
  marketoConfig,
  openForm,
  roleHolders,
  savedMarketoUser,
  screenshot,
  SUITE_REACT,
  useE2E,
  type E2E,
} from "./helpers/browser";
import { fixButton, save, searchAndPick, words } from "./helpers/flow";

jest.setTimeout(120_000);

const { t, form } = words("1033");

/** The pictures in README.md come from the suite's React only. */
async function wholeSetup(e2e: E2E, pictures: boolean): Promise<void> {
  const { page, errors, close } = await openForm(e2e, "?fixture=demo");
  const picture = (name: string) => (pictures ? screenshot(page, name) : Promise.resolve());
  expect(await page.evaluate(() => (window as unknown as { React: { version: string } }).React.version)).toBe(e2e.react);
  const config = marketoConfig(e2e);
  const role = config.roleName;

  // First look: the record "Default", nothing saved, the checklist says what is wrong.
  await page.getByRole("heading", { level: 1, name: "Default" }).waitFor();
  expect(await page.locator("[data-control]").getAttribute("data-control")).toBe("MarketoSync.MarketoConfigControl");
  expect(await allStatuses(page)).toMatchObject({ "solution.installed": "pass", "solution.steps": "fail", "user.selected": "fail", "role.exclusive": "fail" });
  expect(await savedMarketoUser(e2e)).toBeNull();
  await picture("control-en-before.png");
  await expectAccessible(page, "initial");

  // Search, pick the application user: the form holds it, the server does not yet.
  await searchAndPick(page, "Marketo Sync", "Marketo Sync");
  await page.getByText(t("Picker_Current", { name: "Marketo Sync" })).waitFor();
  await expectStatus(page, "user.selected", "warn");
  expect(await page.locator("#form-save-state").textContent()).toBe(form.unsaved);
  expect(await boundValue(page)).toMatchObject({ id: USER.marketoSync, name: "Marketo Sync", entityType: "systemuser" });
  expect(await savedMarketoUser(e2e)).toBeNull();
  expect(await page.locator('button[data-action="publish"]').isDisabled()).toBe(true);
  await expectAccessible(page, "after pick");

  // Save: the record now points at the user, and the control checks the saved value.
  await save(page, "1033");
  expect(await savedMarketoUser(e2e)).toBe(USER.marketoSync);
  await expectStatus(page, "user.selected", "pass");
  await expectStatus(page, "user.application", "pass");
  expect(await roleHolders(e2e, role)).not.toContain("Marketo Sync");

  // Assign the role (the copy of the user's business unit).
  await expectStatus(page, "user.role", "fail");
  await fixButton(page, "user.role").click();
  await expectStatus(page, "user.role", "pass");
  expect(await roleHolders(e2e, role)).toContain("Marketo Sync");

  // Remove it from the others: the dialog names them; Cancel changes nothing.
  await fixButton(page, "role.exclusive").click();
  // Fluent's dialog root has no size of its own (its content is position: fixed): wait for the content.
  const dialog = page.getByRole("alertdialog");
  await dialog.getByText(/John Smith/).waitFor();
  await dialog.getByText(/Maria Garcia/).waitFor();
  // The team that gives it to one more user, with that member: the role is taken from the team.
  await dialog.getByText("Team Marketo Admins (1 member)").waitFor();
  await dialog.getByText(/Team Sync App/).waitFor();
  await expectAccessible(page, "dialog open");
  await dialog
    .getByRole("button", { name: t("Button_Cancel") })
    .last()
    .click();
  await dialog.waitFor({ state: "detached" });
  const everyone = ["Former Employee (disabled)", "John Smith", "Maria Garcia", "Marketo Sync", "Team Sync App (team Marketo Admins)"];
  expect(await roleHolders(e2e, role)).toEqual(everyone);
  await fixButton(page, "role.exclusive").click();
  await dialog.getByRole("button", { name: t("Confirm_Remove") }).click();
  // While the dialog fades out, its focus trap swallows clicks elsewhere (Fluent): wait until it is gone.
  await dialog.waitFor({ state: "detached" });
  await expectStatus(page, "role.exclusive", "pass");
  expect(await roleHolders(e2e, role)).toEqual(["Former Employee (disabled)", "Marketo Sync"]);

  // A disabled user who keeps the role: a warning, and its removal names the user.
  await expectStatus(page, "role.disabledHolders", "warn");
  await fixButton(page, "role.disabledHolders").click();
  await dialog.getByText(/Former Employee/).waitFor();
  await dialog.getByRole("button", { name: t("Confirm_Remove") }).click();
  await dialog.waitFor({ state: "detached" });
  await page.locator('[data-check="role.disabledHolders"]').waitFor({ state: "detached" });
  expect(await roleHolders(e2e, role)).toEqual(["Marketo Sync"]);

  // Enable the disabled plugin steps.
  expect(await disabledStepsOfSolution(e2e, config.solutionId)).toBe(1);
  await fixButton(page, "solution.steps").click();
  await expectStatus(page, "solution.steps", "pass");
  expect(await disabledStepsOfSolution(e2e, config.solutionId)).toBe(0);

  // Publish, with progress; a second click cannot start another one.
  const before = await devserverOrg(e2e);
  const publish = page.locator('button[data-action="publish"]');
  await publish.click();
  await page.getByText(t("Publish_Running")).first().waitFor();
  expect(await publish.isDisabled()).toBe(true);
  await expectStatus(page, "publish", "pass", 30_000);
  const after = await devserverOrg(e2e);
  expect(after.publishCount).toBe(before.publishCount + 1);
  expect(after.lastPublishedOn).not.toBe(before.lastPublishedOn);

  // Every check passes (the filter field is information only).
  const statuses = await allStatuses(page);
  expect(Object.entries(statuses).filter(([, s]) => s !== "pass" && s !== "info")).toEqual([]);
  await page.getByText(t("Summary_AllPass")).first().waitFor();

  // Copy what Marketo's step 3 asks for.
  const value = (key: string) => page.locator(`[data-connection="${key}"]`).textContent();
  expect(await value("Connection_ClientId")).toBe(APP.marketoSync);
  expect(await value("Connection_Username")).toMatch(/@/);
  expect(await value("Connection_OrgUrl")).toBe(e2e.harness.url);
  await page.getByRole("button", { name: t("Button_Copy_Label", { what: t("Connection_ClientId") }) }).click();
  await page.locator("#mss-announcer", { hasText: t("Copy_Done", { what: t("Connection_ClientId") }) }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(APP.marketoSync);
  await page.getByRole("button", { name: t("Button_Copy_Label", { what: t("Connection_TenantId") }) }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await value("Connection_TenantId"));
  expect(await page.content()).not.toMatch(/devserver-secret/);

  await picture("control-en-after.png");
  await expectAccessible(page, "after the fixes");
  expect(errors).toEqual([]);
  await close();
}

describe(`on React ${SUITE_REACT}`, () => {
  let e2e: E2E;
  useE2E((started) => (e2e = started));

  it("the whole setup, as a new admin does it: pick, save, assign, remove from the others, enable steps, publish, copy", async () => {
    expect(e2e.react).toBe(SUITE_REACT);
    await wholeSetup(e2e, true);
  });

  it("picks through the platform's lookup dialog (context.utils.lookupObjects), and clears", async () => {
    const { page, errors, close } = await openForm(e2e, "?fixture=demo");
    await page.getByRole("button", { name: t("Button_Browse_Label") }).click();
    const dialog = page.getByRole("dialog", { name: form.lookupTitle });
    await dialog.waitFor();
    await expectAccessible(page, "lookup dialog");
    await dialog.getByLabel(form.lookupSearch).fill("Marketo");
    await dialog.getByRole("button", { name: /^Marketo Sync/ }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByText(t("Picker_Current", { name: "Marketo Sync" })).waitFor();
    expect(await boundValue(page)).toMatchObject({ id: USER.marketoSync });
    await save(page, "1033");
    expect(await savedMarketoUser(e2e)).toBe(USER.marketoSync);

    // Clearing and saving removes the value on the server (DELETE …/$ref).
    await page.getByRole("button", { name: t("Button_Clear_Label", { name: "Marketo Sync" }) }).click();
    await page.getByText(t("Picker_NoUser")).first().waitFor();
    await save(page, "1033");
    expect(await savedMarketoUser(e2e)).toBeNull();
    await expectStatus(page, "user.selected", "fail");
    expect(errors).toEqual([]);
    await close();
  });

  it("starts from other organisations: everything right, an old solution, no solution, other table names", async () => {
    let f = await openForm(e2e, "?fixture=all-correct");
    await expectStatus(f.page, "user.role", "pass");
    await expectStatus(f.page, "role.exclusive", "pass");
    await f.page.getByText(t("Picker_Current", { name: "Marketo Sync" })).waitFor();
    await f.close();

    // Before 4.0.0.14 every enabled user needs the role: the line names who lacks it.
    f = await openForm(e2e, "?fixture=solution-4.0.0.13");
    await expectStatus(f.page, "role.exclusive", "fail");
    await f.page.locator('[data-check="role.exclusive"]', { hasText: t("CheckTitle_role_everyone") }).waitFor();
    await fixButton(f.page, "role.exclusive").waitFor();
    await f.close();

    f = await openForm(e2e, "?fixture=no-solution");
    await expectStatus(f.page, "solution.installed", "fail");
    await f.close();

    // Another publisher's table and lookup: the harness reads them from the fixture, the control from the form.
    f = await openForm(e2e, "?fixture=other-names");
    const config = marketoConfig(e2e);
    expect(config.entitySet).not.toBe("mkto_marketoconfigs");
    await searchAndPick(f.page, "Marketo Sync", "Marketo Sync");
    await save(f.page, "1033");
    expect(await savedMarketoUser(e2e)).toBe(USER.marketoSync);
    await expectStatus(f.page, "user.selected", "pass");
    expect(f.errors).toEqual([]);
    await f.close();

    const bad = await fetch(`${e2e.harness.url}/?fixture=nope`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/all-correct/);
  });
});

const OTHER_REACTS = REACT_VERSIONS.filter((v) => v !== SUITE_REACT);

describe.each<ReactVersion>(OTHER_REACTS)("on React %s too", (react) => {
  let other: E2E;
  useE2E((started) => (other = started), { react });

  it("the whole setup, as a new admin does it", async () => {
    expect(other.react).toBe(react);
    await wholeSetup(other, false);
  });
});
