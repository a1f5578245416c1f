/**
 * Credentials made at test time, never committed: a self-signed X.509 certificate with its RSA key
 * (node:crypto has no certificate builder, so the DER is written here: RFC 5280's TBSCertificate
 * with only what a certificate needs), and a federated token from a made-up issuer with its JWKS.
 */
import { createPrivateKey, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from "node:crypto";

const der = (tag: number, body: Buffer): Buffer => {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
const seq = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const SHA256_WITH_RSA = seq(Buffer.from("06092a864886f70d01010b", "hex"), Buffer.from("0500", "hex"));
const name = (cn: string) => seq(der(0x31, seq(Buffer.from("0603550403", "hex"), der(0x0c, Buffer.from(cn, "utf8")))));
const utcTime = (d: Date) => der(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z"));

export interface TestCertificate {
  /** What `--certificate` reads: the private key and the certificate. */
  pem: string;
  /** The public part, as uploaded to the app registration. */
  certificatePem: string;
  privateKey: KeyObject;
}

export function makeCertificate(cn = "marketo-dynamics test"): TestCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const now = Date.now();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([1, ...Array.from({ length: 7 }, () => Math.floor(Math.random() * 256))])),
    SHA256_WITH_RSA,
    name(cn),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 24 * 3600_000))),
    name(cn),
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbs, privateKey);
  const cert = seq(tbs, SHA256_WITH_RSA, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const certificatePem = `-----BEGIN CERTIFICATE-----\n${cert.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`.replace(/\n\n/g, "\n");
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { pem: keyPem + certificatePem, certificatePem, privateKey };
}

/** An external OIDC issuer (stands for GitHub Actions' token.actions.githubusercontent.com). */
export interface TestIssuer {
  issuer: string;
  keys: JsonWebKey[];
  token(claims: Record<string, unknown>, options?: { kid?: string; key?: KeyObject }): string;
}

export function makeIssuer(issuer = "https://token.actions.example.test"): TestIssuer {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = "test-key-1";
  return {
    issuer,
    keys: [{ ...publicKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" }],
    token(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const body = `${b64({ alg: "RS256", typ: "JWT", kid: options.kid ?? kid })}.${b64({ iss: issuer, iat: now, nbf: now, exp: now + 300, ...claims })}`;
      return `${body}.${sign("sha256", Buffer.from(body), options.key ?? privateKey).toString("base64url")}`;
    },
  };
}

/** Another key, for a token or assertion signed by someone else. */
export const strangerKey = () => createPrivateKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }));
