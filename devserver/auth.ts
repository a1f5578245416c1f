/**
 * Two ways in. Session mode stands for a browser signed in to Dynamics: no token, the user is the
 * fixture's current user (or the one named by the `x-devserver-user` header or `devserver_user`
 * cookie). Token mode stands for server-to-server: a client-credentials endpoint shaped like
 * Microsoft Entra ID's (`/<tenant>/oauth2/v2.0/token`) issues opaque bearer tokens for the
 * fixture's app registrations, and API calls without a valid one get 401.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Codes, HttpError } from "./errors";
import type { Org } from "./store";

export type AuthMode = "session" | "token";

interface IssuedToken {
  userId: string;
  clientId: string;
  expiresAt: number;
}

export class Auth {
  private readonly tokens = new Map<string, IssuedToken>();
  tokenLifetimeSeconds: number;

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
  }

  /** Who is calling, or a 401 in Dataverse's shape. */
  userFor(headers: IncomingHttpHeaders, origin: string): string {
    const org = this.org();
    if (this.mode === "session") {
      const cookie = /(?:^|;\s*)devserver_user=([0-9a-fA-F-]{36})/.exec(headers.cookie ?? "")?.[1];
      const named = (headers["x-devserver-user"] as string | undefined) ?? cookie;
      return (named ?? org.currentUserId).toLowerCase();
    }
    const tenant = org.organization.TenantId;
    const challenge = { "WWW-Authenticate": `Bearer authorization_uri=${origin}/${tenant}/oauth2/authorize, resource_id=${origin}/` };
    const m = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "");
    if (!m) throw new HttpError(401, Codes.unauthorized, "The request has no bearer token. Authentication is required for this resource.", challenge);
    const token = this.tokens.get(m[1]);
    if (!token) throw new HttpError(401, Codes.unauthorized, "The bearer token is not valid for this organization.", challenge);
    if (token.expiresAt <= Date.now()) throw new HttpError(401, Codes.unauthorized, "The bearer token has expired. Request a new token and try again.", challenge);
    return token.userId;
  }

  /**
   * POST /<tenant>/oauth2/v2.0/token, form-encoded client credentials. Errors follow Entra ID's
   * JSON (`error`, `error_description` with an AADSTS code, `error_codes`, `trace_id`…), and
   * never repeat the secret.
   */
  tokenEndpoint(tenant: string, form: URLSearchParams, origin: string): { status: number; body: Record<string, unknown> } {
    const org = this.org();
    const aadError = (status: number, error: string, code: number, text: string) => ({
      status,
      body: {
        error,
        error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
        error_codes: [code],
        timestamp: new Date().toISOString(),
        trace_id: randomUUID(),
        correlation_id: randomUUID(),
      },
    });
    if (tenant.toLowerCase() !== org.organization.TenantId.toLowerCase()) {
      return aadError(400, "invalid_request", 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    if (form.get("grant_type") !== "client_credentials") {
      return aadError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type. Only 'client_credentials' is emulated.");
    }
    const clientId = (form.get("client_id") ?? "").toLowerCase();
    const app = org.fixture.appRegistrations.find((a) => a.clientId.toLowerCase() === clientId);
    if (!app) {
      return aadError(400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
    }
    if (form.get("client_secret") !== app.clientSecret) {
      return aadError(
        401,
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      );
    }
    const scope = form.get("scope") ?? "";
    const resource = scope.replace(/\/?\.default$/, "").replace(/\/+$/, "");
    if (!scope.endsWith(".default") || resource.toLowerCase() !== origin.toLowerCase()) {
      return aadError(400, "invalid_scope", 1002012, `The provided value for scope '${scope}' is not valid. Client credential flows must use '${origin}/.default'.`);
    }
    const access_token = randomBytes(32).toString("base64url");
    this.tokens.set(access_token, { userId: app.userId.toLowerCase(), clientId: app.clientId, expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000 });
    return { status: 200, body: { token_type: "Bearer", expires_in: this.tokenLifetimeSeconds, ext_expires_in: this.tokenLifetimeSeconds, access_token } };
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
