/** `connection-info`: the values Marketo's step 3 asks for. Never the secret. */
import { buildQuery, recordPath } from "../../core/dataverse/odata";
import { readOrganization } from "../../core/setup/load";
import { resolveConfig } from "../config";
import { EXIT, type ExitCode } from "../errors";
import { connectionRows, writeJson } from "../output";
import type { Session } from "../session";

export async function connectionInfo(session: Session): Promise<ExitCode> {
  const { io, t, out } = session;
  const { client, orgUrl } = await session.connection();
  const org = readOrganization(await client.callFunction<Record<string, unknown>>("RetrieveCurrentOrganization", { AccessType: { raw: "Microsoft.Dynamics.CRM.EndpointAccessType'Default'" } }));
  const config = await resolveConfig(client, session.opts);
  let user: { applicationid?: string | null; internalemailaddress?: string | null } = {};
  if (config.savedUserId) user = await client.get(recordPath("systemusers", config.savedUserId) + buildQuery({ select: ["applicationid", "internalemailaddress"] }));
  const info = {
    orgUrl: (org.webApplicationUrl ?? orgUrl).replace(/\/+$/, ""),
    organizationServiceUrl: org.organizationServiceUrl ?? null,
    tenantId: org.tenantId ?? null,
    clientId: user.applicationid ?? null,
    username: user.internalemailaddress ?? null,
  };
  if (out.json) {
    writeJson(io, info);
    return EXIT.ok;
  }
  const rows: Array<[string, string | null]> = [
    ["Connection_OrgUrl", info.orgUrl],
    ["Connection_OrgServiceUrl", info.organizationServiceUrl],
    ["Connection_TenantId", info.tenantId],
    ["Connection_ClientId", info.clientId],
    ["Connection_Username", info.username],
  ];
  io.out(connectionRows(rows, t, { colour: out.colour }));
  io.out("\n" + t("Connection_UrlWarning") + "\n");
  return EXIT.ok;
}
