/**
 * `bind-form`: puts the control on the Marketo User field of the Marketo Config main form(s), for
 * web, tablet and phone, keeping the standard lookup as fallback; then publishes that table.
 *
 * It never loses an admin's work: it edits the latest saved form (RetrieveUnpublishedMultiple), not
 * the published one — a plain read of systemforms returns the published form, and saving an edited
 * copy of that, then publishing, would throw away what the admin saved but did not publish yet
 * (Web API reference: RetrieveUnpublishedMultiple function, bound to the systemform entity set,
 * composable with query options). It keeps values set in the designer, leaves the header copy of
 * the field alone unless asked, refuses to replace another control unless asked, and publishes
 * nothing when nothing changed. Running it again changes nothing. What it changes is shown first,
 * as a short diff per form (--dry-run shows it and saves nothing).
 */
import { API_PATH, type ODataCollection } from "../../core/dataverse/client";
import { allOf, buildQuery, eq } from "../../core/dataverse/odata";
import { resolveConfig } from "../config";
import { CliError, EXIT, type ExitCode } from "../errors";
import { bindControl, ForeignControlError, FormXmlError, type BindResult, type ControlChange, type ControlUse } from "../formXml";
import { reportDryRun } from "../dryRun";
import type { Translate } from "../strings";
import { writeJson } from "../output";
import type { Session } from "../session";
import { publishTables } from "../../core/setup";
import { runPublish } from "./publish";

export const CONTROL_NAME = "mss_MarketoSync.MarketoConfigControl";
/** The manifest's bound property (ControlManifest.Input.xml). */
export const BOUND_PROPERTY = "marketoUser";
const MAIN_FORM = 2;

interface Form {
  formid: string;
  name: string;
  formxml: string | null;
}

export interface BindFormOptions {
  form?: string;
  publish?: boolean;
  includeHeader?: boolean;
  replace?: boolean;
}

const FACTOR_KEYS: Record<string, string> = { "0": "Cli_FormFactorWeb", "1": "Cli_FormFactorTablet", "2": "Cli_FormFactorPhone" };

function useText(u: ControlUse, t: Translate): string {
  const name = u.name ?? t("Cli_BindStandardControl");
  return u.formFactors.length ? `${name} (${u.formFactors.map((f) => t(FACTOR_KEYS[f] ?? f)).join(", ")})` : name;
}

/**
 * What bind-form changes on one form, as a short diff: per control of the field, where it is
 * (tab, section, or header) and its controls before (-) and after (+).
 */
export function changeText(form: string, field: string, changes: ControlChange[], t: Translate): string {
  const lines: string[] = [];
  for (const c of changes) {
    const where = c.place === "body" ? t("Cli_BindWhereBody", { tab: c.tab ?? "?", section: c.section ?? "?" }) : t("Cli_BindWhereHeader");
    lines.push(t("Cli_BindDiffHeader", { form, field, where }));
    lines.push(`  - ${c.before.map((u) => useText(u, t)).join(", ")}`);
    lines.push(`  + ${c.after.map((u) => useText(u, t)).join(", ")}`);
  }
  return lines.join("\n") + "\n";
}

export async function bindForm(session: Session, options: BindFormOptions): Promise<ExitCode> {
  const { io, t, out } = session;
  const { client } = await session.connection();
  const config = await resolveConfig(client, session.opts);
  const field = config.attribute;
  const control = await client.get<ODataCollection<{ name: string }>>("customcontrols" + buildQuery({ select: ["name"], filter: eq("name", CONTROL_NAME) }));
  if (control.value.length === 0) throw new CliError(EXIT.failed, "Cli_BindNoControl", { control: CONTROL_NAME });

  const mainForms = await client.get<ODataCollection<Form>>(
    "systemforms/Microsoft.Dynamics.CRM.RetrieveUnpublishedMultiple()" +
      buildQuery({ select: ["formid", "name", "formxml"], filter: allOf([eq("objecttypecode", config.entity), `type eq ${MAIN_FORM}`]) }),
  );
  let forms = mainForms.value;
  if (options.form !== undefined) {
    // Matched here rather than in $filter, to list the forms that exist when none matches.
    // Dataverse compares text without case; so does this.
    const wanted = options.form.trim().toLowerCase();
    forms = forms.filter((f) => f.name.trim().toLowerCase() === wanted);
    if (forms.length === 0 && mainForms.value.length > 0) {
      throw new CliError(EXIT.failed, "Cli_BindFormNotFound", { form: options.form, table: config.displayName, forms: mainForms.value.map((f) => f.name).join(", ") });
    }
  }

  // Every form is worked out before anything is saved, so a refusal leaves all of them as they were.
  const plans: Array<{ form: Form; bound: BindResult }> = [];
  const headerOnly: Form[] = [];
  for (const form of forms) {
    try {
      plans.push({ form, bound: bindControl(form.formxml ?? "", { field, controlName: CONTROL_NAME, property: BOUND_PROPERTY, includeHeader: options.includeHeader, replace: options.replace }) });
    } catch (e) {
      if (e instanceof FormXmlError && e.problem === "noField") continue;
      if (e instanceof FormXmlError && e.problem === "headerOnly") headerOnly.push(form);
      else if (e instanceof ForeignControlError) throw new CliError(EXIT.failed, "Cli_BindForeignControl", { form: form.name, field, controls: e.controls.join(", "), control: CONTROL_NAME });
      else if (e instanceof FormXmlError) throw new CliError(EXIT.failed, "Cli_BindFormXml", { form: form.name }, e.message);
      else throw e;
    }
  }
  if (plans.length === 0 && headerOnly.length > 0) throw new CliError(EXIT.failed, "Cli_BindHeaderOnly", { form: headerOnly[0].name, field });
  if (plans.length === 0) throw new CliError(EXIT.failed, "Cli_BindNoForm", { table: config.displayName, field, form: options.form ?? "" });

  const say = (key: string, params: Record<string, string | number>) => {
    if (!out.json) io.out(t(key, params) + "\n");
  };
  const results: Array<{ formId: string; name: string; changed: boolean; controls: string[]; replaced: string[]; headerSkipped: number; changes: ControlChange[] }> = [];
  const dryRun = session.runtime.dryRun;
  for (const { form, bound } of plans) {
    // Shown before it is saved, so a log says what was about to change even if the save fails.
    if (bound.changed && !out.json) io.out(changeText(form.name, field, bound.changes, t));
    if (bound.changed) await client.update("systemforms", form.formid, { formxml: bound.xml });
    results.push({
      formId: form.formid,
      name: form.name,
      changed: bound.changed,
      controls: bound.controls,
      replaced: bound.replaced,
      headerSkipped: bound.headerSkipped,
      changes: bound.changes,
    });
    if (dryRun) continue;
    say(bound.changed ? "Cli_BindDone" : "Cli_BindAlready", { form: form.name, field, control: CONTROL_NAME });
    if (bound.replaced.length) say("Cli_BindReplaced", { form: form.name, controls: bound.replaced.join(", ") });
    if (bound.headerSkipped) say("Cli_BindHeaderSkipped", { form: form.name, field });
  }
  for (const form of headerOnly) say("Cli_BindHeaderOnly", { form: form.name, field });

  const changed = plans.some((p) => p.bound.changed);
  if (dryRun) {
    if (changed && options.publish !== false) dryRun.add("POST", `${(await session.connection()).orgUrl}${API_PATH}PublishXml`, `entity ${config.entity}`);
    return reportDryRun(session, { table: config.entity, field, forms: results });
  }
  let published = false;
  if (!changed) {
    say("Cli_BindNothingToPublish", { table: config.displayName });
  } else if (options.publish !== false) {
    // Waits, and says so, while another import or publish holds Dataverse's solution lock.
    await runPublish(session, client, (o) => publishTables(client, [config.entity], o), t("Cli_BindPublishing", { table: config.displayName }));
    published = true;
    say("Cli_BindPublished", { table: config.displayName });
  }
  if (out.json) writeJson(io, { table: config.entity, field, forms: results, published });
  return EXIT.ok;
}
