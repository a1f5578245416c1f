/**
 * The admin's steps on the form, in either language: the control's words come from its resx,
 * the form's from the harness. Each step waits for what the admin would wait for.
 */
import type { Page } from "playwright-core";
import { chromeStrings } from "../../../devserver/harness/page/chrome";
import { readResx } from "../../helpers/resx";
import { expectStatus } from "./browser";

export type Lang = "1033" | "1036";

export function words(lang: Lang) {
  const resx = readResx(lang);
  const t = (key: string, params: Record<string, string | number> = {}) => {
    const text = resx.get(key);
    if (text === undefined) throw new Error(`no resx key ${key}`);
    return text.replace(/\{(\w+)\}/g, (_m, k: string) => String(params[k] ?? `{${k}}`));
  };
  return { t, form: chromeStrings(Number(lang)) };
}

export const fixButton = (page: Page, check: string) => page.locator(`[data-check="${check}"] button[data-fix]`);

/** Types in the search box and picks the option whose name starts with `name`. */
export async function searchAndPick(page: Page, query: string, name: string): Promise<void> {
  const box = page.locator("#control-container").getByRole("combobox");
  await box.click();
  await box.pressSequentially(query, { delay: 30 });
  const option = page.getByRole("listbox").getByRole("option").filter({ hasText: name }).first();
  await option.waitFor({ timeout: 10_000 });
  await option.click();
}

export async function save(page: Page, lang: Lang): Promise<void> {
  const { form } = words(lang);
  await page.locator("#form-save").click();
  await page.locator("#form-save-state", { hasText: form.saved }).waitFor({ timeout: 10_000 });
}

/** Everything after the pick and the save: assign, remove from the others (confirmed), enable steps, publish. */
export async function fixEverything(page: Page, lang: Lang): Promise<void> {
  const { t } = words(lang);
  await expectStatus(page, "user.role", "fail");
  await fixButton(page, "user.role").click();
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
}
