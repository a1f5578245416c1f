/**
 * The French page (resx 1036 and the form's own French words) through the whole setup, and the
 * read-only form (disabled control, and a field secured by field security).
 */
import { USER } from "../../devserver/fixtures/ids";
import { allStatuses, expectAccessible, expectStatus, marketoConfig, openForm, roleHolders, savedMarketoUser, screenshot, useE2E, type E2E } from "./helpers/browser";
import { fixButton, fixEverything, save, searchAndPick, words } from "./helpers/flow";

jest.setTimeout(120_000);

let e2e: E2E;
useE2E((started) => (e2e = started));

it("speaks French, from the form's frame to the control's messages, through the whole setup", async () => {
  const { t, form } = words("1036");
  const { page, errors, close } = await openForm(e2e, "?fixture=demo&lang=1036");
  expect(await page.getAttribute("html", "lang")).toBe("fr");
  await page.getByRole("button", { name: form.save }).waitFor();
  // The form's label of the field, and the control's own heading, in the same words.
  await page.locator("#field-label", { hasText: "Utilisateur Marketo" }).waitFor();
  await page.getByRole("heading", { name: "Utilisateur Marketo" }).waitFor();
  await page.getByRole("heading", { name: t("Section_Checklist") }).waitFor();
  await page.getByRole("button", { name: t("Publish_Button") }).waitFor();
  await page.getByText("ID de locataire").waitFor();
  expect(await page.locator('[data-check="solution.steps"]').innerText()).toContain(t("Status_fail"));
  // No English left from the control (a missing French string would show its English twin or its key).
  const english = words("1033").t;
  const body = await page.locator("#control-container").innerText();
  for (const key of ["Section_Checklist", "Section_Connection", "Button_Refresh", "Picker_NoUser", "Status_fail"]) expect(body).not.toContain(english(key));
  await screenshot(page, "control-fr-before.png");
  await expectAccessible(page, "French");

  await searchAndPick(page, "Marketo", "Marketo Sync");
  await expectStatus(page, "user.selected", "warn");
  expect(await page.locator("#form-save-state").textContent()).toBe(form.unsaved);
  await save(page, "1036");
  expect(await savedMarketoUser(e2e)).toBe(USER.marketoSync);
  await fixEverything(page, "1036");
  expect(await roleHolders(e2e, marketoConfig(e2e).roleName)).toEqual(["Marketo Sync"]);
  expect(Object.values(await allStatuses(page)).filter((s) => s !== "pass" && s !== "info")).toEqual([]);
  await page.getByText(t("Summary_AllPass")).first().waitFor();
  await screenshot(page, "control-fr-after.png");
  await expectAccessible(page, "French, after the fixes");
  expect(errors).toEqual([]);
  await close();
});

describe("read-only form", () => {
  const { t, form } = words("1033");

  // Issue 13: the field is locked, the fixes that leave it alone (role, steps, publish) stay.
  it("?readonly=1: the checklist without search, pick or save, with the other fixes; the switch gives them back", async () => {
    const { page, errors, close } = await openForm(e2e, "?fixture=demo&readonly=1");
    const control = page.locator("#control-container");
    await control.getByText(t("State_ReadOnly")).waitFor();
    expect(await control.getByRole("combobox").count()).toBe(0);
    await fixButton(page, "solution.steps").waitFor();
    expect(await page.locator('button[data-fix="pickUser"]').count()).toBe(0);
    expect(await page.locator('button[data-action="publish"]').count()).toBe(1);
    expect(await page.locator("#form-save").isDisabled()).toBe(true);
    await page.getByText(form.readOnlyBanner).waitFor();
    await expectStatus(page, "solution.steps", "fail");
    await expectAccessible(page, "read-only");

    // The platform calls updateView when the form becomes editable: the control recomputes.
    await page.getByRole("switch", { name: form.readOnly }).uncheck();
    await fixButton(page, "solution.steps").waitFor();
    await control.getByRole("combobox").waitFor();
    expect(await page.locator("#form-save").isDisabled()).toBe(false);
    await page.getByRole("switch", { name: form.readOnly }).check();
    await control.getByRole("combobox").waitFor({ state: "detached" });
    expect(errors).toEqual([]);
    await close();
  });

  it("?fieldsecured=1: a field the user may not update is read-only too, and says field security is why", async () => {
    const { page, close } = await openForm(e2e, "?fixture=demo&fieldsecured=1");
    await page.locator("#control-container").getByText(t("State_FieldSecured")).waitFor();
    await fixButton(page, "solution.steps").waitFor();
    expect(await page.locator('button[data-fix="pickUser"]').count()).toBe(0);
    await close();
  });
});
