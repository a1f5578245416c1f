/**
 * Sign-in without a stored secret (issue 15, "Many environments, CI sign-in"): a certificate
 * (`--certificate`, MSAL's client assertion signed with its key, `x5t#S256`) and a federated token
 * (`--federated-token-file`, workload identity federation), against the stand-in's token endpoint,
 * which checks them as Entra does (devserver/clientAssertion.ts).
 */
import { constants, createHash, sign, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP, ORG, SECRET } from "../../../devserver/fixtures/ids";
import { TOKEN_EXCHANGE_AUDIENCE } from "../../../devserver/clientAssertion";
import { startDevServer, type DevServer } from "../../../devserver/server";
import { cli, connectionArgs, tokenRequests } from "./helpers";
import { makeCertificate, makeIssuer, strangerKey } from "./testCredentials";

jest.setTimeout(60_000);

let server: DevServer;
let dir: string;
const SUBJECT = "repo:contoso/marketo-dynamics:ref:refs/heads/main";

beforeAll(async () => {
  server = await startDevServer({ auth: "token" });
  dir = mkdtempSync(join(tmpdir(), "md-signin-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server.close();
});
beforeEach(() => server.reset());

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const errorOf = (stderr: string) => JSON.parse(stderr).error as { key: string; message: string; details: string | null };

describe("--certificate", () => {
  it("signs in with a certificate registered on the app, and is refused (exit 2, AADSTS700027) when it is not", async () => {
    const cert = makeCertificate();
    const path = file("cert.pem", cert.pem);
    const refused = await cli(["verify", "--json", ...connectionArgs(server), "--certificate", path], { secret: null });
    expect(refused.code).toBe(2);
    expect(errorOf(refused.stderr)).toMatchObject({ key: "Cli_Auth_BadAssertion" });
    expect(errorOf(refused.stderr).message).toContain("AADSTS700027");

    server.auth.assertions.addCertificate(APP.marketoSync, cert.certificatePem);
    const r = await cli(["verify", "--json", ...connectionArgs(server), "--certificate", path], { secret: null });
    // The demo org fails checks (1): signed in and checked, not refused (2).
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).checks.length).toBeGreaterThan(5);
    expect(tokenRequests(r)).toBe(1);
    // The key never shows.
    const body = cert.pem.split("\n")[1];
    expect(r.stdout + r.stderr + refused.stdout + refused.stderr).not.toContain(body);
  });

  it("refuses a key that does not belong to the certificate, and a file without the key, before any request", async () => {
    const cert = makeCertificate();
    const other = strangerKey().export({ type: "pkcs8", format: "pem" }).toString();
    const mismatched = await cli(["verify", "--json", ...connectionArgs(server), "--certificate", file("mismatch.pem", other + cert.certificatePem)], { secret: null });
    expect(mismatched.code).toBe(2);
    expect(errorOf(mismatched.stderr).key).toBe("Cli_CertificateInvalid");
    expect(mismatched.urls).toEqual([]);
    const noKey = await cli(["verify", "--json", ...connectionArgs(server), "--certificate", file("nokey.pem", cert.certificatePem)], { secret: null });
    expect(errorOf(noKey.stderr).key).toBe("Cli_CertificateIncomplete");
  });

  it("is a usage error with a secret as well (the variable or --client-secret-stdin)", async () => {
    const path = file("c2.pem", makeCertificate().pem);
    const both = await cli(["verify", "--json", ...connectionArgs(server), "--certificate", path], { secret: SECRET.marketoSync });
    expect(both.code).toBe(2);
    expect(errorOf(both.stderr)).toMatchObject({ key: "Cli_CredentialConflict" });
    expect(both.urls).toEqual([]);
    const stdin = await cli(["verify", "--json", ...connectionArgs(server), "--certificate", path, "--client-secret-stdin"], { secret: null, stdin: SECRET.marketoSync });
    expect(errorOf(stdin.stderr).key).toBe("Cli_CredentialConflict");
  });
});

describe("--federated-token-file", () => {
  const issuer = makeIssuer();
  const trust = (subject = SUBJECT) => {
    server.auth.assertions.trustIssuer(issuer.issuer, issuer.keys);
    server.auth.assertions.addFederatedCredential(APP.marketoSync, { name: "github-main", issuer: issuer.issuer, subject, audiences: [TOKEN_EXCHANGE_AUDIENCE] });
  };

  it("signs in with a token whose issuer, subject and audience match a federated credential", async () => {
    trust();
    const path = file("oidc.jwt", issuer.token({ sub: SUBJECT, aud: TOKEN_EXCHANGE_AUDIENCE }));
    const r = await cli(["verify", "--json", ...connectionArgs(server), "--federated-token-file", path], { secret: null });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).checks.length).toBeGreaterThan(5);
  });

  it("refuses a token with no matching record (AADSTS70021), a bad signature (700027) or expired (700024): exit 2", async () => {
    trust("repo:contoso/marketo-dynamics:environment:production");
    const wrongSubject = await cli(["verify", "--json", ...connectionArgs(server), "--federated-token-file", file("a.jwt", issuer.token({ sub: SUBJECT, aud: TOKEN_EXCHANGE_AUDIENCE }))], {
      secret: null,
    });
    expect(wrongSubject.code).toBe(2);
    expect(errorOf(wrongSubject.stderr)).toMatchObject({ key: "Cli_Auth_NoFederatedMatch" });
    expect(errorOf(wrongSubject.stderr).message).toContain("AADSTS70021");

    trust();
    const forged = issuer.token({ sub: SUBJECT, aud: TOKEN_EXCHANGE_AUDIENCE }, { key: strangerKey() });
    const bad = await cli(["verify", "--json", ...connectionArgs(server), "--federated-token-file", file("b.jwt", forged)], { secret: null });
    expect(errorOf(bad.stderr).message).toContain("AADSTS700027");

    const old = Math.floor(Date.now() / 1000) - 3600;
    const expired = await cli(
      ["verify", "--json", ...connectionArgs(server), "--federated-token-file", file("c.jwt", issuer.token({ sub: SUBJECT, aud: TOKEN_EXCHANGE_AUDIENCE, iat: old, nbf: old, exp: old + 300 }))],
      { secret: null },
    );
    expect(expired.code).toBe(2);
    expect(errorOf(expired.stderr)).toMatchObject({ key: "Cli_Auth_AssertionExpired" });
  });

  it("reads the file again at each token request (the pipeline refreshes it)", async () => {
    trust();
    const path = file("rotating.jwt", issuer.token({ sub: SUBJECT, aud: TOKEN_EXCHANGE_AUDIENCE }));
    let swapped = false;
    const r = await cli(["verify", "--json", ...connectionArgs(server), "--federated-token-file", path], {
      secret: null,
      onFetch: (url) => {
        if (swapped || !url.includes("/api/data/")) return;
        // After the first sign-in: the file now holds a token from someone else, and the access token expires.
        swapped = true;
        writeFileSync(path, issuer.token({ sub: SUBJECT, aud: TOKEN_EXCHANGE_AUDIENCE }, { key: strangerKey() }));
        server.auth.expireAll();
      },
    });
    expect(swapped).toBe(true);
    expect(tokenRequests(r)).toBe(2);
    expect(r.code).toBe(2);
    expect(errorOf(r.stderr).message).toContain("AADSTS700027");
  });

  it("refuses a missing file before any request, and a secret as well", async () => {
    const missing = await cli(["verify", "--json", ...connectionArgs(server), "--federated-token-file", join(dir, "nope.jwt")], { secret: null });
    expect(missing.code).toBe(2);
    expect(errorOf(missing.stderr).key).toBe("Cli_FederatedTokenUnreadable");
    expect(missing.urls).toEqual([]);
    const both = await cli(["verify", "--json", ...connectionArgs(server), "--federated-token-file", file("d.jwt", "x.y.z")]);
    expect(errorOf(both.stderr).key).toBe("Cli_CredentialConflict");
  });
});

describe("the stand-in's token endpoint checks a certificate assertion as Entra does", () => {
  const cert = makeCertificate();
  const x5t = createHash("sha256").update(new X509Certificate(cert.certificatePem).raw).digest("base64url");
  const assertion = (claims: Record<string, unknown>) => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const body = `${b64({ alg: "PS256", typ: "JWT", "x5t#S256": x5t })}.${b64({ iss: APP.marketoSync, sub: APP.marketoSync, exp: now + 600, nbf: now, jti: "1", ...claims })}`;
    const sig = sign("sha256", Buffer.from(body), { key: cert.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
    return `${body}.${sig.toString("base64url")}`;
  };
  const token = async (jwt: string) => {
    const endpoint = `${server.url}/${ORG.tenantId}/oauth2/v2.0/token`;
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: APP.marketoSync,
      scope: `${server.url}/.default`,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: jwt,
    });
    const res = await fetch(endpoint, { method: "POST", body: form });
    return { status: res.status, body: (await res.json()) as { access_token?: string; error_codes?: number[] } };
  };

  it("audience = the token endpoint, iss = sub = the client id, not expired", async () => {
    server.auth.assertions.addCertificate(APP.marketoSync, cert.certificatePem);
    const aud = `${server.url}/${ORG.tenantId}/oauth2/v2.0/token`;
    expect((await token(assertion({ aud }))).body.access_token).toBeTruthy();
    expect((await token(assertion({ aud: "https://elsewhere.example/token" }))).body.error_codes).toEqual([700023]);
    expect((await token(assertion({ aud, iss: APP.disabledApp }))).body.error_codes).toEqual([700021]);
    const old = Math.floor(Date.now() / 1000) - 7200;
    expect((await token(assertion({ aud, exp: old, nbf: old - 600 }))).body.error_codes).toEqual([700024]);
    expect((await token("not-a-jwt")).body.error_codes).toEqual([50027]);
  });
});
