/**
 * Failures injected through the devserver's fault API while the admin works: each one gives a
 * clear message in the admin's language, and nothing is lost (the form's value and the server's data).
 */
import { USER } from "../../devserver/fixtures/ids";
import { addFault, boundValue, devserverOrg, expectAccessible, expectStatus, marketoConfig, openForm, roleHolders, savedMarketoUser, screenshot, useE2E, type E2E } from "./helpers/browser";
import { fixButton, save, searchAndPick, words } from "./helpers/flow";

jest.setTimeout(120_000);

let e2e: E2E;
useE2E((started) => (e2e = started));

const { t, form } = words("1033");

async function openWithUserSaved() {
  const f = await openForm(e2e, "?fixture=demo");
  await searchAndPick(f.page, "Marketo Sync", "Marketo Sync");
  await save(f.page, "1033");
  await expectStatus(f.page, "user.selected", "pass");
  return f;
}

it("privilege denied on assign: plain words, details on demand, no role given, the value kept", async () => {
  const { page, close } = await openWithUserSaved();
  await addFault(e2e, { match: { method: "POST", path: "systemuserroles_association/$ref" }, respond: "privilegeDenied" });
  await fixButton(page, "user.role").click();
  const bar = page.locator(".ms-MessageBar", { hasText: t("Error_privilege") });
  await bar.waitFor();
  expect(await bar.innerText()).toContain(t("Privilege_assignRole"));
  expect(await bar.innerText()).not.toContain("0x80040220");
  await bar.getByText(t("Button_ShowDetails")).click();
  expect(await bar.innerText()).toContain("0x80040220");
  await screenshot(page, "control-en-error.png");
  await expectAccessible(page, "error");

  await expectStatus(page, "user.role", "fail");
  expect(await roleHolders(e2e, marketoConfig(e2e).roleName)).not.toContain("Marketo Sync");
  expect(await boundValue(page)).toMatchObject({ id: USER.marketoSync });
  expect(await savedMarketoUser(e2e)).toBe(USER.marketoSync);

  // The fault is spent: trying again works.
  await fixButton(page, "user.role").click();
  await expectStatus(page, "user.role", "pass");
  expect(await roleHolders(e2e, marketoConfig(e2e).roleName)).toContain("Marketo Sync");
  await close();
});

it("publish failing: says so, nothing counted as published, the next publish works", async () => {
  const { page, close } = await openWithUserSaved();
  const before = await devserverOrg(e2e);
  await addFault(e2e, { match: { method: "POST", path: "PublishAllXml" }, respond: "publishFail" });
  await page.locator('button[data-action="publish"]').click();
  await page.getByText(t("Action_publishFailed")).waitFor({ timeout: 30_000 });
  expect(await page.locator('[data-check="publish"]').getAttribute("data-status")).not.toBe("pass");
  expect((await devserverOrg(e2e)).lastPublishedOn).toBe(before.lastPublishedOn);
  expect(await savedMarketoUser(e2e)).toBe(USER.marketoSync);
  await expectAccessible(page, "publish failed");

  await page.locator('button[data-action="publish"]').click();
  await expectStatus(page, "publish", "pass", 30_000);
  expect((await devserverOrg(e2e)).lastPublishedOn).not.toBe(before.lastPublishedOn);
  await close();
});

it("throttling (429, Retry-After: 1): one is absorbed by a retry; a storm is explained, and the unsaved pick survives it", async () => {
  const throttle = (times: number) => ({
    match: { method: "POST", path: "$batch" },
    times,
    respond: { status: 429, headers: { "Retry-After": "1" }, body: { error: { code: "0x80072322", message: "Number of requests exceeded the limit of 6000 over time window of 300 seconds." } } },
  });

  // One 429 on the first load: the client waits the second the server asked for, then loads.
  await addFault(e2e, throttle(1));
  const started = Date.now();
  const { page, close } = await openForm(e2e, "?fixture=demo");
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  expect(await page.locator(".ms-MessageBar", { hasText: t("Error_throttled") }).count()).toBe(0);

  // Pick (not saved yet), then a storm longer than the client's retries.
  await searchAndPick(page, "Marketo Sync", "Marketo Sync");
  await expectStatus(page, "user.selected", "warn");
  await addFault(e2e, throttle(20));
  await page.getByRole("button", { name: t("Button_Refresh") }).click();
  await page.locator(".ms-MessageBar", { hasText: t("Error_throttled") }).waitFor({ timeout: 30_000 });
  expect(await boundValue(page)).toMatchObject({ id: USER.marketoSync });
  expect(await page.locator("#form-save-state").textContent()).toBe(form.unsaved);
  expect(await savedMarketoUser(e2e)).toBeNull();
  await expectAccessible(page, "throttled");

  // The storm passes: check again, save, nothing was lost.
  await fetch(`${e2e.harness.url}/_devserver/faults`, { method: "DELETE" });
  await page.getByRole("button", { name: t("Button_Refresh") }).click();
  await expectStatus(page, "user.selected", "warn");
  await save(page, "1033");
  expect(await savedMarketoUser(e2e)).toBe(USER.marketoSync);
  await expectStatus(page, "user.selected", "pass");
  await close();
});

it("the form's save refused: the form says so, keeps the change, and the record is unchanged", async () => {
  const { page, close } = await openForm(e2e, "?fixture=demo");
  await searchAndPick(page, "Marketo Sync", "Marketo Sync");
  await addFault(e2e, { match: { method: "PATCH", path: marketoConfig(e2e).entitySet }, respond: { privilegeDenied: "prvWriteMarketoConfig" } });
  await page.locator("#form-save").click();
  const alert = page.getByRole("alert").filter({ hasText: "could not be saved" });
  await alert.waitFor();
  expect(await alert.innerText()).toContain("0x80040220");
  expect(await page.locator("#form-save-state").textContent()).toBe(form.unsaved);
  expect(await boundValue(page)).toMatchObject({ id: USER.marketoSync });
  expect(await savedMarketoUser(e2e)).toBeNull();
  await expectAccessible(page, "save refused");
  await save(page, "1033");
  expect(await savedMarketoUser(e2e)).toBe(USER.marketoSync);
  await close();
});
