/**
 * The Microsoft Entra ID tenant behind the organisation: app registrations (Graph `application`),
 * their service principals, client secrets (kept as hashes only) and who may manage them. Loaded
 * from the fixture's `appRegistrations` and `entra`; the Graph routes change it, the token endpoint
 * reads it, and Dataverse's application-user rule asks it whether a service principal exists.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Fixture } from "../fixture";

export interface PasswordCredential {
  keyId: string;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
  /** First three characters of the secret, as Graph returns it. */
  hint: string;
  /** sha256 of the secret: the value itself is never kept. */
  secretHash: string;
}

export interface EntraApplication {
  id: string;
  appId: string;
  displayName: string;
  signInAudience: string;
  createdDateTime: string;
  /** Public client (device code allowed without a secret): "Allow public client flows". */
  isFallbackPublicClient: boolean | null;
  passwordCredentials: PasswordCredential[];
  /** Who registered it (a member who is no admin manages only apps they own). */
  owners: string[];
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType: "Application";
  accountEnabled: boolean;
  appOwnerOrganizationId: string;
  signInAudience: string;
  createdDateTime: string;
}

export const hashSecret = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

/** A client secret in the shape Graph generates (40 characters, `~` and `.` included). */
export function newSecretText(): string {
  return randomBytes(30).toString("base64").replace(/\+/g, "~").replace(/\//g, ".").replace(/=/g, "_").slice(0, 40);
}

const TWO_YEARS_MS = 2 * 365 * 24 * 3600 * 1000;

/**
 * Who asks for a new object before every replica has it, and by which id: creating a new app's
 * service principal (its appId), adding a new app's secret (its object id), Dataverse creating an
 * application user for a new service principal (its appId), a sign-in with a new secret (its keyId).
 */
export type PropagationReader = "servicePrincipals" | "addPassword" | "applicationUser" | "signIn";

export class Directory {
  readonly applications = new Map<string, EntraApplication>();
  readonly servicePrincipals = new Map<string, ServicePrincipal>();
  /** Entra object ids of the users holding an admin role that may manage app registrations. */
  readonly applicationAdministrators: Set<string>;
  usersCanRegisterApps: boolean;
  readonly domains: Array<{ id: string; authenticationType: "Managed" | "Federated"; isDefault: boolean }>;
  /**
   * Entra ID is eventually consistent: an app registration, service principal or secret created
   * through Graph reaches the other replicas within seconds, and a request served by one that lacks it
   * is answered as if it did not exist. No Microsoft page states the delay; the answers are those
   * reported: POST servicePrincipals right after POST applications gets 400 "…does not reference a
   * valid application object" (microsoftgraph/msgraph-sdk-dotnet#3108), addPassword on a new app 404
   * (microsoftgraph/msgraph-sdk-java#934), a sign-in with a new secret AADSTS7000215 for some seconds
   * (microsoftgraph/microsoft-graph-docs#17966). Here the lag is counted, not timed: each reader
   * misses a new object this many times, then sees it.
   */
  propagationMisses: number;
  private readonly unseen = new Map<string, number>();
  /** Requests answered as if a new object did not exist yet: a test's proof that the lag fired. */
  missesServed = 0;

  constructor(
    readonly tenantId: string,
    fixture: Fixture,
  ) {
    const t0 = "2024-02-01T10:00:00Z";
    for (const reg of fixture.appRegistrations) {
      // Stable object ids for fixture apps: the app id with another first block ("ab…" app, "5b…" service principal).
      const objectId = (prefix: string) => prefix + reg.clientId.toLowerCase().slice(2);
      const app = this.addApplication({ id: objectId("ab"), appId: reg.clientId, displayName: reg.displayName ?? reg.clientId, createdDateTime: t0, isFallbackPublicClient: reg.publicClient ?? null });
      if (reg.clientSecret) this.addPassword(app, { displayName: "fixture secret", startDateTime: t0, endDateTime: "2099-12-31T00:00:00Z" }, reg.clientSecret);
      if (reg.servicePrincipal !== false) this.addServicePrincipal(app, t0, objectId("5b"));
    }
    this.applicationAdministrators = new Set((fixture.entra?.applicationAdministrators ?? [fixture.currentUserId]).map((id) => id.toLowerCase()));
    this.propagationMisses = fixture.entra?.propagationMisses ?? 0;
    this.usersCanRegisterApps = fixture.entra?.usersCanRegisterApps ?? true;
    this.domains = (fixture.entra?.domains ?? [{ id: "contoso.onmicrosoft.com", authenticationType: "Managed", isDefault: true }]).map((d) => ({ isDefault: false, ...d }));
  }

  /** A new object (made through Graph, not the fixture): `reader` misses it for a while. */
  lagFor(reader: PropagationReader, id: string): void {
    if (this.propagationMisses > 0) this.unseen.set(`${reader}:${id.toLowerCase()}`, this.propagationMisses);
  }

  /** Minutes later: every replica has every object. */
  settle(): void {
    this.unseen.clear();
  }

  /** True while `reader` does not see the object yet; each call is one miss fewer. */
  notYetSeen(reader: PropagationReader, id: string): boolean {
    const key = `${reader}:${id.toLowerCase()}`;
    const left = this.unseen.get(key) ?? 0;
    if (left <= 0) return false;
    if (left === 1) this.unseen.delete(key);
    else this.unseen.set(key, left - 1);
    this.missesServed++;
    return true;
  }

  addApplication(input: {
    id?: string;
    appId?: string;
    displayName: string;
    signInAudience?: string;
    createdDateTime?: string;
    isFallbackPublicClient?: boolean | null;
    owner?: string;
  }): EntraApplication {
    const app: EntraApplication = {
      id: input.id ?? randomUUID(),
      appId: (input.appId ?? randomUUID()).toLowerCase(),
      displayName: input.displayName,
      signInAudience: input.signInAudience ?? "AzureADMyOrg",
      createdDateTime: input.createdDateTime ?? new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      isFallbackPublicClient: input.isFallbackPublicClient ?? null,
      passwordCredentials: [],
      owners: input.owner ? [input.owner.toLowerCase()] : [],
    };
    this.applications.set(app.id, app);
    return app;
  }

  /** Adds a secret; returns the credential and the secret text, which only the caller ever sees. */
  addPassword(
    app: EntraApplication,
    input: { displayName?: string | null; startDateTime?: string; endDateTime?: string },
    secretText = newSecretText(),
  ): { credential: PasswordCredential; secretText: string } {
    const start = input.startDateTime ?? new Date().toISOString();
    const credential: PasswordCredential = {
      keyId: randomUUID(),
      displayName: input.displayName ?? null,
      startDateTime: start,
      endDateTime: input.endDateTime ?? new Date(Date.parse(start) + TWO_YEARS_MS).toISOString(),
      hint: secretText.slice(0, 3),
      secretHash: hashSecret(secretText),
    };
    app.passwordCredentials.push(credential);
    return { credential, secretText };
  }

  addServicePrincipal(app: EntraApplication, createdDateTime = new Date().toISOString(), id: string = randomUUID()): ServicePrincipal {
    const sp: ServicePrincipal = {
      id,
      appId: app.appId,
      displayName: app.displayName,
      servicePrincipalType: "Application",
      accountEnabled: true,
      appOwnerOrganizationId: this.tenantId,
      signInAudience: app.signInAudience,
      createdDateTime,
    };
    this.servicePrincipals.set(sp.id, sp);
    return sp;
  }

  applicationByAppId(appId: string): EntraApplication | undefined {
    const key = appId.toLowerCase();
    return [...this.applications.values()].find((a) => a.appId === key);
  }

  servicePrincipalByAppId(appId: string): ServicePrincipal | undefined {
    const key = appId.toLowerCase();
    return [...this.servicePrincipals.values()].find((s) => s.appId === key);
  }

  deleteApplication(app: EntraApplication): void {
    this.applications.delete(app.id);
    // Deleting an app registration removes its service principal in the home tenant too.
    const sp = this.servicePrincipalByAppId(app.appId);
    if (sp) this.servicePrincipals.delete(sp.id);
  }

  /** "ok", "expired" (every matching secret is past its end date) or "wrong". */
  checkSecret(app: EntraApplication, secret: string, now = Date.now()): "ok" | "expired" | "wrong" {
    const hash = hashSecret(secret);
    const matching = app.passwordCredentials.filter((p) => p.secretHash === hash && Date.parse(p.startDateTime) <= now + 5 * 60_000 && !this.notYetSeen("signIn", p.keyId));
    if (matching.some((p) => Date.parse(p.endDateTime) > now)) return "ok";
    return matching.length ? "expired" : "wrong";
  }
}
