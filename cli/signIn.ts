/**
 * How the app registration proves who it is, beyond a client secret: what msal-node's
 * ConfidentialClientApplication takes (`auth.clientSecret`, `auth.clientCertificate`,
 * `auth.clientAssertion`; msal-node 7 Configuration.d.ts).
 *
 * - `--certificate PATH`: one PEM file with the private key and the certificate uploaded to the app
 *   registration. MSAL signs a client assertion with the key and names the certificate by its
 *   SHA-256 thumbprint (`x5t#S256`), which is computed here from the certificate.
 * - `--federated-token-file PATH`: a token from another identity provider that Entra trusts through a
 *   federated identity credential (workload identity federation: GitHub Actions OIDC, Azure workload
 *   identity's AZURE_FEDERATED_TOKEN_FILE). It is read again at each token request, because such
 *   tokens are short-lived and the file is refreshed by whoever writes it.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { NodeAuthOptions } from "@azure/msal-node";
import { CliError, EXIT } from "./errors";
import type { Io } from "./io";

export interface SignInOptions {
  certificate?: string;
  federatedTokenFile?: string;
  clientSecretStdin?: boolean;
}

/** What goes into MSAL's `auth`, besides the client id and authority. */
export type CredentialAuth = Pick<NodeAuthOptions, "clientSecret" | "clientCertificate" | "clientAssertion">;

export type SignInMethod = "secret" | "certificate" | "federated";

export function signInMethod(options: SignInOptions): SignInMethod {
  return options.certificate ? "certificate" : options.federatedTokenFile ? "federated" : "secret";
}

/**
 * One way to sign in per run: a certificate or a federated token with a secret as well would leave
 * it to MSAL's order which one is used, and a stale secret in the environment would go unnoticed.
 */
export function checkOneCredential(options: SignInOptions, env: NodeJS.ProcessEnv, secretEnv: string): void {
  const given = [
    options.certificate ? "--certificate" : undefined,
    options.federatedTokenFile ? "--federated-token-file" : undefined,
    options.clientSecretStdin ? "--client-secret-stdin" : undefined,
  ].filter((x): x is string => x !== undefined);
  if (given.length > 1) throw new CliError(EXIT.usage, "Cli_CredentialConflict", { options: given.join(", ") });
  if (given.length === 1 && given[0] !== "--client-secret-stdin" && env[secretEnv]) throw new CliError(EXIT.usage, "Cli_CredentialConflict", { options: `${given[0]}, ${secretEnv}` });
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** The certificate's private key (PKCS#8 PEM), SHA-256 thumbprint (hex) and certificate chain for `x5c`. */
export async function readCertificate(path: string, io: Io): Promise<NonNullable<CredentialAuth["clientCertificate"]>> {
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (e) {
    throw new CliError(EXIT.usage, "Cli_CertificateUnreadable", { path }, (e as Error).message);
  }
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  const keyBlock = blocks.find((b) => /PRIVATE KEY$/.test(b[1]));
  const certBlocks = blocks.filter((b) => b[1] === "CERTIFICATE").map((b) => b[0]);
  if (!keyBlock || certBlocks.length === 0) throw new CliError(EXIT.usage, "Cli_CertificateIncomplete", { path });
  let privateKey: string;
  let cert: X509Certificate;
  try {
    // An encrypted key would need a passphrase the CLI has no way to be given safely: refused by createPrivateKey.
    const key = createPrivateKey(keyBlock[0]);
    privateKey = key.export({ type: "pkcs8", format: "pem" }).toString();
    cert = new X509Certificate(certBlocks[0]);
    const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: "spki", format: "der" });
    if (!spki(createPublicKey(key)).equals(spki(cert.publicKey))) throw new Error("the private key does not belong to the certificate");
  } catch (e) {
    throw new CliError(EXIT.usage, "Cli_CertificateInvalid", { path }, (e as Error).message);
  }
  io.addSecret(privateKey);
  io.addSecret(keyBlock[0]);
  return { thumbprintSha256: createHash("sha256").update(cert.raw).digest("hex"), privateKey, x5c: certBlocks.join("\n") };
}

async function readToken(path: string, io: Io): Promise<string> {
  let token: string;
  try {
    token = (await readFile(path, "utf8")).trim();
  } catch (e) {
    throw new CliError(EXIT.usage, "Cli_FederatedTokenUnreadable", { path }, (e as Error).message);
  }
  if (!token) throw new CliError(EXIT.usage, "Cli_FederatedTokenUnreadable", { path }, "the file is empty");
  io.addSecret(token);
  return token;
}

/** MSAL's credential for these options; the secret comes from `readSecret` (the environment or stdin). */
export async function readCredential(options: SignInOptions, io: Io, readSecret: () => Promise<string>): Promise<CredentialAuth> {
  if (options.certificate) return { clientCertificate: await readCertificate(options.certificate, io) };
  if (options.federatedTokenFile) {
    const path = options.federatedTokenFile;
    // Read now, so a missing file is a usage error before any request, and again at each token request.
    await readToken(path, io);
    return { clientAssertion: () => readToken(path, io) };
  }
  return { clientSecret: await readSecret() };
}

/**
 * Entra's refusals of a client assertion (Azure SDK for Java docs, "Troubleshoot service principal
 * authentication": AADSTS700027 invalid signature, 700021 iss/sub not the client id, 700023 wrong
 * audience; Azure DevOps docs, "Troubleshoot workload identity service connections": AADSTS70021 no
 * matching federated identity record, 700024 assertion outside its valid time range).
 */
export function assertionErrorKey(aadsts: string | undefined): string | undefined {
  switch (aadsts) {
    case "700027":
    case "700021":
    case "700023":
    case "50027":
      return "Cli_Auth_BadAssertion";
    case "70021":
      return "Cli_Auth_NoFederatedMatch";
    case "700024":
      return "Cli_Auth_AssertionExpired";
    default:
      return undefined;
  }
}
