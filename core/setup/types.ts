/** What the checklist needs to know about an organisation, read by `loadSetupState`. */
import type { DataverseError } from "../dataverse/errors";

export interface ConfigRecordRef {
  /** Logical name of the Marketo Config table (from the form, never hard-coded). */
  entity: string;
  id: string;
  /** Logical name of the Marketo User lookup attribute. */
  attribute: string;
}

export interface SetupInput {
  config: ConfigRecordRef;
  /** The user picked on the form (may differ from the saved value while the form is dirty). */
  chosenUserId?: string | null;
  roleName: string;
  solutionName: string;
  /** What this session changed and published, to judge whether a publish is still due. */
  publishLog?: PublishLog;
  /**
   * The session signs in with the credentials Marketo uses (the CLI, server-to-server): the
   * Marketo User must then be the user these credentials sign in as, as Marketo's Validate Sync
   * requires. Off in the control (the admin's own session proves nothing about Marketo's).
   */
  signedInAsMarketo?: boolean;
}

export interface PublishLog {
  /** ISO time of the last change made here that needs publishing. */
  lastChangeAt?: string;
  /** ISO time of the last successful publish made here. */
  lastPublishAt?: string;
}

export interface UserInfo {
  id: string;
  fullName: string;
  email?: string;
  domainName?: string;
  applicationId?: string;
  isDisabled: boolean;
  businessUnitId?: string;
  businessUnitName?: string;
}

export interface RoleCopy {
  id: string;
  name: string;
  businessUnitId: string;
  businessUnitName?: string;
  rootRoleId?: string;
  /** Users holding this copy directly. */
  holders: UserInfo[];
}

/** A team that holds a copy of the role: its members hold the role through it. */
export interface RoleTeam {
  id: string;
  name: string;
  /** The copies of the role the team holds (a team holds its own business unit's copy). */
  roleIds: string[];
  members: UserInfo[];
  /**
   * A Microsoft Entra group team: Dataverse lists only the group's members who have opened the
   * environment; the others get its roles when they first do (Power Platform admin, "Manage group
   * teams"). So it gives the role to more people than `members` names, maybe to nobody listed yet.
   */
  entraGroup?: true;
}

export interface PluginStep {
  id: string;
  name: string;
  enabled: boolean;
  /** From a managed solution (undefined: not read). */
  isManaged?: boolean;
  /** `iscustomizable.Value`: "Can be customized" (undefined: not read). */
  isCustomizable?: boolean;
}

export interface SolutionInfo {
  id: string;
  uniqueName: string;
  friendlyName: string;
  version: string;
  isManaged: boolean;
  installedOn?: string;
  stepIds: string[];
}

export interface OrganizationInfo {
  organizationId?: string;
  tenantId?: string;
  friendlyName?: string;
  uniqueName?: string;
  webApplicationUrl?: string;
  organizationServiceUrl?: string;
}

/** A fact that could not be read: the checklist line becomes "unknown" and explains why. */
export type Fact<T> = { ok: true; value: T } | { ok: false; error: DataverseError };

export interface SetupState {
  input: SetupInput;
  configEntitySet?: string;
  /** Marketo User stored on the record (null when empty). */
  savedUserId: Fact<string | null>;
  configModifiedOn?: string;
  chosenUser?: Fact<UserInfo & { directRoleIds: string[]; roleTeams: string[] }>;
  roles: Fact<RoleCopy[]>;
  /** Teams holding the role, with their members (undefined: not read). */
  roleTeams?: Fact<RoleTeam[]>;
  /**
   * Before Marketo solution 4.0.0.14 every user needs the role: the enabled users who lack it.
   * Read only for such a solution (undefined otherwise).
   */
  usersWithoutRole?: Fact<UserInfo[]>;
  solution: Fact<SolutionInfo | null>;
  steps: Fact<PluginStep[]>;
  /** Whether the chosen user can read the config record. */
  configReadable?: Fact<boolean>;
  organization: Fact<OrganizationInfo>;
  /** Logical names of the tables checked for the optional `new_synctomkto` filter field, and whether each has it. */
  syncFilter: Record<string, Fact<boolean>>;
  currentUserId?: string;
  /** When the newest succeeded Publish All system job completed, if the org has one. */
  lastPublishJobAt?: string;
  /** Privilege names the admin using the control holds (only those the fixes need are resolved). */
  adminPrivileges?: Fact<string[]>;
  /** HTTP round trips used to read this state (tests and benchmarks watch it). */
  roundTrips: number;
}

export type CheckId =
  | "solution.installed"
  | "solution.steps"
  | "user.selected"
  | "user.credentials"
  | "user.enabled"
  | "user.application"
  | "user.role"
  | "role.exclusive"
  | "role.disabledHolders"
  | "user.configRead"
  | "publish"
  | "filter.field";

export type CheckStatus = "pass" | "warn" | "fail" | "unknown" | "info";

export type FixId = "assignRole" | "assignRoleToEveryone" | "removeRoleFromOthers" | "removeRoleFromDisabled" | "enableSteps" | "publish" | "pickUser" | "createAppUser";

export interface CheckItem {
  id: CheckId;
  status: CheckStatus;
  /** resx key; parameters fill `{name}` placeholders. */
  messageKey: string;
  params: Record<string, string | number>;
  /** Longer explanation, shown on demand. */
  detailKey?: string;
  fix?: FixId;
  /** Users the fix would change (the role's removals and assignments): the confirmation names them. */
  affectedUsers?: UserInfo[];
  /** Teams the removal takes the role from: the confirmation names each with its members. */
  affectedTeams?: RoleTeam[];
  /** Why the line is unknown: the read that failed. */
  error?: DataverseError;
  /** resx key of the line's name when it differs from the check's usual one (`checkTitleKey`). */
  titleKey?: string;
  /**
   * An "unknown" that is no problem found, so it does not need the admin's attention: Dataverse keeps
   * no "last published" time, and nothing seen says a publish is due.
   */
  advisory?: boolean;
}
