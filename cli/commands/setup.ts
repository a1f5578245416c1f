/**
 * `setup`: the whole of Marketo's step 2 in one run, signed in as an admin (device code):
 * 1. the Entra app (single tenant), its service principal, a client secret with the chosen expiry
 *    (shown once, or written to a 0600 file);
 * 2. its application user, the sync role, the Marketo User, the plugin steps, a publish;
 * 3. the checklist signed in with the new credentials, as Marketo's Validate Sync signs in, and the
 *    values Marketo's step 3 asks for.
 * Found by the app's display name: a second run reuses the app, its service principal and its user
 * and sends no change (a new secret only with --new-secret).
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { readOrganization } from "../../core/setup/load";
import { adminSession } from "../adminSession";
import { ensureApplicationUser } from "../applicationUser";
import { connect, SECRET_ENV } from "../connection";
import { reportDryRun } from "../dryRun";
import { CliError, EXIT, type ExitCode } from "../errors";
import { DEFAULT_GRAPH_URL, GraphClient, type GraphApplication } from "../graph";
import { checklistText, connectionRows, jsonHeader, renderChecks, writeJson } from "../output";
import { loadSetup, type Session } from "../session";
import { onceVisible, type PropagationContext } from "../propagation";
import { makeSyncUser } from "../syncUser";
import { verifyExitCode } from "./verify";

export interface SetupOptions {
  appName: string;
  secretExpiry: string;
  secretFile?: string;
  showSecret?: boolean;
  newSecret?: boolean;
  businessUnit?: string;
  enable?: boolean;
  setupClientId?: string;
  graphUrl?: string;
}

export const DEFAULT_APP_NAME = "Marketo Integration";
const PLACEHOLDER_APP_ID = "00000000-0000-0000-0000-000000000000";
const SECRET_NAME = "Marketo sync (marketo-dynamics setup)";

/** `6m`, `12m`, `24m` (months from now) or a date `YYYY-MM-DD` in the future: the secret's end. */
export function secretEnd(value: string, now: number): string {
  const months = /^(\d{1,2})m$/i.exec(value.trim());
  if (months && Number(months[1]) >= 1 && Number(months[1]) <= 24) {
    const d = new Date(now);
    d.setUTCMonth(d.getUTCMonth() + Number(months[1]));
    return d.toISOString();
  }
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? Date.parse(`${value.trim()}T00:00:00Z`) : NaN;
  if (!Number.isNaN(date) && date > now) return new Date(date).toISOString();
  throw new CliError(EXIT.usage, "Cli_Setup_BadExpiry", { value });
}

/**
 * A new file, mode 0600 from its creation, renamed over the target: writing into an existing file
 * (mode 0644, say) and narrowing it afterwards would leave the secret readable by others meanwhile.
 */
async function writePrivateFile(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o600, flag: "wx" });
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** Where the new secret goes: a 0600 file, or stdout once, marked; never both, never a log. */
async function deliverSecret(session: Session, secret: string, options: SetupOptions, end: string): Promise<"file" | "stdout" | "json"> {
  const { io, t, out } = session;
  if (options.secretFile) {
    await writePrivateFile(options.secretFile, secret + "\n");
    return "file";
  }
  if (out.json) return "json";
  // The raw stream: everything written through io is scrubbed of the secret from now on.
  io.stdout.write(`\n${t("Cli_Setup_SecretBanner", { end: end.slice(0, 10) })}\n\n    ${secret}\n\n${t("Cli_Setup_SecretOnce")}\n\n`);
  return "stdout";
}

/** Graph's answer to a request about an object another replica has not received yet (cli/propagation.ts). */
const graphAnswered = (status: number, text: RegExp) => (e: unknown) => e instanceof CliError && e.key === "Cli_Setup_GraphFailed" && e.params.status === status && text.test(e.details ?? "");

/** The app registration, found by its display name or created; several with the name is the admin's call. */
async function ensureApp(graph: GraphClient, name: string, dryRun: boolean): Promise<{ app: GraphApplication; created: boolean }> {
  const found = await graph.applicationsNamed(name);
  if (found.length > 1) throw new CliError(EXIT.usage, "Cli_Setup_AppAmbiguous", { name, ids: found.map((a) => a.appId).join(", ") });
  if (found[0]) return { app: found[0], created: false };
  const app = await graph.createApplication(name);
  return { app: dryRun ? { id: "<new>", appId: PLACEHOLDER_APP_ID, displayName: name } : app, created: true };
}

/** The app's secret kept from an earlier run, and where it was read: what the messages about it name. */
async function existingSecret(session: Session, options: SetupOptions): Promise<{ secret: string; from: "file" | "env" } | undefined> {
  if (options.secretFile) {
    const text = await readFile(options.secretFile, "utf8").catch(() => "");
    if (text.trim()) return { secret: text.trim(), from: "file" };
  }
  const env = session.io.env[SECRET_ENV];
  return env ? { secret: env, from: "env" } : undefined;
}

export async function setup(base: Session, options: SetupOptions): Promise<ExitCode> {
  const { io, t, out, runtime } = base;
  const now = runtime.clock.now();
  const end = secretEnd(options.secretExpiry, now);
  if (options.secretFile && options.showSecret) throw new CliError(EXIT.usage, "Cli_Setup_SecretTwoPlaces");
  // JSON without a file: the secret would go nowhere unless asked into the document.
  if (out.json && !options.secretFile && !options.showSecret) throw new CliError(EXIT.usage, "Cli_Setup_JsonNeedsSecretPlace");
  const say = (key: string, params: Record<string, string | number> = {}) => out.json || io.out(t(key, params) + "\n");

  const session = await adminSession(base, { setupClientId: options.setupClientId }, true);
  const signIn = session.signIn!;
  const graph = new GraphClient(options.graphUrl ?? DEFAULT_GRAPH_URL, signIn.graphToken, session.fetchImpl, runtime);
  const dry = Boolean(runtime.dryRun);
  const lag: PropagationContext = { io, t, runtime, quiet: out.json };
  // A dry run changes nothing: it says what it found, and lists what it would send (reportDryRun), never "created".
  const sayDone = (key: string, params: Record<string, string | number> = {}) => dry || say(key, params);
  /** One line for a step: what it changed (not in a dry run), or what it found as it was. */
  const tell = (changed: boolean, changedKey: string, foundKey: string, params: Record<string, string | number> = {}) => (changed ? sayDone(changedKey, params) : say(foundKey, params));

  // 1. Microsoft Entra ID.
  const { app, created: appCreated } = await ensureApp(graph, options.appName, dry);
  tell(appCreated, "Cli_Setup_AppCreated", "Cli_Setup_AppFound", { name: app.displayName, clientId: app.appId });
  let spCreated = false;
  if (!(await graph.servicePrincipalOf(app.appId))) {
    // The app was just read or made: a 400 saying it does not exist is the replica lagging.
    await onceVisible("Cli_Propagation_App", () => graph.createServicePrincipal(app.appId), graphAnswered(400, /valid application object|NoBackingApplicationObject/i), lag);
    spCreated = true;
  }
  tell(spCreated, "Cli_Setup_SpCreated", "Cli_Setup_SpFound");
  const needSecret = appCreated || options.newSecret === true || (app.passwordCredentials ?? []).length === 0;
  let secret: string | undefined;
  let secretWentTo: "file" | "stdout" | "json" | undefined;
  /** Where a secret this run did not make was read. */
  let keptFrom: "file" | "env" | undefined;
  if (needSecret) {
    // The app was just read or made (by this run or one seconds ago): a 404 is the replica lagging.
    const credential = await onceVisible("Cli_Propagation_App", () => graph.addPassword(app.id, SECRET_NAME, end), graphAnswered(404, /./), lag);
    if (!dry) {
      secret = credential.secretText;
      io.addSecret(secret);
      secretWentTo = await deliverSecret(session, secret, options, end);
      say(secretWentTo === "file" ? "Cli_Setup_SecretInFile" : "Cli_Setup_SecretCreated", { path: options.secretFile ?? "", end: end.slice(0, 10) });
    }
  } else {
    say("Cli_Setup_SecretKept");
    const kept = await existingSecret(session, options);
    secret = kept?.secret;
    keptFrom = kept?.from;
    if (secret) io.addSecret(secret);
  }

  try {
    // 2. Dataverse, as the admin.
    const { client, orgUrl } = await session.connection();
    const ensured = await onceVisible(
      "Cli_Propagation_Sp",
      () => ensureApplicationUser(client, runtime, app.appId, { businessUnit: options.businessUnit, enable: options.enable, roleName: base.opts.role }),
      // Only Dynamics saying so in words: its refusal code (InvalidArgument) is not specific enough to wait on.
      (e) => spCreated && e instanceof CliError && e.key === "Cli_SyncUser_NoServicePrincipal" && /service principal/i.test(e.details ?? ""),
      lag,
    );
    tell(ensured.created || ensured.enabled, ensured.created ? "Cli_SyncUser_Created" : "Cli_SyncUser_Enabled", "Cli_SyncUser_Exists", { name: ensured.user.fullName, clientId: app.appId });
    const role = base.opts.role;
    const result = await makeSyncUser(session, ensured, {
      stepsAndPublish: true,
      afterUser: (r) => {
        tell(r.roleAssigned, "Cli_RoleAssigned", "Cli_RoleAlreadyAssigned", { role, name: ensured.user.fullName });
        tell(r.userSaved, "Cli_SyncUser_Saved", "Cli_SyncUser_AlreadySaved", { name: ensured.user.fullName });
      },
      afterSteps: (r) => {
        if (r.stepsEnabled.length) sayDone("Cli_StepsEnabled", { count: r.stepsEnabled.length, names: r.stepsEnabled.join(", ") });
        if (r.stepsSkipped.length) io.err(t(r.stepsSkipped.length === 1 ? "Cli_StepsLockedOne" : "Cli_StepsLockedMany", { locked: r.stepsSkipped.join(", ") }) + "\n");
      },
    });
    if (result.published) sayDone("Cli_Setup_Published");
    const entra = { app: { name: app.displayName, clientId: app.appId, objectId: app.id, created: appCreated }, servicePrincipalCreated: spCreated, newSecret: needSecret };
    if (dry) return reportDryRun(session, { ...entra, user: { created: ensured.created, clientId: app.appId } });

    // 3. The checklist with the new credentials, as Marketo signs in; the admin's own sign-in if the secret is not at hand.
    const asMarketo = secret !== undefined;
    let checkSession: Session = session;
    if (asMarketo) {
      const appIo = { ...io, env: { ...io.env, [SECRET_ENV]: secret } };
      const appOptions = { url: base.opts.url, tenant: base.opts.tenant, clientId: app.appId, authority: base.opts.authority, retries: base.opts.retries };
      const connection = connect(appOptions, appIo, runtime, t, out.json);
      // A secret made seconds ago may be refused as wrong (AADSTS7000215) until every replica has it.
      if (needSecret) {
        const signIn = async () => (await connection).client.callFunction("WhoAmI");
        // A new app or service principal may be unknown to the sign-in a little longer (AADSTS700016, 7000229).
        const fresh = appCreated || spCreated ? ["AADSTS7000215", "AADSTS700016", "AADSTS7000229"] : ["AADSTS7000215"];
        await onceVisible("Cli_Propagation_Secret", signIn, (e) => e instanceof CliError && e.key.startsWith("Cli_Auth_") && fresh.includes(String(e.params.code)), lag);
      }
      checkSession = { ...base, opts: { ...base.opts, clientId: app.appId, marketoCredentials: true }, connection: () => connection };
    } else say("Cli_Setup_CheckedAsAdmin");
    const loaded = await loadSetup(checkSession).catch((e: unknown) => {
      // A kept secret read from --secret-file is named as such when refused, not as the environment variable.
      throw keptFrom === "file" && e instanceof CliError && e.key === "Cli_Auth_BadSecret"
        ? new CliError(e.exitCode, "Cli_Setup_BadSecretInFile", { ...e.params, path: options.secretFile ?? "" }, e.details)
        : e;
    });
    const items = loaded.items;
    const exitCode = verifyExitCode(items, false);
    const org = readOrganization(await client.callFunction<Record<string, unknown>>("RetrieveCurrentOrganization", { AccessType: { raw: "Microsoft.Dynamics.CRM.EndpointAccessType'Default'" } }));
    const step3 = {
      orgUrl: (org.webApplicationUrl ?? orgUrl).replace(/\/+$/, ""),
      tenantId: org.tenantId ?? base.opts.tenant ?? null,
      clientId: app.appId,
      username: ensured.user.email ?? ensured.user.domainName ?? null,
    };
    const checks = renderChecks(items, t);
    // Adobe's step 2, "Azure AD Federated with AD FS On-prem": such a tenant needs a Home Realm Discovery
    // policy for Marketo's app, or Entra ID sends its sign-in to AD FS. Read as the admin; unknown if refused.
    const federatedDomains = await graph.federatedDomains();
    if (out.json) {
      const doc = {
        ...jsonHeader(runtime.clock.now()),
        ...entra,
        user: { id: ensured.user.id, name: ensured.user.fullName, created: ensured.created },
        ...result,
        signedInAsMarketo: asMarketo,
        checks,
        marketoStep3: step3,
        federatedDomains: federatedDomains ?? null,
        exitCode,
      };
      if (secretWentTo === "json" && secret) io.stdout.write(JSON.stringify({ ...doc, clientSecret: secret }, null, 2) + "\n");
      else writeJson(io, { ...entra, user: doc.user, ...result, signedInAsMarketo: asMarketo, checks, marketoStep3: step3, federatedDomains: doc.federatedDomains, exitCode });
      return exitCode;
    }
    io.out("\n" + checklistText(checks, t, out.colour));
    io.out("\n" + t("Cli_Setup_Step3Header") + "\n");
    const rows: Array<[string, string | null]> = [
      ["Connection_OrgUrl", step3.orgUrl],
      ["Connection_TenantId", step3.tenantId],
      ["Connection_ClientId", step3.clientId],
      ["Connection_Username", step3.username],
    ];
    io.out(connectionRows(rows, t, { indent: "  " }));
    const secretLine =
      secretWentTo === "file" || keptFrom === "file"
        ? "Cli_Setup_Step3SecretFile"
        : secretWentTo
          ? "Cli_Setup_Step3Secret"
          : keptFrom === "env"
            ? "Cli_Setup_Step3SecretEnv"
            : "Cli_Setup_Step3SecretKept";
    io.out("  " + t(secretLine, { path: options.secretFile ?? "" }) + "\n");
    if (federatedDomains?.length) io.out("\n" + t("Cli_Setup_Federated", { domains: federatedDomains.join(", "), clientId: app.appId }) + "\n");
    else if (!federatedDomains) io.out("\n" + t("Cli_Setup_FederationUnknown") + "\n");
    return exitCode;
  } catch (e) {
    // --json --show-secret puts the new secret in the result document only: a run stopped after it was
    // made still hands it over, once, on stdout (the error goes to stderr), or a rerun would find a
    // secret on the app and never show it.
    if (secretWentTo === "json" && secret) {
      io.stdout.write(JSON.stringify({ ...jsonHeader(runtime.clock.now()), completed: false, app: { name: app.displayName, clientId: app.appId }, clientSecret: secret }, null, 2) + "\n");
    }
    throw e;
  }
}
