/**
 * Holding Dataverse's solution lock on the devserver for tests: a real ImportSolutionAsync that runs
 * until the test says it is over (no wall clock: the job's start is moved back, the next request sees
 * it completed).
 */
import { strToU8, zipSync } from "fflate";
import type { DevServer } from "../../devserver/server";
import { APP, ORG, SECRET } from "../../devserver/fixtures/ids";

const API = "/api/data/v9.2/";

/** The smallest solution Dataverse (and the devserver) imports: the three root files, no components. */
export function minimalSolutionZip(uniqueName = "LockTestSolution", version = "1.0.0.0"): string {
  const solution = `<ImportExportXml version="9.2" SolutionPackageVersion="9.2"><SolutionManifest><UniqueName>${uniqueName}</UniqueName><LocalizedNames><LocalizedName description="Lock test" languagecode="1033" /></LocalizedNames><Version>${version}</Version><Managed>0</Managed><Publisher><UniqueName>locktest</UniqueName><LocalizedNames><LocalizedName description="Lock test" languagecode="1033" /></LocalizedNames><EMailAddress /><SupportingWebsiteUrl /><CustomizationPrefix>lt</CustomizationPrefix><CustomizationOptionValuePrefix>10000</CustomizationOptionValuePrefix></Publisher><RootComponents /></SolutionManifest></ImportExportXml>`;
  const customizations = "<ImportExportXml><Entities /><Roles /><Workflows /></ImportExportXml>";
  const types = '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/octet-stream" /></Types>';
  const zip = zipSync({ "solution.xml": strToU8(solution), "customizations.xml": strToU8(customizations), "[Content_Types].xml": strToU8(types) });
  // btoa, not Buffer: the component tests run this in jsdom.
  let binary = "";
  for (const byte of zip) binary += String.fromCharCode(byte);
  return btoa(binary);
}

async function authHeaders(server: DevServer, auth: "session" | "token"): Promise<Record<string, string>> {
  if (auth === "session") return {};
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: APP.marketoSync, client_secret: SECRET.marketoSync, scope: `${server.url}/.default` });
  const r = await fetch(`${server.url}/${ORG.tenantId}/oauth2/v2.0/token`, { method: "POST", body: form });
  const { access_token } = (await r.json()) as { access_token: string };
  return { Authorization: `Bearer ${access_token}` };
}

export interface HeldImport {
  asyncOperationId: string;
  importJobId: string;
  /** Ends the import now: the next request to the devserver finds it completed. */
  finish(): void;
}

/** Starts an import that runs until `finish()` (the org's import duration is set to an hour meanwhile). */
export async function holdImport(server: DevServer, options: { auth?: "session" | "token"; uniqueName?: string } = {}): Promise<HeldImport> {
  server.org.importDurationMs = 60 * 60_000;
  const r = await fetch(`${server.url}${API}ImportSolutionAsync`, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json", ...(await authHeaders(server, options.auth ?? "session")) },
    body: JSON.stringify({ CustomizationFile: minimalSolutionZip(options.uniqueName), OverwriteUnmanagedCustomizations: false, PublishWorkflows: false }),
  });
  if (r.status !== 200) throw new Error(`ImportSolutionAsync: ${r.status} ${await r.text()}`);
  const body = (await r.json()) as { AsyncOperationId: string; ImportJobKey: string };
  return {
    asyncOperationId: body.AsyncOperationId,
    importJobId: body.ImportJobKey,
    finish: () => {
      const job = server.org.jobs.find((j) => j.id === body.AsyncOperationId);
      if (job) job.startedAt = Date.now() - job.durationMs;
    },
  };
}
