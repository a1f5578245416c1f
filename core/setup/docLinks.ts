/**
 * Where the admin reads on after a check fails: Adobe's own Marketo pages, one per check.
 *
 * Every page below is a real page of Adobe's Marketo documentation (public repository AdobeDocs/marketo.en,
 * with the same paths in marketo.fr-FR), published on Experience League. Its repository path is
 * help/marketo/product-docs/crm-sync/microsoft-dynamics-sync/<page>.md and Experience League serves it
 * at /<lang>/docs/marketo/using/product-docs/crm-sync/microsoft-dynamics/<page>, as Adobe's own pages
 * link them (e.g. the CRM sync overview links "…/microsoft-dynamics/sync-setup/microsoft-dynamics-365-
 * with-s2s-connection/step-2-of-3-set-up#create-application-user-in-microsoft" and
 * "…/microsoft-dynamics/fix-dynamics-validation-sync-issues"). The anchors are the pages' own heading ids.
 */
import type { CheckId } from "./types";

const SITE = "https://experienceleague.adobe.com";
const SECTION = "docs/marketo/using/product-docs/crm-sync/microsoft-dynamics";

/** Pages, relative to SECTION. Repository paths are under help/marketo/product-docs/crm-sync/microsoft-dynamics-sync/. */
const PAGES = {
  /** sync-setup/microsoft-dynamics-365-with-s2s-connection/step-1-of-3-install.md: import the solution, publish. */
  s2sInstall: "sync-setup/microsoft-dynamics-365-with-s2s-connection/step-1-of-3-install",
  /** sync-setup/microsoft-dynamics-365-with-s2s-connection/step-2-of-3-set-up.md: application user, role, Marketo Config, publish. */
  s2sSetUp: "sync-setup/microsoft-dynamics-365-with-s2s-connection/step-2-of-3-set-up",
  /**
   * sync-setup/microsoft-dynamics-365-with-ropc-connection/step-2-of-4-set-up.md: the Dynamics online page
   * that states the role rule ("#assign-sync-user-role": only the sync user from 4.0.0.14 on, every user
   * before) and, under "#create-a-new-user", that the sync user needs read access to Marketo Config.
   */
  onlineSetUp: "sync-setup/microsoft-dynamics-365-with-ropc-connection/step-2-of-4-set-up",
  /** sync-setup/validate-microsoft-dynamics-sync/fix-dynamics-validation-sync-issues.md: one section per Validate Sync line. */
  fixValidation: "fix-dynamics-validation-sync-issues",
};

/** Check → page and section. Only checks that can fail or warn; "filter.field" is informational. */
const DOCS: Partial<Record<CheckId, string>> = {
  "solution.installed": `${PAGES.s2sInstall}`,
  "solution.steps": `${PAGES.fixValidation}#all-steps-in-the-solution-are-enabled`,
  "user.selected": `${PAGES.fixValidation}#sync-user-is-assigned-to-the-marketo-solution`,
  "user.credentials": `${PAGES.fixValidation}#sync-user-matches-username-and-password`,
  "user.enabled": `${PAGES.s2sSetUp}#create-application-user-in-microsoft`,
  "user.application": `${PAGES.s2sSetUp}#create-application-user-in-microsoft`,
  "user.role": `${PAGES.fixValidation}#sync-user-is-assigned-to-the-marketo-sync-user-role`,
  "role.exclusive": `${PAGES.onlineSetUp}#assign-sync-user-role`,
  "role.disabledHolders": `${PAGES.onlineSetUp}#assign-sync-user-role`,
  "user.configRead": `${PAGES.onlineSetUp}#create-a-new-user`,
  publish: `${PAGES.s2sSetUp}#configure-marketo-solution`,
};

/** Experience League's language segments for the languages the control speaks. */
const language = (locale: string | undefined) => (locale?.toLowerCase().startsWith("fr") ? "fr" : "en");

/** Adobe's page for a check, in the user's language where Adobe has it; undefined when there is none. */
export function checkDocUrl(id: CheckId, locale?: string): string | undefined {
  const page = DOCS[id];
  return page ? `${SITE}/${language(locale)}/${SECTION}/${page}` : undefined;
}

/** Which checks have a page (tests and the report list them). */
export const documentedChecks = (): CheckId[] => Object.keys(DOCS) as CheckId[];
