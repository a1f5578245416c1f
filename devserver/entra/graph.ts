/**
 * Microsoft Graph v1.0, the part that registers an app: applications (create, list with
 * `$filter=displayName eq '…'` / `appId eq '…'`, get by id or `(appId='…')`, delete, addPassword,
 * removePassword) and servicePrincipals (create, list with `$filter=appId eq '…'`, get). Served at
 * `<origin>/graph/v1.0/…`; the real base is https://graph.microsoft.com/v1.0.
 *
 * Sources (Microsoft Graph v1.0 reference): "Create application", "List applications", "Get
 * application", "application: addPassword", "application: removePassword", "Create
 * servicePrincipal", "List servicePrincipals", "Microsoft Graph error responses and resource types"
 * (`{error:{code,message,innerError:{date,request-id,client-request-id}}}`), "Authentication and
 * authorization basics" (401 InvalidAuthenticationToken, 403 Authorization_RequestDenied
 * "Insufficient privileges to complete the operation."). The duplicate service principal answer
 * (409 Request_MultipleObjectsWithSameKeyValue) is as reported in
 * Azure/reliable-web-app-pattern-java#185 and KelvinTegelaar/CIPP#1142.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Auth, IssuedToken } from "../auth";
import type { ApiResponse } from "../context";
import type { Org } from "../store";
import type { EntraApplication, PasswordCredential, ServicePrincipal } from "./directory";

export const GRAPH_PREFIX = "/graph/v1.0/";

const SIGN_IN_AUDIENCES = ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"];
/** Delegated permissions that let an admin manage app registrations (any one suffices). */
const WRITE_PERMISSIONS = ["application.readwrite.all", "directory.accessasuser.all", ".default"];
const READ_PERMISSIONS = [...WRITE_PERMISSIONS, "application.read.all", "directory.read.all"];
const DOMAIN_READ = ["domain.read.all", "domain.readwrite.all", "directory.read.all", "directory.readwrite.all", "directory.accessasuser.all", ".default"];

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GraphRequest {
  method: string;
  /** Path after /graph/v1.0/, still encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export function graphRoute(org: Org, auth: Auth, origin: string, req: GraphRequest): ApiResponse {
  const clientRequestId = (req.headers["client-request-id"] as string | undefined) ?? randomUUID();
  const requestId = randomUUID();
  const ids = { "request-id": requestId, "client-request-id": clientRequestId };
  try {
    const token = authorize(auth, req.headers);
    const answer = dispatch(org, token, `${origin}${GRAPH_PREFIX}`, req);
    return {
      status: answer.status,
      headers: {
        ...ids,
        ...(answer.body === undefined ? {} : { "Content-Type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8" }),
        ...(answer.headers ?? {}),
      },
      body: answer.body === undefined ? "" : JSON.stringify(answer.body),
    };
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    const body = { error: { code: e.code, message: e.message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ""), "request-id": requestId, "client-request-id": clientRequestId } } };
    const challenge: Record<string, string> =
      e.status === 401
        ? { "WWW-Authenticate": `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"` }
        : {};
    return { status: e.status, headers: { ...ids, ...challenge, "Content-Type": "application/json" }, body: JSON.stringify(body) };
  }
}

function authorize(auth: Auth, headers: IncomingHttpHeaders): IssuedToken {
  const { raw, token } = auth.tokenFor(headers);
  if (!raw) throw new GraphError(401, "InvalidAuthenticationToken", "Access token is empty.");
  if (!token) throw new GraphError(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed, there are no dots (.).");
  if (token.audience !== "graph") throw new GraphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
  if (token.expiresAt <= Date.now()) throw new GraphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
  return token;
}

const denied = () => new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

/** App-only tokens hold no Graph application permission in the stand-in; a user's token needs one of `wanted`, delegated. */
function requirePermission(token: IssuedToken, wanted: string[]): void {
  if (!(token.kind === "delegated" && token.permissions.some((p) => wanted.includes(p.toLowerCase())))) throw denied();
}

/**
 * What a signed-in user may change, as in a tenant with Entra's default user permissions: members
 * read the directory and, while "Users can register applications" is on, register apps and become
 * their owners; an owner manages its app (secrets, its service principal); an Application
 * Administrator (or higher) manages any. Sources: Entra "Default user permissions" and "Delegate app
 * registration permissions"; Graph "Create servicePrincipal" (as clarified in
 * microsoftgraph/microsoft-graph-docs#16138: without an admin role the user must own the application).
 */
function requireManager(org: Org, token: IssuedToken, app: EntraApplication | "new"): void {
  const user = token.userId!;
  if (org.entra.applicationAdministrators.has(user)) return;
  if (app === "new" ? org.entra.usersCanRegisterApps : app.owners.includes(user)) return;
  throw denied();
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const notFound = (id: string) => new GraphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
const badRequest = (message: string) => new GraphError(400, "Request_BadRequest", message);

function readBody(req: GraphRequest): Record<string, unknown> {
  if (!req.body.trim()) return {};
  try {
    const v = JSON.parse(req.body);
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
}

const applicationJson = (a: EntraApplication) => ({
  id: a.id,
  appId: a.appId,
  displayName: a.displayName,
  signInAudience: a.signInAudience,
  createdDateTime: a.createdDateTime,
  isFallbackPublicClient: a.isFallbackPublicClient,
  publisherDomain: "contoso.onmicrosoft.com",
  identifierUris: [],
  // Graph never returns a secret after addPassword: secretText is null here.
  passwordCredentials: a.passwordCredentials.map((p) => passwordJson(p, null)),
  keyCredentials: [],
  requiredResourceAccess: [],
});

const passwordJson = (p: PasswordCredential, secretText: string | null) => ({
  customKeyIdentifier: null,
  displayName: p.displayName,
  endDateTime: p.endDateTime,
  hint: p.hint,
  keyId: p.keyId,
  secretText,
  startDateTime: p.startDateTime,
});

const servicePrincipalJson = (s: ServicePrincipal) => ({ ...s, appDisplayName: s.displayName, servicePrincipalNames: [s.appId] });

/** `$filter` forms the stand-in reads: `<property> eq '<literal>'` with doubled quotes. */
function filterBy<T extends object>(items: T[], filter: string | null, allowed: string[]): T[] {
  if (filter === null) return items;
  const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(filter);
  if (!m || !allowed.includes(m[1]))
    throw new GraphError(
      400,
      "Request_UnsupportedQuery",
      `Unsupported or invalid query filter clause specified for property '${m?.[1] ?? filter}' (the devserver reads only ${allowed.map((p) => `${p} eq '…'`).join(", ")}).`,
    );
  const value = m[2].replace(/''/g, "'");
  // Graph compares these properties case-insensitively.
  return items.filter((i) => String((i as Record<string, unknown>)[m[1]] ?? "").toLowerCase() === value.toLowerCase());
}

function list<T extends object>(base: string, set: string, items: T[], req: GraphRequest, allowed: string[], toJson: (t: T) => object): Answer {
  let rows = filterBy(items, req.query.get("$filter"), allowed).map(toJson) as Record<string, unknown>[];
  const top = req.query.get("$top");
  if (top !== null) rows = rows.slice(0, Math.max(0, Number(top) || 0));
  const select = req.query.get("$select");
  if (select) {
    const keep = select.split(",").map((s) => s.trim());
    rows = rows.map((r) => Object.fromEntries(keep.filter((k) => k in r).map((k) => [k, r[k]])));
  }
  return { status: 200, body: { "@odata.context": `${base}$metadata#${set}`, value: rows } };
}

function dispatch(org: Org, token: IssuedToken, base: string, req: GraphRequest): Answer {
  const directory = org.entra;
  const parts = req.path
    .split("/")
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  // Graph "List domains": a delegated Domain.Read.All, Domain.ReadWrite.All, Directory.Read.All (or more);
  // Application.ReadWrite.All alone does not read them. authenticationType is "Managed" or "Federated".
  if (parts[0] === "domains" && parts.length === 1) {
    requirePermission(token, DOMAIN_READ);
    if (req.method !== "GET") throw new GraphError(405, "Request_BadRequest", `The HTTP method '${req.method}' is not allowed on this resource.`);
    const domains = directory.domains.map((d) => ({ ...d, isVerified: true, isRoot: true, isInitial: d.id.endsWith(".onmicrosoft.com"), supportedServices: ["Email", "OfficeCommunicationsOnline"] }));
    return list(base, "domains", domains, req, ["authenticationType"], (d) => d);
  }
  const m = /^(applications|servicePrincipals)(?:\(appId='([^']*)'\))?$/.exec(parts[0] ?? "");
  if (!m) throw new GraphError(400, "BadRequest", `Resource not found for the segment '${parts[0] ?? ""}'.`);
  const [, collection, altKey] = m;
  // `applications/{id}/op` or `applications(appId='…')/op`
  const key = altKey ?? parts[1];
  const op = altKey !== undefined ? parts[1] : parts[2];
  if (parts.length > (altKey !== undefined ? 2 : 3)) throw new GraphError(400, "BadRequest", `Resource not found for the segment '${parts.at(-1)}'.`);
  requirePermission(token, req.method === "GET" ? READ_PERMISSIONS : WRITE_PERMISSIONS);
  const notAllowed = () => new GraphError(405, "Request_BadRequest", `The HTTP method '${req.method}' is not allowed on this resource.`);

  if (collection === "applications") {
    if (key === undefined) {
      if (req.method === "GET") return list(base, "applications", [...directory.applications.values()], req, ["displayName", "appId"], applicationJson);
      if (req.method !== "POST") throw notAllowed();
      const body = readBody(req);
      requireManager(org, token, "new");
      if (typeof body.displayName !== "string" || !body.displayName.trim()) throw badRequest("Property 'displayName' is required and must be a non-empty string.");
      const audience = body.signInAudience ?? "AzureADMyOrg";
      if (typeof audience !== "string" || !SIGN_IN_AUDIENCES.includes(audience)) throw badRequest("Invalid value specified for property 'signInAudience' of resource 'Application'.");
      const app = directory.addApplication({
        displayName: body.displayName,
        signInAudience: audience,
        isFallbackPublicClient: typeof body.isFallbackPublicClient === "boolean" ? body.isFallbackPublicClient : null,
        owner: token.userId,
      });
      directory.lagFor("servicePrincipals", app.appId);
      directory.lagFor("addPassword", app.id);
      return {
        status: 201,
        body: { "@odata.context": `${base}$metadata#applications/$entity`, ...applicationJson(app) },
        headers: { Location: `${base}directoryObjects/${app.id}/Microsoft.DirectoryServices.Application` },
      };
    }
    const app = altKey !== undefined ? directory.applicationByAppId(key) : directory.applications.get(key.toLowerCase());
    if (!app) throw notFound(key);
    if (req.method !== "GET") requireManager(org, token, app);
    if (op === undefined) return single(req, app, base, directory);
    if (req.method !== "POST") throw notAllowed();
    if (op === "addPassword") {
      // A new app on a replica that does not have it yet (Directory.propagationMisses).
      if (directory.notYetSeen("addPassword", app.id)) throw notFound(key);
      return addPassword(req, app, base, directory);
    }
    if (op === "removePassword") return removePassword(req, app);
    throw new GraphError(400, "BadRequest", `Resource not found for the segment '${op}'.`);
  }

  if (key === undefined) {
    if (req.method === "GET") return list(base, "servicePrincipals", [...directory.servicePrincipals.values()], req, ["appId", "displayName"], servicePrincipalJson);
    if (req.method !== "POST") throw notAllowed();
    const body = readBody(req);
    const appId = typeof body.appId === "string" ? body.appId.toLowerCase() : "";
    const app = appId ? directory.applicationByAppId(appId) : undefined;
    // Text as reported for an appId with no application behind it (uncertain; 400 is Graph's status for bad input).
    if (app) requireManager(org, token, app);
    if (!app || directory.notYetSeen("servicePrincipals", appId)) throw badRequest(`The appId '${appId}' of the service principal does not reference a valid application object.`);
    if (directory.servicePrincipalByAppId(appId)) {
      throw new GraphError(
        409,
        "Request_MultipleObjectsWithSameKeyValue",
        `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`,
      );
    }
    const sp = directory.addServicePrincipal(app);
    directory.lagFor("applicationUser", sp.appId);
    return { status: 201, body: { "@odata.context": `${base}$metadata#servicePrincipals/$entity`, ...servicePrincipalJson(sp) } };
  }
  const sp = altKey !== undefined ? directory.servicePrincipalByAppId(key) : directory.servicePrincipals.get(key.toLowerCase());
  if (!sp) throw notFound(key);
  if (op !== undefined) throw new GraphError(400, "BadRequest", `Resource not found for the segment '${op}'.`);
  if (req.method === "GET") return { status: 200, body: { "@odata.context": `${base}$metadata#servicePrincipals/$entity`, ...servicePrincipalJson(sp) } };
  if (req.method === "DELETE") {
    const owned = directory.applicationByAppId(sp.appId);
    if (owned) requireManager(org, token, owned);
    else if (!directory.applicationAdministrators.has(token.userId!)) throw denied();
    directory.servicePrincipals.delete(sp.id);
    return { status: 204 };
  }
  throw notAllowed();
}

function single(req: GraphRequest, app: EntraApplication, base: string, directory: Org["entra"]): Answer {
  if (req.method === "GET") return { status: 200, body: { "@odata.context": `${base}$metadata#applications/$entity`, ...applicationJson(app) } };
  if (req.method === "DELETE") {
    directory.deleteApplication(app);
    return { status: 204 };
  }
  throw new GraphError(405, "Request_BadRequest", `The HTTP method '${req.method}' is not allowed on this resource.`);
}

function addPassword(req: GraphRequest, app: EntraApplication, base: string, directory: Org["entra"]): Answer {
  const body = readBody(req);
  const input = (body.passwordCredential ?? {}) as Record<string, unknown>;
  const start = typeof input.startDateTime === "string" ? input.startDateTime : new Date().toISOString();
  const end = typeof input.endDateTime === "string" ? input.endDateTime : undefined;
  if ((end !== undefined && Number.isNaN(Date.parse(end))) || Number.isNaN(Date.parse(start))) throw badRequest("Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.");
  if (end !== undefined && Date.parse(end) <= Date.parse(start))
    throw badRequest("Invalid value specified for property 'endDateTime' of resource 'PasswordCredential': it must be later than startDateTime.");
  const { credential, secretText } = directory.addPassword(app, { displayName: typeof input.displayName === "string" ? input.displayName : null, startDateTime: start, endDateTime: end });
  directory.lagFor("signIn", credential.keyId);
  // The only place the secret is ever sent: this response (Graph does the same).
  return { status: 200, body: { "@odata.context": `${base}$metadata#microsoft.graph.passwordCredential`, ...passwordJson(credential, secretText) } };
}

function removePassword(req: GraphRequest, app: EntraApplication): Answer {
  const keyId = String(readBody(req).keyId ?? "").toLowerCase();
  const index = app.passwordCredentials.findIndex((p) => p.keyId === keyId);
  // Not documented: our reading is a 400 for a key that is not on the app.
  if (index < 0) throw badRequest(`No password credential with keyId '${keyId}' exists on application '${app.id}'.`);
  app.passwordCredentials.splice(index, 1);
  return { status: 204 };
}
