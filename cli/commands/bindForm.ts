/**
 * `bind-form`: puts the control on the Marketo User field of the Marketo Config main form(s), for
 * web, tablet and phone, keeping the standard lookup as fallback; then publishes that table.
 * Running it again changes nothing (no duplicate customControl).
 */
import type { ODataCollection } from "../../core/dataverse/client";
import { allOf, buildQuery, eq } from "../../core/dataverse/odata";
import { resolveConfig } from "../config";
import { CliError, EXIT, type ExitCode } from "../errors";
import { bindControl, FormXmlError } from "../formXml";
import { writeJson } from "../output";
import type { Session } from "../session";

export const CONTROL_NAME = "mss_MarketoSync.MarketoConfigControl";
/** The manifest's bound property (ControlManifest.Input.xml). */
export const BOUND_PROPERTY = "marketoUser";
const MAIN_FORM = 2;

interface Form {
  formid: string;
  name: string;
  formxml: string;
}

export async function bindForm(session: Session, options: { form?: string; publish?: boolean }): Promise<ExitCode> {
  const { io, t, out } = session;
  const { client } = await session.connection();
  const config = await resolveConfig(client, session.opts);
  const control = await client.get<ODataCollection<{ name: string }>>("customcontrols" + buildQuery({ select: ["name"], filter: eq("name", CONTROL_NAME) }));
  if (control.value.length === 0) throw new CliError(EXIT.failed, "Cli_BindNoControl", { control: CONTROL_NAME });

  const forms = await client.get<ODataCollection<Form>>(
    "systemforms" +
      buildQuery({ select: ["formid", "name", "formxml"], filter: allOf([eq("objecttypecode", config.entity), `type eq ${MAIN_FORM}`, options.form ? eq("name", options.form) : ""]) }),
  );
  const withField = forms.value.filter((f) => new RegExp(`datafieldname="${config.attribute}"`, "i").test(f.formxml ?? ""));
  if (withField.length === 0) throw new CliError(EXIT.failed, "Cli_BindNoForm", { table: config.displayName, field: config.attribute, form: options.form ?? "" });

  const results: Array<{ formId: string; name: string; changed: boolean }> = [];
  for (const form of withField) {
    let bound;
    try {
      bound = bindControl(form.formxml, { field: config.attribute, controlName: CONTROL_NAME, property: BOUND_PROPERTY });
    } catch (e) {
      if (e instanceof FormXmlError) throw new CliError(EXIT.failed, "Cli_BindFormXml", { form: form.name }, e.message);
      throw e;
    }
    if (bound.changed) await client.update("systemforms", form.formid, { formxml: bound.xml });
    results.push({ formId: form.formid, name: form.name, changed: bound.changed });
    if (!out.json) io.out(t(bound.changed ? "Cli_BindDone" : "Cli_BindAlready", { form: form.name, field: config.attribute, control: CONTROL_NAME }) + "\n");
  }
  let published = false;
  if (options.publish !== false) {
    const parameterXml = `<importexportxml><entities><entity>${config.entity}</entity></entities><nodes/><securityroles/><settings/><workflows/></importexportxml>`;
    await client.callAction("PublishXml", { ParameterXml: parameterXml }, { timeoutMs: 10 * 60_000 });
    published = true;
    if (!out.json) io.out(t("Cli_BindPublished", { table: config.displayName }) + "\n");
  }
  if (out.json) writeJson(io, { table: config.entity, field: config.attribute, forms: results, published });
  return EXIT.ok;
}
