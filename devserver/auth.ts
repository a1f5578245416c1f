/**
 * Two ways in. Session mode stands for a browser signed in to Dynamics: no token, the user is the
 * fixture's current user (or the one named by the `x-devserver-user` header or `devserver_user`
 * cookie). Token mode stands for server-to-server: a token endpoint shaped like Microsoft Entra
 * ID's (`/<tenant>/oauth2/v2.0/token`) issues opaque bearer tokens, and API calls without a valid
 * one get 401.
 *
 * The token endpoint serves three grants (in both modes: Microsoft Graph always needs a token):
 * client credentials for the tenant's app registrations (devserver/entra/directory.ts), the
 * device authorization grant for an admin signing in (devserver/entra/oauth.ts) and refresh tokens
 * (MSAL's silent sign-in to a second resource). Each token is for one audience: Dataverse (the
 * stand-in's origin) or Microsoft Graph (`https://graph.microsoft.com`); neither accepts the other's.
 */
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ClientAssertions, JWT_BEARER } from "./clientAssertion";
import { AadError, Audience, DeviceCodes, aadError, clientInfo, idToken, parseScopes, scopeString } from "./entra/oauth";
import { Codes, HttpError } from "./errors";
import type { Org } from "./store";

export type AuthMode = "session" | "token";

export interface IssuedToken {
  kind: "app" | "delegated";
  audience: Audience;
  clientId: string;
  /** Delegated tokens: the systemuserid of the user who signed in. */
  userId?: string;
  /** Permissions granted on the audience (`.default`, `Application.ReadWrite.All`…). */
  permissions: string[];
  expiresAt: number;
}

interface RefreshToken {
  clientId: string;
  userId: string;
}

/**
 * Microsoft's own public clients, usable for device-code sign-in in every tenant without being
 * registered there (Azure CLI, Azure PowerShell, and the app id Microsoft's Dataverse samples use).
 */
export const FIRST_PARTY_PUBLIC_CLIENTS: Record<string, string> = {
  "04b07795-8ddb-461a-bbee-02f9e1bf7b46": "Microsoft Azure CLI",
  "1950a258-227b-4e31-a9cf-717495945fc2": "Microsoft Azure PowerShell",
  "51f81489-12ee-4a9e-aaae-a2591f45987d": "Dataverse development samples",
};

const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
type TokenResult = { status: number; body: Record<string, unknown> };

export class Auth {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  readonly deviceCodes = new DeviceCodes();
  /** Certificates, federated identity credentials and trusted issuers of the apps (tests register them). */
  readonly assertions = new ClientAssertions();
  tokenLifetimeSeconds: number;
  /** `interval` of device-code answers (Entra says 5; tests use 0 so MSAL polls without waiting). */
  deviceCodeIntervalSeconds = 5;
  deviceCodeLifetimeSeconds = 900;

  constructor(
    readonly mode: AuthMode,
    private readonly org: () => Org,
    tokenLifetimeSeconds: number,
  ) {
    this.tokenLifetimeSeconds = tokenLifetimeSeconds;
  }

  /** Makes every issued token expired (tests of the client's renewal). */
  expireAll(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  reset(): void {
    this.tokens.clear();
    this.refreshTokens.clear();
    this.deviceCodes.reset();
    this.assertions.reset();
  }

  /** The token behind an `Authorization: Bearer …` header, whatever its audience, or undefined. */
  tokenFor(headers: IncomingHttpHeaders): { raw?: string; token?: IssuedToken } {
    const m = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "");
    if (!m) return {};
    return { raw: m[1], token: this.tokens.get(m[1]) };
  }

  /** Who is calling the Dataverse Web API, or a 401/403 in Dataverse's shape. */
  userFor(headers: IncomingHttpHeaders, origin: string): string {
    const org = this.org();
    if (this.mode === "session") {
      const cookie = /(?:^|;\s*)devserver_user=([0-9a-fA-F-]{36})/.exec(headers.cookie ?? "")?.[1];
      const named = (headers["x-devserver-user"] as string | undefined) ?? cookie;
      return (named ?? org.currentUserId).toLowerCase();
    }
    const tenant = org.organization.TenantId;
    const challenge = { "WWW-Authenticate": `Bearer authorization_uri=${origin}/${tenant}/oauth2/authorize, resource_id=${origin}/` };
    const { raw, token } = this.tokenFor(headers);
    if (!raw) throw new HttpError(401, Codes.unauthorized, "The request has no bearer token. Authentication is required for this resource.", challenge);
    // A Graph token is not valid here: its audience is another resource.
    if (!token || token.audience !== "dataverse") throw new HttpError(401, Codes.unauthorized, "The bearer token is not valid for this organization.", challenge);
    if (token.expiresAt <= Date.now()) throw new HttpError(401, Codes.unauthorized, "The bearer token has expired. Request a new token and try again.", challenge);
    if (token.kind === "delegated") return token.userId!;
    // Dataverse finds the application user by the token's app id at every request; an app without
    // one gets 403 0x80072560 "The user is not a member of the organization." (Dynamics 365
    // dual-write docs, "Troubleshoot live synchronization issues").
    const appUser = [...org.table(org.entity("systemuser")).values()].find((u) => String(u.applicationid ?? "").toLowerCase() === token.clientId);
    if (!appUser) throw new HttpError(403, Codes.unauthorized, "The user is not a member of the organization.");
    return String(appUser.systemuserid);
  }

  /** POST /<tenant>/oauth2/v2.0/token, form-encoded. Errors never repeat a secret. */
  tokenEndpoint(tenant: string, form: URLSearchParams, origin: string): TokenResult {
    const org = this.org();
    if (tenant.toLowerCase() !== org.organization.TenantId.toLowerCase()) return unknownTenant(tenant);
    const grant = form.get("grant_type");
    if (grant === "client_credentials") return this.clientCredentials(tenant, form, origin);
    // The docs name the RFC 8628 URN; MSAL sends the short `device_code`, which Entra accepts too.
    if (grant === DEVICE_CODE_GRANT || grant === "device_code") return this.redeemDeviceCode(tenant, form, origin);
    if (grant === "refresh_token") return this.refresh(tenant, form, origin);
    return aadError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type. The devserver emulates 'client_credentials', 'refresh_token' and the device code grant.");
  }

  /** POST /<tenant>/oauth2/v2.0/devicecode (client_id, scope). */
  deviceCodeEndpoint(tenant: string, form: URLSearchParams, origin: string): TokenResult {
    const org = this.org();
    if (tenant.toLowerCase() !== org.organization.TenantId.toLowerCase()) return unknownTenant(tenant);
    const clientId = (form.get("client_id") ?? "").toLowerCase();
    if (!clientId) return aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.");
    if (!this.knownClient(clientId)) return unknownClient(clientId, tenant);
    const scope = form.get("scope") ?? "";
    const parsed = parseScopes(scope, origin);
    if ("status" in parsed) return parsed;
    if (!parsed.audience) return aadError(400, "invalid_scope", 70011, `The provided value for the input parameter 'scope' is not valid. The scope '${scope}' does not name a resource.`);
    const code = this.deviceCodes.issue(clientId, scope, this.deviceCodeLifetimeSeconds);
    const verification = `${origin}/devicelogin`;
    return {
      status: 200,
      body: {
        user_code: code.userCode,
        device_code: code.deviceCode,
        verification_uri: verification,
        expires_in: this.deviceCodeLifetimeSeconds,
        interval: this.deviceCodeIntervalSeconds,
        message: `To sign in, use a web browser to open the page ${verification} and enter the code ${code.userCode} to authenticate.`,
      },
    };
  }

  private knownClient(clientId: string): boolean {
    return Boolean(this.org().entra.applicationByAppId(clientId) || FIRST_PARTY_PUBLIC_CLIENTS[clientId]);
  }

  /** Device code and refresh grants without a secret need a public client ("Allow public client flows"). */
  private publicClientError(clientId: string, form: URLSearchParams): AadError | undefined {
    if (FIRST_PARTY_PUBLIC_CLIENTS[clientId]) return undefined;
    const app = this.org().entra.applicationByAppId(clientId);
    if (!app) return unknownClient(clientId, this.org().organization.TenantId);
    if (app.isFallbackPublicClient || form.get("client_secret")) return undefined;
    return aadError(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }

  private clientCredentials(tenant: string, form: URLSearchParams, origin: string): TokenResult {
    const directory = this.org().entra;
    const clientId = (form.get("client_id") ?? "").toLowerCase();
    const app = directory.applicationByAppId(clientId);
    if (!app) return unknownClient(clientId, tenant);
    if (!directory.servicePrincipalByAppId(clientId)) {
      return aadError(400, "invalid_client", 7000229, `The client application ${clientId} is missing service principal in the tenant ${tenant}.`);
    }
    // A signed assertion (certificate or federated token) instead of a secret: devserver/clientAssertion.ts.
    const assertionType = form.get("client_assertion_type");
    const check = assertionType === null && form.get("client_assertion") === null ? directory.checkSecret(app, form.get("client_secret") ?? "") : this.checkAssertion(tenant, clientId, form, origin);
    if (typeof check === "object") return check;
    if (check === "expired")
      return aadError(401, "invalid_client", 7000222, `The provided client secret keys for app '${app.appId}' are expired. Create new keys for the app, or consider using certificate credentials.`);
    if (check === "wrong") {
      return aadError(
        401,
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.appId}'.`,
      );
    }
    const scope = form.get("scope") ?? "";
    const parsed = parseScopes(scope, origin);
    if ("status" in parsed) return parsed;
    if (!parsed.audience || parsed.permissions.length !== 1 || parsed.permissions[0] !== ".default") {
      return aadError(
        400,
        "invalid_scope",
        1002012,
        `The provided value for scope '${scope}' is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    return { status: 200, body: this.issue({ kind: "app", audience: parsed.audience, clientId, permissions: [".default"] }) };
  }

  private checkAssertion(tenant: string, clientId: string, form: URLSearchParams, origin: string): AadError | "ok" {
    if (form.get("client_assertion_type") !== JWT_BEARER)
      return aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_assertion_type' (urn:ietf:params:oauth:client-assertion-type:jwt-bearer).");
    const endpoint = `${origin}/${tenant}/oauth2/v2.0/token`;
    return this.assertions.check(clientId, form.get("client_assertion") ?? "", [endpoint, endpoint.replace(/^http:/, "https:")]) ?? "ok";
  }

  private redeemDeviceCode(tenant: string, form: URLSearchParams, origin: string): TokenResult {
    const clientId = (form.get("client_id") ?? "").toLowerCase();
    const notPublic = this.publicClientError(clientId, form);
    if (notPublic) return notPublic;
    const code = this.deviceCodes.codes.find((c) => c.deviceCode === form.get("device_code") && c.clientId === clientId);
    // A code already redeemed is not recognised any more (our choice: the docs do not say).
    if (!code || code.state === "redeemed")
      return aadError(400, "bad_verification_code", 70018, "Invalid verification code due to User typing in wrong user code for device code flow. Authorization is not approved.");
    if (code.expiresAt <= Date.now()) return aadError(400, "expired_token", 70019, "Verification code expired. Have the user retry the sign-in.");
    if (code.slowDown) {
      code.slowDown = false;
      return aadError(400, "slow_down", 70016, "OAuth 2.0 device flow error. Polling too often: wait longer between requests.");
    }
    // The decline code is not in Microsoft's table; 65004 (UserDeclinedConsent) is the closest listed one.
    if (code.state === "declined") return aadError(400, "authorization_declined", 65004, "User declined to consent to access the app.");
    if (code.state === "pending") return aadError(400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
    code.state = "redeemed";
    return this.delegated(tenant, clientId, code.userId!, code.scope, origin);
  }

  private refresh(tenant: string, form: URLSearchParams, origin: string): TokenResult {
    const clientId = (form.get("client_id") ?? "").toLowerCase();
    const notPublic = this.publicClientError(clientId, form);
    if (notPublic) return notPublic;
    const stored = this.refreshTokens.get(form.get("refresh_token") ?? "");
    if (!stored || stored.clientId !== clientId) return aadError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
    return this.delegated(tenant, clientId, stored.userId, form.get("scope") ?? "", origin);
  }

  /** Tokens for a signed-in user: access token for the scope's resource, id token, refresh token. */
  private delegated(tenant: string, clientId: string, userId: string, scope: string, origin: string): TokenResult {
    const parsed = parseScopes(scope, origin);
    if ("status" in parsed) return parsed;
    if (!parsed.audience) return aadError(400, "invalid_scope", 70011, `The provided value for the input parameter 'scope' is not valid. The scope '${scope}' does not name a resource.`);
    const user = this.org().get("systemuser", userId);
    const body = this.issue({ kind: "delegated", audience: parsed.audience, clientId, userId, permissions: parsed.permissions });
    body.scope = scopeString(parsed.audience, parsed.permissions, origin, parsed.oidc);
    const oid = String(user?.azureactivedirectoryobjectid ?? userId);
    if (parsed.oidc.has("openid")) {
      body.id_token = idToken(
        { aud: clientId, iss: `${origin}/${tenant}/v2.0`, tid: tenant, oid, name: String(user?.fullname ?? ""), preferred_username: String(user?.domainname ?? "") },
        this.tokenLifetimeSeconds,
      );
      body.client_info = clientInfo(oid, tenant);
    }
    if (parsed.oidc.has("offline_access")) {
      const refresh = randomBytes(48).toString("base64url");
      this.refreshTokens.set(refresh, { clientId, userId });
      body.refresh_token = refresh;
    }
    return { status: 200, body };
  }

  private issue(token: Omit<IssuedToken, "expiresAt">): Record<string, unknown> {
    const access_token = randomBytes(32).toString("base64url");
    this.tokens.set(access_token, { ...token, expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000 });
    return { token_type: "Bearer", expires_in: this.tokenLifetimeSeconds, ext_expires_in: this.tokenLifetimeSeconds, access_token };
  }

  /** What MSAL reads before asking for a token (issuer and endpoints point back here). */
  openIdConfiguration(tenant: string, origin: string): Record<string, unknown> {
    return {
      token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${origin}/${tenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${origin}/oidc/userinfo`,
      authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
      claims_supported: ["sub", "iss", "aud", "exp", "iat", "tid"],
      tenant_region_scope: "EU",
      cloud_instance_name: "devserver.local",
    };
  }
}

const unknownTenant = (tenant: string) =>
  aadError(400, "invalid_request", 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);

const unknownClient = (clientId: string, tenant: string) =>
  aadError(
    400,
    "unauthorized_client",
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );
