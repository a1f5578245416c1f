/** The shape of a fixture file (devserver/fixtures/*.json). See devserver/README.md. */
import type { AttributeDef, EntityDef, ManyToManyDef, OneToManyDef } from "./schema";

export type Row = Record<string, unknown>;

export interface OrganizationInfo {
  OrganizationId: string;
  EnvironmentId: string;
  TenantId: string;
  UrlName: string;
  UniqueName: string;
  FriendlyName: string;
  OrganizationVersion: string;
  Geo: string;
  DatacenterId?: string;
}

/** An app registration in the organisation's Microsoft Entra tenant (devserver/entra/directory.ts). */
export interface AppRegistration {
  clientId: string;
  /** A client secret valid until 2099 (test values only); none: the app has no secret yet. */
  clientSecret?: string;
  /**
   * The application user (systemuserid) that the app acts as. Informative: the token's user is
   * found by `systemuser.applicationid` at each request, as Dataverse does; none: no application user.
   */
  userId?: string;
  displayName?: string;
  /** false: registered without a service principal in the tenant (default true). */
  servicePrincipal?: boolean;
  /** "Allow public client flows" (device code sign-in without a secret). */
  publicClient?: boolean;
}

export interface Fixture {
  name: string;
  organization: OrganizationInfo;
  /** Session mode: the signed-in user unless a request names another (see README). */
  currentUserId: string;
  appRegistrations: AppRegistration[];
  /** The Entra tenant beyond the app registrations. */
  entra?: {
    /** systemuserids of the users who hold Entra's Application Administrator role (default: `currentUserId`). */
    applicationAdministrators?: string[];
    /**
     * Entra's "Users can register applications" (`authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps`):
     * whether any member may register an app, becoming its owner. Default true, as in a new tenant.
     */
    usersCanRegisterApps?: boolean;
    /** The tenant's domains (Graph `domain`); default one managed `contoso.onmicrosoft.com`. */
    domains?: Array<{ id: string; authenticationType: "Managed" | "Federated"; isDefault?: boolean }>;
    /**
     * How many requests answer as if an object just created through Graph did not exist yet
     * (Entra ID replicates it within seconds; devserver/entra/directory.ts). Default 0.
     */
    propagationMisses?: number;
  };
  /** Custom tables (e.g. the Marketo Config table); standard tables are built in. */
  entities?: EntityDef[];
  /** Extra columns on built-in tables, e.g. `{ "lead": [{ logicalName: "new_synctomkto", type: "Boolean" }] }`. */
  extraAttributes?: Record<string, AttributeDef[]>;
  oneToMany?: OneToManyDef[];
  manyToMany?: ManyToManyDef[];
  records: Record<string, Row[]>;
  /** N:N links by relationship schema name, as [entity1 id, entity2 id] pairs. */
  associations: Record<string, Array<[string, string]>>;
  security?: {
    /** Privileges a user lacks although its roles would grant them: userId → privilege names. */
    denied?: Record<string, string[]>;
    /**
     * Record access each role grants, by role name (every business-unit copy alike): table logical
     * name (or "*") → access rights as RetrievePrincipalAccess names them (ReadAccess, WriteAccess…).
     */
    roleAccess?: Record<string, Record<string, string[]>>;
  };
  settings?: {
    /** How long PublishAllXml(Async) takes, in ms. */
    publishDurationMs?: number;
    importDurationMs?: number;
    tokenLifetimeSeconds?: number;
  };
  /** Marks which custom table is the Marketo Config table, for tests and the harness only. */
  marketo?: { configEntity: string; userAttribute: string; defaultRecordId: string; solutionId: string; roleName: string };
}
