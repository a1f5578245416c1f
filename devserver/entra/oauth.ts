/**
 * Pieces of Microsoft Entra ID's v2.0 token service shared by the grants in auth.ts: the AADSTS
 * error body, which resource a `scope` names, the id token, and the device codes of the device
 * authorization grant.
 *
 * Sources: Microsoft identity platform docs "OAuth 2.0 device authorization grant"
 * (v2-oauth2-device-code: the /devicecode request and response, the polling errors
 * authorization_pending, authorization_declined, bad_verification_code, expired_token),
 * "Microsoft identity platform and OAuth 2.0 client credentials flow" (error body: error,
 * error_description, error_codes, timestamp, trace_id, correlation_id), "Microsoft Entra
 * authentication and authorization error codes" (AADSTS70016 AuthorizationPending, 70018
 * BadVerificationCode, 70019 CodeExpired, 700016, 7000215, 7000218, 7000222, 7000229, 500011,
 * 90002, 900144, 28000), "ID token claims reference" (oid, tid, preferred_username, name, ver).
 * `slow_down` is RFC 8628 §3.5: Microsoft's table does not list it and MSAL treats it as a failure,
 * so the stand-in only sends it when a test asks (DeviceCodes.slowDown).
 */
import { randomBytes, randomUUID } from "node:crypto";

export type Audience = "dataverse" | "graph";

export interface AadError {
  status: number;
  body: Record<string, unknown>;
}

export function aadError(status: number, error: string, code: number, text: string): AadError {
  const now = new Date();
  const trace = randomUUID();
  const correlation = randomUUID();
  const stamp = now
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${stamp}`,
      error_codes: [code],
      timestamp: stamp,
      trace_id: trace,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

/** Microsoft Graph's resource: its URI and its well-known application id. */
export const GRAPH_RESOURCE = "https://graph.microsoft.com";
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);

export interface ParsedScopes {
  audience?: Audience;
  /** The resource's permissions as Entra lists them back (`.default`, `user_impersonation`, `Application.ReadWrite.All`…). */
  permissions: string[];
  oidc: Set<string>;
}

/**
 * Reads a `scope` parameter. A scope is `<resource>/<permission>`; a bare permission is Graph's.
 * The Dataverse resource is the stand-in's own origin (http or, through MSAL's https rewrite, https).
 */
export function parseScopes(scope: string, origin: string): ParsedScopes | AadError {
  const oidc = new Set<string>();
  const resources = new Map<string, string[]>();
  const host = new URL(origin).host.toLowerCase();
  for (const item of scope.split(/\s+/).filter(Boolean)) {
    if (OIDC_SCOPES.has(item.toLowerCase())) {
      oidc.add(item.toLowerCase());
      continue;
    }
    const slash = item.lastIndexOf("/");
    const resource = slash < 0 ? GRAPH_RESOURCE : item.slice(0, slash).replace(/\/+$/, "");
    const permission = slash < 0 ? item : item.slice(slash + 1);
    let key: string;
    if (resource.toLowerCase() === GRAPH_RESOURCE || resource.toLowerCase() === GRAPH_APP_ID) key = "graph";
    else if (/^https?:\/\//i.test(resource) && new URL(resource).host.toLowerCase() === host) key = "dataverse";
    else
      return aadError(
        400,
        "invalid_resource",
        500011,
        `The resource principal named ${resource} was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    resources.set(key, [...(resources.get(key) ?? []), permission]);
  }
  if (resources.size > 1) {
    return aadError(400, "invalid_scope", 28000, `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`);
  }
  const [entry] = [...resources.entries()];
  return { audience: entry?.[0] as Audience | undefined, permissions: entry?.[1] ?? [], oidc };
}

/** The scope string of a token response: Graph's permissions short, other resources' qualified. */
export function scopeString(audience: Audience, permissions: string[], origin: string, oidc: Set<string>): string {
  const own = permissions.map((p) => (audience === "graph" ? (p === ".default" ? `${GRAPH_RESOURCE}/.default` : p) : `${origin}/${p}`));
  return [...own, ...[...oidc].filter((s) => s !== "offline_access")].join(" ");
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An unsigned id token (MSAL reads its claims; nothing here verifies signatures). */
export function idToken(claims: { aud: string; iss: string; tid: string; oid: string; name: string; preferred_username: string }, lifetimeSeconds: number): string {
  const iat = Math.floor(Date.now() / 1000);
  const body = { ver: "2.0", ...claims, sub: claims.oid, iat, nbf: iat, exp: iat + lifetimeSeconds };
  return `${b64url({ typ: "JWT", alg: "none" })}.${b64url(body)}.`;
}

/** MSAL asks for `client_info=1`: base64url of `{ uid, utid }` (the account's home ids). */
export const clientInfo = (oid: string, tid: string) => b64url({ uid: oid, utid: tid });

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scope: string;
  expiresAt: number;
  state: "pending" | "approved" | "declined" | "redeemed";
  /** systemuserid of the user who signed in. */
  userId?: string;
  slowDown?: boolean;
}

/** Device codes and the test hooks that stand for the user at the verification page. */
export class DeviceCodes {
  readonly codes: DeviceCode[] = [];
  /** Approve every new code as this user (`--auto-approve` for `npm start` demos only). */
  autoApproveAs: string | null = null;
  private waiters: Array<(c: DeviceCode) => void> = [];

  issue(clientId: string, scope: string, lifetimeSeconds: number): DeviceCode {
    const alphabet = "BCDFGHJKLMNPQRSTVWXZ23456789";
    const bytes = randomBytes(9);
    const code: DeviceCode = {
      deviceCode: randomBytes(48).toString("base64url"),
      userCode: [...bytes].map((b) => alphabet[b % alphabet.length]).join(""),
      clientId: clientId.toLowerCase(),
      scope,
      expiresAt: Date.now() + lifetimeSeconds * 1000,
      state: "pending",
    };
    if (this.autoApproveAs) Object.assign(code, { state: "approved", userId: this.autoApproveAs });
    this.codes.push(code);
    for (const w of this.waiters.splice(0)) w(code);
    return code;
  }

  /** Resolves with the next code issued (or the newest pending one): a gate, not a timer. */
  next(): Promise<DeviceCode> {
    const pending = this.pending().at(-1);
    if (pending) return Promise.resolve(pending);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  pending(): DeviceCode[] {
    return this.codes.filter((c) => c.state === "pending" && c.expiresAt > Date.now());
  }

  byUserCode(userCode: string): DeviceCode {
    const code = this.codes.find((c) => c.userCode === userCode.toUpperCase().replace(/[\s-]/g, ""));
    if (!code) throw new Error(`No device code with user code '${userCode}'.`);
    return code;
  }

  approve(userCode: string, userId: string): void {
    const code = this.byUserCode(userCode);
    if (code.state !== "pending") throw new Error(`The code '${userCode}' is ${code.state}, not pending.`);
    Object.assign(code, { state: "approved", userId: userId.toLowerCase() });
  }

  decline(userCode: string): void {
    this.byUserCode(userCode).state = "declined";
  }

  expire(userCode: string): void {
    this.byUserCode(userCode).expiresAt = 0;
  }

  /** The next poll of this code answers `slow_down` once. */
  slowDown(userCode: string): void {
    this.byUserCode(userCode).slowDown = true;
  }

  reset(): void {
    this.codes.length = 0;
  }
}
