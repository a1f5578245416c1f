/** `connection-info`: the values Marketo's step 3 asks for. Never the secret. */
import { resolveConfig } from "../config";
import { EXIT, type ExitCode } from "../errors";
import { paint, writeJson } from "../output";
import type { Session } from "../session";

interface OrganizationDetail {
  Detail?: { TenantId?: string; Endpoints?: { Keys?: string[]; Values?: string[] } };
}

export async function connectionInfo(session: Session): Promise<ExitCode> {
  const { io, t, out } = session;
  const { client, orgUrl } = await session.connection();
  const org = await client.callFunction<OrganizationDetail>("RetrieveCurrentOrganization", { AccessType: { raw: "Microsoft.Dynamics.CRM.EndpointAccessType'Default'" } });
  const endpoint = (key: string) => {
    const i = org.Detail?.Endpoints?.Keys?.indexOf(key) ?? -1;
    return i >= 0 ? org.Detail?.Endpoints?.Values?.[i] : undefined;
  };
  const config = await resolveConfig(client, session.opts);
  let user: { applicationid?: string | null; internalemailaddress?: string | null } = {};
  if (config.savedUserId) user = await client.get(`systemusers(${config.savedUserId})?$select=applicationid,internalemailaddress`);
  const info = {
    orgUrl: (endpoint("WebApplication") ?? orgUrl).replace(/\/+$/, ""),
    organizationServiceUrl: endpoint("OrganizationService") ?? null,
    tenantId: org.Detail?.TenantId ?? null,
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
  const labels = rows.map(([k]) => t(k));
  const width = Math.max(...labels.map((l) => l.length));
  rows.forEach(([, value], i) => io.out(`${labels[i].padEnd(width)}  ${value ?? paint(out.colour, "33", t("Connection_NotAvailable"))}\n`));
  io.out("\n" + t("Connection_UrlWarning") + "\n");
  return EXIT.ok;
}
