/**
 * Client credentials without a secret: the token endpoint's `client_assertion`
 * (`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`), as Microsoft Entra
 * ID takes it in two forms:
 *
 * - a certificate credential: a JWT the app signs itself with the private key of a certificate
 *   registered on the app registration. Header `x5t#S256` (or the older `x5t`) names the
 *   certificate by thumbprint; claims `aud` = the token endpoint, `iss` = `sub` = the client id,
 *   `exp`/`nbf` (Microsoft identity platform docs, "Microsoft identity platform application
 *   authentication certificate credentials");
 * - workload identity federation: a token issued by another identity provider (GitHub Actions
 *   OIDC, a Kubernetes service account…) whose `iss`, `sub` and `aud` match a federated identity
 *   credential on the app (`issuer`, `subject`, `audiences`, recommended `api://AzureADTokenExchange`),
 *   its signature checked against that issuer's published keys (Microsoft Entra docs, "Workload
 *   identity federation" and "Configure an app to trust an external identity provider").
 *
 * Errors as Entra gives them: AADSTS700027 the assertion's signature is invalid or its key is not
 * registered, AADSTS700021 its `iss`/`sub` is not the client id, AADSTS700023 its audience is not the
 * token endpoint (Azure SDK for Java docs, "Troubleshoot service principal authentication"),
 * AADSTS70021 no federated identity record matches, AADSTS700024 outside its valid time range
 * (Azure DevOps docs, "Troubleshoot workload identity service connections"), AADSTS50027 not a JWT
 * (Entra "authentication and authorization error codes", InvalidJwtToken).
 *
 * The stand-in knows no issuer's discovery endpoint (no network beyond 127.0.0.1): a test registers
 * the issuer's keys (its JWKS) with `trustIssuer`.
 */
import { createHash, createPublicKey, verify as verifySignature, X509Certificate, constants, type JsonWebKey, type KeyObject } from "node:crypto";
import { aadError, type AadError } from "./entra/oauth";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Entra's recommended audience of a federated identity credential. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
/** Clock skew Entra tolerates on `nbf`/`exp` (our choice: Microsoft documents none; 5 minutes is the common allowance). */
const SKEW_SECONDS = 300;

export interface FederatedIdentityCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

interface RegisteredCertificate {
  sha256: string;
  sha1: string;
  key: KeyObject;
}

interface Jwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signed: Buffer;
  signature: Buffer;
}

const b64url = (b: Buffer) => b.toString("base64url");

function parseJwt(token: string): Jwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8")) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Record<string, unknown>;
    return { header, payload, signed: Buffer.from(`${parts[0]}.${parts[1]}`), signature: Buffer.from(parts[2], "base64url") };
  } catch {
    return undefined;
  }
}

/** RS256 and PS256 (what MSAL signs with: PS256 with a SHA-256 thumbprint, RS256 with SHA-1). */
function signatureValid(jwt: Jwt, key: KeyObject): boolean {
  const alg = jwt.header.alg;
  if (alg === "RS256") return verifySignature("sha256", jwt.signed, key, jwt.signature);
  if (alg === "PS256") return verifySignature("sha256", jwt.signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, jwt.signature);
  return false;
}

const audiences = (aud: unknown): string[] => (Array.isArray(aud) ? aud.map(String) : aud === undefined ? [] : [String(aud)]);

export class ClientAssertions {
  private readonly certificates = new Map<string, RegisteredCertificate[]>();
  private readonly federated = new Map<string, FederatedIdentityCredential[]>();
  private readonly issuers = new Map<string, JsonWebKey[]>();

  reset(): void {
    this.certificates.clear();
    this.federated.clear();
    this.issuers.clear();
  }

  /** Uploads a certificate (PEM, public part only) to the app registration's keyCredentials. */
  addCertificate(appId: string, certificatePem: string): void {
    const cert = new X509Certificate(certificatePem);
    const list = this.certificates.get(appId.toLowerCase()) ?? [];
    list.push({ sha256: b64url(createHash("sha256").update(cert.raw).digest()), sha1: b64url(createHash("sha1").update(cert.raw).digest()), key: cert.publicKey });
    this.certificates.set(appId.toLowerCase(), list);
  }

  addFederatedCredential(appId: string, credential: FederatedIdentityCredential): void {
    const list = this.federated.get(appId.toLowerCase()) ?? [];
    list.push(credential);
    this.federated.set(appId.toLowerCase(), list);
  }

  /** The keys an external issuer publishes at its `jwks_uri` (stands for its OpenID discovery). */
  trustIssuer(issuer: string, keys: JsonWebKey[]): void {
    this.issuers.set(issuer, keys);
  }

  /**
   * undefined when the assertion signs the app in; else the error Entra answers. `tokenEndpoints`:
   * the URLs the assertion's audience may name (the endpoint as called, and its https form, which is
   * the one MSAL is given for a loopback authority: cli/connection.ts).
   */
  check(appId: string, assertion: string, tokenEndpoints: string[], nowMs = Date.now()): AadError | undefined {
    const jwt = parseJwt(assertion);
    if (!jwt) return aadError(401, "invalid_client", 50027, "Invalid JWT token. The token is not in a valid format.");
    const id = appId.toLowerCase();
    // A self-signed assertion names the app itself as issuer; anything else is an external token to exchange.
    const selfSigned = [jwt.payload.iss, jwt.payload.sub].some((c) => String(c ?? "").toLowerCase() === id);
    const rejected = selfSigned ? this.checkCertificate(id, jwt, tokenEndpoints) : this.checkFederated(id, jwt);
    return rejected ?? this.checkTime(jwt, nowMs);
  }

  private checkCertificate(appId: string, jwt: Jwt, tokenEndpoints: string[]): AadError | undefined {
    const thumbprint = (jwt.header["x5t#S256"] ?? jwt.header.x5t) as string | undefined;
    const field = jwt.header["x5t#S256"] !== undefined ? "sha256" : "sha1";
    const cert = (this.certificates.get(appId) ?? []).find((c) => c[field] === thumbprint);
    if (!cert)
      return aadError(401, "invalid_client", 700027, `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint ?? ""}']`);
    if (!signatureValid(jwt, cert.key))
      return aadError(401, "invalid_client", 700027, "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value.]");
    if (String(jwt.payload.iss).toLowerCase() !== appId || String(jwt.payload.sub).toLowerCase() !== appId)
      return aadError(401, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
    if (!audiences(jwt.payload.aud).some((a) => tokenEndpoints.includes(a))) return aadError(401, "invalid_client", 700023, "Client assertion audience claim does not match Realm issuer.");
    return undefined;
  }

  private checkFederated(appId: string, jwt: Jwt): AadError | undefined {
    const iss = String(jwt.payload.iss ?? "");
    const sub = String(jwt.payload.sub ?? "");
    const aud = audiences(jwt.payload.aud);
    const match = (this.federated.get(appId) ?? []).find((f) => f.issuer === iss && f.subject === sub && f.audiences.some((a) => aud.includes(a)));
    if (!match)
      return aadError(
        400,
        "invalid_request",
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${aud.join(",")}'.`,
      );
    const kid = jwt.header.kid;
    const jwk = (this.issuers.get(iss) ?? []).find((k) => (k as { kid?: string }).kid === kid);
    let valid = false;
    if (jwk) {
      try {
        valid = signatureValid(jwt, createPublicKey({ key: jwk, format: "jwk" }));
      } catch {
        valid = false;
      }
    }
    if (!valid)
      return aadError(
        401,
        "invalid_client",
        700027,
        `Client assertion contains an invalid signature. [Reason - The key was not found or the signature did not match., Issuer: '${iss}', key id: '${String(kid ?? "")}']`,
      );
    return undefined;
  }

  private checkTime(jwt: Jwt, nowMs: number): AadError | undefined {
    const now = Math.floor(nowMs / 1000);
    const exp = Number(jwt.payload.exp);
    const nbf = jwt.payload.nbf === undefined ? undefined : Number(jwt.payload.nbf);
    if (!Number.isFinite(exp) || exp + SKEW_SECONDS < now || (nbf !== undefined && nbf - SKEW_SECONDS > now)) {
      const iso = (s: number | undefined) => (s === undefined || !Number.isFinite(s) ? "?" : new Date(s * 1000).toISOString());
      return aadError(
        400,
        "invalid_client",
        700024,
        `Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ${iso(nbf)}, expiry time of assertion ${iso(exp)}.`,
      );
    }
    return undefined;
  }
}
