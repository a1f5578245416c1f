/**
 * Issue 14's "Done when", in Chromium with the production bundle on the `npm start` harness: a new
 * admin types the demo app's Client ID, creates its application user, saves and finishes the setup.
 * Checked on the server: one user for the Client ID, in the root business unit, holding the role,
 * saved as the Marketo User.
 */
import { APP, BU } from "../../devserver/fixtures/ids";
import { allStatuses, api, expectAccessible, expectStatus, marketoConfig, openForm, roleHolders, savedMarketoUser, screenshot, useE2E, type E2E } from "./helpers/browser";
import { fixButton, save, words } from "./helpers/flow";

jest.setTimeout(120_000);

const { t } = words("1033");

describe("Create the application user", () => {
  let e2e: E2E;
  useE2E((started) => (e2e = started));

  it("from the demo Client ID to a finished setup", async () => {
    const { page, errors, close } = await openForm(e2e, "?fixture=demo");
    const config = marketoConfig(e2e);
    const usersOf = () =>
      api<{ value: Array<{ systemuserid: string; _businessunitid_value: string }> }>(e2e, `systemusers?$select=systemuserid,_businessunitid_value&$filter=applicationid eq ${APP.marketoSyncNew}`);
    expect((await usersOf()).value).toEqual([]);

    // The Client ID matches nobody: the search offers to create its application user.
    const box = page.locator("#control-container").getByRole("combobox").first();
    await box.click();
    await box.pressSequentially(APP.marketoSyncNew, { delay: 5 });
    const noMatch = page.getByText(t("Picker_NoResults_ClientId", { clientId: APP.marketoSyncNew }));
    await noMatch.waitFor();
    await page
      .locator("[data-create-app-user]")
      .filter({ has: page.getByRole("button", { name: t("Fix_createAppUser") }) })
      .first()
      .getByRole("button", { name: t("Fix_createAppUser") })
      .click();
    const panel = page.getByRole("group", { name: t("Fix_createAppUser") });
    expect(await panel.getByLabel(t("AppUser_ClientId")).inputValue()).toBe(APP.marketoSyncNew);
    const unit = panel.getByRole("combobox");
    await page.waitForFunction((expected) => (document.querySelector('[role="group"] [role="combobox"]') as HTMLInputElement | null)?.value === expected, t("AppUser_Root", { name: "Contoso" }));
    expect(await unit.inputValue()).toBe(t("AppUser_Root", { name: "Contoso" }));
    await expectAccessible(page, "create application user open");

    // One click: created, given the role, picked on the form; the result beside the button, focused.
    await panel.getByRole("button", { name: t("AppUser_Create") }).click();
    const done = page.getByText(t("Done_createAppUser", { name: "Marketo Sync (new)", businessUnit: "Contoso", role: config.roleName }));
    await done.waitFor();
    expect(await page.evaluate(() => !!document.activeElement?.closest("[data-notice]"))).toBe(true);
    await page.getByText(t("Picker_Current", { name: "Marketo Sync (new)" })).waitFor();
    await screenshot(page, "control-en-create-app-user.png");
    await expectAccessible(page, "application user created");

    // The admin saves as usual, then finishes the setup.
    const created = (await usersOf()).value;
    expect(created).toHaveLength(1);
    await save(page, "1033");
    expect(await savedMarketoUser(e2e)).toBe(created[0].systemuserid);
    await expectStatus(page, "user.selected", "pass");
    await expectStatus(page, "user.role", "pass");

    await fixButton(page, "role.exclusive").click();
    const dialog = page.getByRole("alertdialog");
    await dialog.getByRole("button", { name: t("Confirm_Remove") }).click();
    await dialog.waitFor({ state: "detached" });
    await expectStatus(page, "role.exclusive", "pass");
    await fixButton(page, "role.disabledHolders").click();
    await dialog.getByRole("button", { name: t("Confirm_Remove") }).click();
    await dialog.waitFor({ state: "detached" });
    await page.locator('[data-check="role.disabledHolders"]').waitFor({ state: "detached" });
    await fixButton(page, "solution.steps").click();
    await expectStatus(page, "solution.steps", "pass");
    await page.locator('button[data-action="publish"]').click();
    await expectStatus(page, "publish", "pass", 30_000);
    const statuses = await allStatuses(page);
    expect(Object.entries(statuses).filter(([, s]) => s !== "pass" && s !== "info")).toEqual([]);

    // The server agrees: one user, the root business unit, the role held, the Marketo User saved.
    const after = (await usersOf()).value;
    expect(after).toHaveLength(1);
    expect(after[0]._businessunitid_value).toBe(BU.contoso);
    expect(await roleHolders(e2e, config.roleName)).toEqual(["Marketo Sync (new)"]);
    expect(await savedMarketoUser(e2e)).toBe(after[0].systemuserid);
    expect(errors).toEqual([]);
    await close();
  });
});
