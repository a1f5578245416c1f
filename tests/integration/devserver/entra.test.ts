/**
 * The stand-in's Microsoft Entra ID: device-code sign-in (v2-oauth2-device-code), Microsoft Graph's
 * applications / servicePrincipals / passwords, client-credentials sign-in of a new app to
 * Dataverse, and audiences that do not mix.
 */
import { APP, BU, ENTRA, PUBLIC_CLIENT, SECRET, USER } from "../../../devserver/fixtures/ids";
import { DevServer, startDevServer } from "../../../devserver/server";
import { DEVICE_GRANT, GRAPH_SCOPE, claims, clientCredentials, dataverse, form, graph, signIn } from "./entraHelpers";

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ auth: "token", deviceCodeIntervalSeconds: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const AAD_KEYS = ["error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id"];

function expectAad(r: { status: number; body: Record<string, unknown> }, status: number, error: string, code: number) {
  expect(r.status).toBe(status);
  expect(r.body.error).toBe(error);
  expect(r.body.error_codes).toEqual([code]);
  expect(String(r.body.error_description)).toMatch(new RegExp(`^AADSTS${code}: `));
  for (const k of AAD_KEYS) expect(r.body).toHaveProperty(k);
}

async function adminGraphToken(userId = USER.admin): Promise<string> {
  const r = await signIn(server, userId, PUBLIC_CLIENT.azureCli);
  expect(r.status).toBe(200);
  return String(r.body.access_token);
}

describe("device code sign-in", () => {
  test("pending until the user signs in, then tokens once; the user code is the one the test hook sees", async () => {
    const start = await form(server, "devicecode", { client_id: PUBLIC_CLIENT.azureCli, scope: GRAPH_SCOPE });
    expect(start.status).toBe(200);
    expect(Object.keys(start.body).sort()).toEqual(["device_code", "expires_in", "interval", "message", "user_code", "verification_uri"]);
    expect(start.body).toMatchObject({ expires_in: 900, interval: 0, verification_uri: `${server.url}/devicelogin` });
    expect(String(start.body.message)).toContain(String(start.body.user_code));
    const poll = () => form(server, "token", { grant_type: DEVICE_GRANT, client_id: PUBLIC_CLIENT.azureCli, device_code: String(start.body.device_code) });

    expectAad(await poll(), 400, "authorization_pending", 70016);
    expectAad(await poll(), 400, "authorization_pending", 70016);
    const code = await server.entra.nextDeviceCode();
    expect(code.userCode).toBe(start.body.user_code);
    server.entra.approve(code.userCode, USER.admin);

    const tokens = await poll();
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: "Bearer", scope: "Application.ReadWrite.All openid profile" });
    expect(typeof tokens.body.access_token).toBe("string");
    expect(typeof tokens.body.refresh_token).toBe("string");
    expect(claims(String(tokens.body.id_token))).toMatchObject({ name: "Alex Admin", tid: server.org.organization.TenantId, aud: PUBLIC_CLIENT.azureCli });
    // Redeemed: the code is not recognised any more.
    expectAad(await poll(), 400, "bad_verification_code", 70018);
    expect(server.entra.pendingDeviceCodes()).toEqual([]);
  });

  test("declined, expired, slow_down and an unknown device code answer as documented", async () => {
    const start = async () => (await form(server, "devicecode", { client_id: PUBLIC_CLIENT.azureCli, scope: GRAPH_SCOPE })).body;
    const poll = (device_code: unknown) => form(server, "token", { grant_type: DEVICE_GRANT, client_id: PUBLIC_CLIENT.azureCli, device_code: String(device_code) });

    const declined = await start();
    server.entra.decline(String(declined.user_code));
    expectAad(await poll(declined.device_code), 400, "authorization_declined", 65004);

    const expired = await start();
    server.entra.expire(String(expired.user_code));
    expectAad(await poll(expired.device_code), 400, "expired_token", 70019);

    const slow = await start();
    server.entra.slowDown(String(slow.user_code));
    expect((await poll(slow.device_code)).body.error).toBe("slow_down");
    expect((await poll(slow.device_code)).body.error).toBe("authorization_pending");

    expectAad(await poll("not-a-device-code"), 400, "bad_verification_code", 70018);
  });

  test("the client must exist and be public; one resource per request; only an enabled person can sign in", async () => {
    expectAad(await form(server, "devicecode", { client_id: "0badc0de-0000-0000-0000-000000000000", scope: GRAPH_SCOPE }), 400, "unauthorized_client", 700016);
    expectAad(await form(server, "devicecode", { scope: GRAPH_SCOPE }), 400, "invalid_request", 900144);
    expectAad(await form(server, "devicecode", { client_id: PUBLIC_CLIENT.azureCli, scope: GRAPH_SCOPE }, "00000000-0000-0000-0000-00000000dead"), 400, "invalid_request", 90002);
    expectAad(
      await form(server, "devicecode", { client_id: PUBLIC_CLIENT.azureCli, scope: `https://graph.microsoft.com/Application.ReadWrite.All ${server.url}/user_impersonation` }),
      400,
      "invalid_scope",
      28000,
    );
    expectAad(await form(server, "devicecode", { client_id: PUBLIC_CLIENT.azureCli, scope: "https://elsewhere.example/.default" }), 400, "invalid_resource", 500011);
    // A confidential app (no "Allow public client flows") needs a secret to redeem the code.
    const confidential = await form(server, "devicecode", { client_id: APP.marketoSyncNew, scope: GRAPH_SCOPE });
    server.entra.approve(String(confidential.body.user_code), USER.admin);
    expectAad(await form(server, "token", { grant_type: DEVICE_GRANT, client_id: APP.marketoSyncNew, device_code: String(confidential.body.device_code) }), 401, "invalid_client", 7000218);
    // The organisation's own public client works like Microsoft's.
    expect((await signIn(server, USER.admin, APP.setupCli)).status).toBe(200);

    const code = await form(server, "devicecode", { client_id: PUBLIC_CLIENT.azureCli, scope: GRAPH_SCOPE });
    expect(() => server.entra.approve(String(code.body.user_code), USER.marketoSync)).toThrow(/cannot sign in/);
    expect(() => server.entra.approve(String(code.body.user_code), USER.formerEmployee)).toThrow(/cannot sign in/);
  });

  test("the same sign-in reaches Dataverse through the refresh token, as the signed-in user", async () => {
    const graphTokens = await signIn(server, USER.admin, PUBLIC_CLIENT.azureCli);
    const refreshed = await form(server, "token", {
      grant_type: "refresh_token",
      client_id: PUBLIC_CLIENT.azureCli,
      refresh_token: String(graphTokens.body.refresh_token),
      scope: `${server.url}/user_impersonation openid offline_access`,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.scope).toBe(`${server.url}/user_impersonation openid`);
    const who = await dataverse(server, "GET", "WhoAmI", String(refreshed.body.access_token));
    expect(who.status).toBe(200);
    expect(who.body.UserId).toBe(USER.admin);
    expectAad(await form(server, "token", { grant_type: "refresh_token", client_id: PUBLIC_CLIENT.azureCli, refresh_token: "nope", scope: `${server.url}/.default` }), 400, "invalid_grant", 9002313);
  });

  test("HTTP control routes approve a code for browser and CLI tests", async () => {
    const start = await form(server, "devicecode", { client_id: PUBLIC_CLIENT.azureCli, scope: GRAPH_SCOPE });
    const pending = (await (await fetch(`${server.url}/_devserver/entra/devicecodes`)).json()) as { pending: Array<{ userCode: string }> };
    expect(pending.pending.map((p) => p.userCode)).toEqual([start.body.user_code]);
    const approved = await fetch(`${server.url}/_devserver/entra/devicecodes/approve`, { method: "POST", body: JSON.stringify({ userCode: start.body.user_code, userId: USER.admin }) });
    expect(approved.status).toBe(204);
    const tokens = await form(server, "token", { grant_type: DEVICE_GRANT, client_id: PUBLIC_CLIENT.azureCli, device_code: String(start.body.device_code) });
    expect(tokens.status).toBe(200);
  });
});

describe("Microsoft Graph: register an app, then sign it in to Dataverse", () => {
  test("application, service principal and secret; Dataverse says 'not a member' until the application user exists", async () => {
    const token = await adminGraphToken();
    const created = await graph(server, "POST", "applications", token, { displayName: "Marketo Sync (CLI)", signInAudience: "AzureADMyOrg" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ displayName: "Marketo Sync (CLI)", signInAudience: "AzureADMyOrg", passwordCredentials: [] });
    const { id, appId } = created.body as { id: string; appId: string };
    expect(created.body["@odata.context"]).toBe(`${server.graphUrl}$metadata#applications/$entity`);

    const byName = await graph(server, "GET", `applications?$filter=${encodeURIComponent("displayName eq 'Marketo Sync (CLI)'")}`, token);
    expect((byName.body.value as Array<{ id: string }>).map((a) => a.id)).toEqual([id]);
    const byAppId = await graph(server, "GET", `applications?$filter=${encodeURIComponent(`appId eq '${appId}'`)}&$select=id,appId`, token);
    expect(byAppId.body.value).toEqual([{ id, appId }]);
    expect((await graph(server, "GET", `applications/${id}`, token)).body.appId).toBe(appId);
    expect((await graph(server, "GET", `applications(appId='${appId}')`, token)).body.id).toBe(id);

    // Entra replicates a new app within seconds: the demo's first request that needs it misses it (propagationMisses 1).
    const missesBefore = server.org.entra.missesServed;
    const addPassword = () => graph(server, "POST", `applications/${id}/addPassword`, token, { passwordCredential: { displayName: "Marketo", endDateTime: "2030-01-01T00:00:00Z" } });
    const early = await addPassword();
    expect({ status: early.status, code: (early.body.error as { code: string }).code }).toEqual({ status: 404, code: "Request_ResourceNotFound" });
    const added = await addPassword();
    expect(added.status).toBe(200);
    const secret = String(added.body.secretText);
    expect(secret).toHaveLength(40);
    expect(added.body).toMatchObject({ displayName: "Marketo", endDateTime: "2030-01-01T00:00:00Z", hint: secret.slice(0, 3) });
    // Never again: not on a read, not in the request log.
    const reread = await graph(server, "GET", `applications/${id}`, token);
    expect(reread.text).not.toContain(secret);
    expect(reread.body.passwordCredentials).toEqual([expect.objectContaining({ keyId: added.body.keyId, secretText: null })]);
    expect(JSON.stringify(server.entra.graphRequests)).not.toContain(secret);

    expectAad(await clientCredentials(server, appId, secret), 400, "invalid_client", 7000229);
    const early2 = await graph(server, "POST", "servicePrincipals", token, { appId });
    expect(early2.status).toBe(400);
    expect((early2.body.error as { message: string }).message).toMatch(/does not reference a valid application object/);
    const sp = await graph(server, "POST", "servicePrincipals", token, { appId });
    expect(sp.status).toBe(201);
    expect(sp.body).toMatchObject({ appId, servicePrincipalType: "Application", accountEnabled: true });
    const again = await graph(server, "POST", "servicePrincipals", token, { appId });
    expect(again.status).toBe(409);
    expect((again.body.error as { code: string }).code).toBe("Request_MultipleObjectsWithSameKeyValue");
    const spList = await graph(server, "GET", `servicePrincipals?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`, token);
    expect((spList.body.value as Array<{ id: string }>).map((s) => s.id)).toEqual([sp.body.id]);

    // The new secret: refused as wrong once, then accepted.
    expectAad(await clientCredentials(server, appId, secret), 401, "invalid_client", 7000215);
    const appToken = await clientCredentials(server, appId, secret);
    expect(appToken.status).toBe(200);
    const refused = await dataverse(server, "GET", "WhoAmI", String(appToken.body.access_token));
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: "0x80072560", message: "The user is not a member of the organization." } });

    // The admin, signed in to Dataverse with the same sign-in, creates the application user.
    const dv = await form(server, "token", {
      grant_type: "refresh_token",
      client_id: PUBLIC_CLIENT.azureCli,
      refresh_token: String((await signIn(server, USER.admin, PUBLIC_CLIENT.azureCli)).body.refresh_token),
      scope: `${server.url}/.default`,
    });
    const createUser = () => dataverse(server, "POST", "systemusers", String(dv.body.access_token), { applicationid: appId, "businessunitid@odata.bind": `/businessunits(${BU.contoso})` });
    // Dataverse does not see the new service principal yet: the same refusal as for none.
    expect((await createUser()).status).toBe(400);
    const user = await createUser();
    expect(user.status).toBe(204);
    expect(server.org.entra.missesServed - missesBefore).toBe(4);
    const who = await dataverse(server, "GET", "WhoAmI", String(appToken.body.access_token));
    expect(who.status).toBe(200);
    expect(who.body.UserId).toBe(/systemusers\((.+)\)/.exec(String(user.headers.get("OData-EntityId")))![1]);

    // removePassword: the secret stops working.
    expect((await graph(server, "POST", `applications/${id}/removePassword`, token, { keyId: added.body.keyId })).status).toBe(204);
    expectAad(await clientCredentials(server, appId, secret), 401, "invalid_client", 7000215);
  });

  test("the demo's registered app signs in but has no application user yet", async () => {
    const appToken = await clientCredentials(server, APP.marketoSyncNew, SECRET.marketoSyncNew);
    expect(appToken.status).toBe(200);
    expect((await dataverse(server, "GET", "WhoAmI", String(appToken.body.access_token))).status).toBe(403);
    expectAad(await clientCredentials(server, APP.noServicePrincipal, "anything"), 400, "invalid_client", 7000229);
  });

  test("an expired secret is refused with AADSTS7000222 (once every replica has it)", async () => {
    const token = await adminGraphToken();
    const added = await graph(server, "POST", `applications/${ENTRA.marketoSyncNewApp}/addPassword`, token, {
      passwordCredential: { displayName: "old", startDateTime: "2020-01-01T00:00:00Z", endDateTime: "2021-01-01T00:00:00Z" },
    });
    const signIn = () => clientCredentials(server, APP.marketoSyncNew, String(added.body.secretText));
    expectAad(await signIn(), 401, "invalid_client", 7000215);
    expectAad(await signIn(), 401, "invalid_client", 7000222);
  });
});

describe("audiences and Graph's errors", () => {
  test("a Graph token does not open Dataverse, a Dataverse token does not open Graph", async () => {
    const graphToken = await adminGraphToken();
    const onDataverse = await dataverse(server, "GET", "WhoAmI", graphToken);
    expect(onDataverse.status).toBe(401);
    expect((onDataverse.body.error as { code: string }).code).toBe("0x80072560");

    const dvToken = String((await clientCredentials(server, APP.marketoSync, SECRET.marketoSync)).body.access_token);
    const onGraph = await graph(server, "GET", "applications", dvToken, undefined, { "client-request-id": "c0ffee00-0000-4000-8000-000000000001" });
    expect(onGraph.status).toBe(401);
    expect(onGraph.body.error).toMatchObject({ code: "InvalidAuthenticationToken", message: "Access token validation failure. Invalid audience." });
    const inner = (onGraph.body.error as { innerError: Record<string, string> }).innerError;
    expect(Object.keys(inner).sort()).toEqual(["client-request-id", "date", "request-id"]);
    expect(inner["client-request-id"]).toBe("c0ffee00-0000-4000-8000-000000000001");
    expect(onGraph.headers.get("request-id")).toBe(inner["request-id"]);

    const none = await graph(server, "GET", "applications");
    expect(none.status).toBe(401);
    expect((none.body.error as { message: string }).message).toBe("Access token is empty.");
    server.auth.expireAll();
    expect((await graph(server, "GET", "applications", graphToken)).status).toBe(401);
  });

  test("a member who is no admin reads, registers an app and manages only the apps they own; app-only tokens get nothing (Authorization_RequestDenied)", async () => {
    const larry = await adminGraphToken(USER.limited);
    expect((await graph(server, "GET", "applications", larry)).status).toBe(200);
    // Entra's default: "Users can register applications" is on; the member owns what they register.
    const own = await graph(server, "POST", "applications", larry, { displayName: "Larry's app" });
    expect(own.status).toBe(201);
    const ownId = String(own.body.id);
    expect(server.org.entra.applications.get(ownId)!.owners).toEqual([USER.limited]);
    server.org.entra.settle();
    expect((await graph(server, "POST", `applications/${ownId}/addPassword`, larry, { passwordCredential: { displayName: "x" } })).status).toBe(200);
    expect((await graph(server, "POST", "servicePrincipals", larry, { appId: own.body.appId })).status).toBe(201);
    // Not an owner of the demo's app.
    const denied = await graph(server, "POST", `applications/${ENTRA.marketoSyncNewApp}/addPassword`, larry, { passwordCredential: { displayName: "x" } });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." });
    // A tenant that turned registration off.
    server.org.entra.usersCanRegisterApps = false;
    expect((await graph(server, "POST", "applications", larry, { displayName: "y" })).status).toBe(403);
    expect((await graph(server, "POST", "applications", await adminGraphToken(), { displayName: "y" })).status).toBe(201);
    const appOnly = await clientCredentials(server, APP.marketoSync, SECRET.marketoSync, "https://graph.microsoft.com/.default");
    expect(appOnly.status).toBe(200);
    expect((await graph(server, "GET", "applications", String(appOnly.body.access_token))).status).toBe(403);
  });

  test("domains: read with a directory permission (or .default), not with Application.ReadWrite.All alone", async () => {
    // As the CLI signs in: Microsoft's Azure CLI client with Graph's .default.
    const wide = await signIn(server, USER.admin, PUBLIC_CLIENT.azureCli, "https://graph.microsoft.com/.default");
    const all = await graph(server, "GET", "domains?$select=id,authenticationType", String(wide.body.access_token));
    expect(all.status).toBe(200);
    expect(all.body.value).toEqual([{ id: "contoso.onmicrosoft.com", authenticationType: "Managed" }]);
    // An organisation's own setup client consented for Application.ReadWrite.All only.
    const narrow = await adminGraphToken();
    expect((await graph(server, "GET", "domains", narrow)).status).toBe(403);
    expect((await graph(server, "GET", "applications", narrow)).status).toBe(200);
  });

  test("unknown ids, bad bodies and unsupported filters", async () => {
    const token = await adminGraphToken();
    const missing = await graph(server, "GET", "applications/00000000-0000-0000-0000-0000000000ff", token);
    expect(missing.status).toBe(404);
    expect((missing.body.error as { code: string }).code).toBe("Request_ResourceNotFound");
    const noApp = await graph(server, "POST", "servicePrincipals", token, { appId: "00000000-0000-0000-0000-0000000000ff" });
    expect(noApp.status).toBe(400);
    expect((noApp.body.error as { code: string }).code).toBe("Request_BadRequest");
    expect((await graph(server, "POST", "applications", token, { signInAudience: "AzureADMyOrg" })).status).toBe(400);
    expect((await graph(server, "POST", "applications", token, { displayName: "x", signInAudience: "Everyone" })).status).toBe(400);
    expect((await graph(server, "POST", `applications/${ENTRA.marketoSyncNewApp}/removePassword`, token, { keyId: "00000000-0000-0000-0000-000000000000" })).status).toBe(400);
    const filter = await graph(server, "GET", `applications?$filter=${encodeURIComponent("startswith(displayName,'M')")}`, token);
    expect(filter.status).toBe(400);
    const quoted = await graph(server, "POST", "applications", token, { displayName: "O'Brien Sync" });
    expect(quoted.status).toBe(201);
    const found = await graph(server, "GET", `applications?$filter=${encodeURIComponent("displayName eq 'O''Brien Sync'")}`, token);
    expect((found.body.value as unknown[]).length).toBe(1);
  });
});

describe("MSAL Node against the stand-in (what the CLI's setup will do)", () => {
  test("acquireTokenByDeviceCode for Graph, then acquireTokenSilent for Dataverse, as the approving admin", async () => {
    const { PublicClientApplication } = await import("@azure/msal-node");
    const { msalConfiguration } = await import("../../../cli/connection");
    const tenant = server.org.organization.TenantId;
    const config = msalConfiguration(tenant, PUBLIC_CLIENT.azureCli, "", `${server.url}/${tenant}`, (u, init) => fetch(u, init));
    delete (config.auth as { clientSecret?: string }).clientSecret;
    const pca = new PublicClientApplication(config);
    const shown: string[] = [];
    const result = await pca.acquireTokenByDeviceCode({
      scopes: ["https://graph.microsoft.com/Application.ReadWrite.All"],
      deviceCodeCallback: (r) => {
        shown.push(r.message);
        server.entra.approve(r.userCode, USER.admin);
      },
    });
    expect(shown).toHaveLength(1);
    expect(result?.account?.name).toBe("Alex Admin");
    const created = await graph(server, "POST", "applications", result!.accessToken, { displayName: "via MSAL" });
    expect(created.status).toBe(201);
    const silent = await pca.acquireTokenSilent({ account: result!.account!, scopes: [`${server.url}/user_impersonation`] });
    const who = await dataverse(server, "GET", "WhoAmI", silent.accessToken);
    expect(who.body.UserId).toBe(USER.admin);
  });
});

describe("faults in front of Graph and the token endpoints", () => {
  test("a Graph fault answers once; Dataverse faults (the default service) leave Graph alone", async () => {
    const token = await adminGraphToken();
    server.faults.add({ respond: server.faults.presets.unavailable(), times: 5 });
    const id = server.faults.add({
      match: { service: "graph", method: "POST", path: "/addPassword" },
      respond: { status: 503, headers: { "Retry-After": "1" }, body: { error: { code: "ServiceUnavailable", message: "Service unavailable" } } },
    });
    const first = await graph(server, "POST", `applications/${ENTRA.marketoSyncNewApp}/addPassword`, token, { passwordCredential: { displayName: "x" } });
    expect(first.status).toBe(503);
    expect(server.faults.fired(id)).toBe(1);
    const second = await graph(server, "POST", `applications/${ENTRA.marketoSyncNewApp}/addPassword`, token, { passwordCredential: { displayName: "x" } });
    expect(second.status).toBe(200);
  });

  test("an Entra fault on the token endpoint, and a hold on the device-code request", async () => {
    server.faults.add({ match: { service: "entra", path: "token" }, respond: { status: 500, body: { error: "temporarily_unavailable" } } });
    expect((await clientCredentials(server, APP.marketoSync, SECRET.marketoSync)).status).toBe(500);
    expect((await clientCredentials(server, APP.marketoSync, SECRET.marketoSync)).status).toBe(200);
    const held = server.faults.hold({ match: { service: "entra", path: "devicecode" } });
    const started = form(server, "devicecode", { client_id: PUBLIC_CLIENT.azureCli, scope: GRAPH_SCOPE });
    await held.arrived();
    expect(server.entra.pendingDeviceCodes()).toHaveLength(0);
    held.release();
    expect((await started).status).toBe(200);
  });
});
