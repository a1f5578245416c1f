/**
 * Table definitions. The standard Dataverse tables this project touches are described here
 * because every org has them; anything custom (the Marketo Config table, `new_synctomkto`)
 * comes from the fixture, so the server never names it.
 *
 * Names and types follow the entity reference pages in MicrosoftDocs/powerapps-docs
 * (powerapps-docs/developer/data-platform/reference/entities/*.md).
 */

export type AttributeType =
  | "Uniqueidentifier"
  | "String"
  | "Memo"
  | "Boolean"
  | "Integer"
  | "BigInt"
  | "Decimal"
  | "Double"
  | "DateTime"
  | "Lookup"
  | "Owner"
  | "Picklist"
  | "State"
  | "Status"
  /** `{ Value, CanBeChanged, ManagedPropertyLogicalName }` in Web API payloads (BooleanManagedProperty). */
  | "ManagedProperty";

export interface AttributeDef {
  logicalName: string;
  schemaName?: string;
  type: AttributeType;
  displayName?: string;
  /** Lookup: target tables (logical names). */
  targets?: string[];
  /** Lookup: single-valued navigation property; defaults to the logical name. */
  navigationProperty?: string;
  /** Boolean / Picklist / State / Status labels, for formatted values. */
  options?: Record<string, string>;
}

export interface EntityDef {
  logicalName: string;
  schemaName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string;
  displayName: string;
  displayCollectionName?: string;
  objectTypeCode: number;
  isCustomEntity?: boolean;
  attributes: AttributeDef[];
}

/** 1:N relationship exposed as a collection-valued navigation property on the referenced table. */
export interface OneToManyDef {
  schemaName: string;
  referencedEntity: string;
  referencingEntity: string;
  referencingAttribute: string;
}

/** N:N relationship; both sides use the schema name as the navigation property, as Dataverse does for these. */
export interface ManyToManyDef {
  schemaName: string;
  entity1: string;
  entity2: string;
}

const YES_NO = { "0": "No", "1": "Yes" };
const common = (): AttributeDef[] => [
  { logicalName: "createdon", type: "DateTime" },
  { logicalName: "modifiedon", type: "DateTime" },
  { logicalName: "versionnumber", type: "BigInt" },
];
const lookup = (logicalName: string, target: string, navigationProperty = logicalName): AttributeDef => ({
  logicalName,
  type: "Lookup",
  targets: [target],
  navigationProperty,
});

export const STANDARD_ENTITIES: EntityDef[] = [
  {
    logicalName: "organization",
    schemaName: "Organization",
    entitySetName: "organizations",
    primaryIdAttribute: "organizationid",
    primaryNameAttribute: "name",
    displayName: "Organization",
    objectTypeCode: 1019,
    attributes: [{ logicalName: "organizationid", type: "Uniqueidentifier" }, { logicalName: "name", type: "String" }, ...common()],
  },
  {
    logicalName: "businessunit",
    schemaName: "BusinessUnit",
    entitySetName: "businessunits",
    primaryIdAttribute: "businessunitid",
    primaryNameAttribute: "name",
    displayName: "Business Unit",
    objectTypeCode: 10,
    attributes: [{ logicalName: "businessunitid", type: "Uniqueidentifier" }, { logicalName: "name", type: "String" }, lookup("parentbusinessunitid", "businessunit"), ...common()],
  },
  {
    logicalName: "systemuser",
    schemaName: "SystemUser",
    entitySetName: "systemusers",
    primaryIdAttribute: "systemuserid",
    primaryNameAttribute: "fullname",
    displayName: "User",
    objectTypeCode: 8,
    attributes: [
      { logicalName: "systemuserid", type: "Uniqueidentifier" },
      { logicalName: "fullname", type: "String" },
      { logicalName: "firstname", type: "String" },
      { logicalName: "lastname", type: "String" },
      { logicalName: "domainname", type: "String" },
      { logicalName: "internalemailaddress", type: "String" },
      { logicalName: "applicationid", type: "Uniqueidentifier" },
      { logicalName: "azureactivedirectoryobjectid", type: "Uniqueidentifier" },
      {
        logicalName: "accessmode",
        type: "Picklist",
        options: { "0": "Read-Write", "1": "Administrative", "2": "Read", "3": "Support User", "4": "Non-interactive", "5": "Delegated Admin" },
      },
      { logicalName: "isdisabled", type: "Boolean", options: { "0": "Enabled", "1": "Disabled" } },
      { logicalName: "islicensed", type: "Boolean", options: YES_NO },
      { logicalName: "title", type: "String" },
      lookup("businessunitid", "businessunit"),
      ...common(),
    ],
  },
  {
    logicalName: "team",
    schemaName: "Team",
    entitySetName: "teams",
    primaryIdAttribute: "teamid",
    primaryNameAttribute: "name",
    displayName: "Team",
    objectTypeCode: 9,
    attributes: [
      { logicalName: "teamid", type: "Uniqueidentifier" },
      { logicalName: "name", type: "String" },
      { logicalName: "teamtype", type: "Picklist", options: { "0": "Owner", "1": "Access", "2": "Security Group", "3": "Office Group" } },
      { logicalName: "isdefault", type: "Boolean", options: YES_NO },
      lookup("businessunitid", "businessunit"),
      ...common(),
    ],
  },
  {
    logicalName: "role",
    schemaName: "Role",
    entitySetName: "roles",
    primaryIdAttribute: "roleid",
    primaryNameAttribute: "name",
    displayName: "Security Role",
    objectTypeCode: 1036,
    attributes: [
      { logicalName: "roleid", type: "Uniqueidentifier" },
      { logicalName: "name", type: "String" },
      lookup("businessunitid", "businessunit"),
      lookup("parentrootroleid", "role"),
      lookup("parentroleid", "role"),
      { logicalName: "roletemplateid", type: "Uniqueidentifier" },
      ...common(),
    ],
  },
  {
    logicalName: "solution",
    schemaName: "Solution",
    entitySetName: "solutions",
    primaryIdAttribute: "solutionid",
    primaryNameAttribute: "friendlyname",
    displayName: "Solution",
    objectTypeCode: 7100,
    attributes: [
      { logicalName: "solutionid", type: "Uniqueidentifier" },
      { logicalName: "uniquename", type: "String" },
      { logicalName: "friendlyname", type: "String" },
      { logicalName: "version", type: "String" },
      { logicalName: "ismanaged", type: "Boolean", options: { "0": "Unmanaged", "1": "Managed" } },
      { logicalName: "isvisible", type: "Boolean", options: YES_NO },
      { logicalName: "installedon", type: "DateTime" },
      ...common(),
    ],
  },
  {
    logicalName: "solutioncomponent",
    schemaName: "SolutionComponent",
    entitySetName: "solutioncomponents",
    primaryIdAttribute: "solutioncomponentid",
    primaryNameAttribute: "solutioncomponentid",
    displayName: "Solution Component",
    objectTypeCode: 7103,
    attributes: [
      { logicalName: "solutioncomponentid", type: "Uniqueidentifier" },
      { logicalName: "objectid", type: "Uniqueidentifier" },
      {
        logicalName: "componenttype",
        type: "Picklist",
        options: { "1": "Entity", "2": "Attribute", "20": "Role", "66": "Custom Control", "91": "Plugin Assembly", "92": "SDK Message Processing Step" },
      },
      { logicalName: "rootcomponentbehavior", type: "Picklist", options: { "0": "Include Subcomponents", "1": "Do not include subcomponents", "2": "Include As Shell Only" } },
      lookup("solutionid", "solution"),
      ...common(),
    ],
  },
  {
    logicalName: "sdkmessageprocessingstep",
    schemaName: "SdkMessageProcessingStep",
    entitySetName: "sdkmessageprocessingsteps",
    primaryIdAttribute: "sdkmessageprocessingstepid",
    primaryNameAttribute: "name",
    displayName: "Sdk Message Processing Step",
    objectTypeCode: 4608,
    attributes: [
      { logicalName: "sdkmessageprocessingstepid", type: "Uniqueidentifier" },
      { logicalName: "name", type: "String" },
      { logicalName: "description", type: "String" },
      { logicalName: "stage", type: "Picklist", options: { "10": "Pre-validation", "20": "Pre-operation", "30": "Main Operation", "40": "Post-operation" } },
      { logicalName: "mode", type: "Picklist", options: { "0": "Synchronous", "1": "Asynchronous" } },
      { logicalName: "rank", type: "Integer" },
      { logicalName: "statecode", type: "State", options: { "0": "Enabled", "1": "Disabled" } },
      { logicalName: "statuscode", type: "Status", options: { "1": "Enabled", "2": "Disabled" } },
      // Solution layering (reference/entities/sdkmessageprocessingstep.md): a managed step whose
      // iscustomizable.Value is false cannot be updated (see devserver/customizable.ts).
      { logicalName: "ismanaged", type: "Boolean", options: { "0": "Unmanaged", "1": "Managed" } },
      { logicalName: "iscustomizable", type: "ManagedProperty" },
      ...common(),
    ],
  },
  {
    logicalName: "asyncoperation",
    schemaName: "AsyncOperation",
    entitySetName: "asyncoperations",
    primaryIdAttribute: "asyncoperationid",
    primaryNameAttribute: "name",
    displayName: "System Job",
    objectTypeCode: 4700,
    attributes: [
      { logicalName: "asyncoperationid", type: "Uniqueidentifier" },
      { logicalName: "name", type: "String" },
      // Async messages run as "Execute Async Request" (54) and name their message in `messagename`.
      { logicalName: "operationtype", type: "Picklist", options: { "5": "Import", "54": "Execute Async Request" } },
      { logicalName: "messagename", type: "String" },
      { logicalName: "statecode", type: "State", options: { "0": "Ready", "1": "Suspended", "2": "Locked", "3": "Completed" } },
      {
        logicalName: "statuscode",
        type: "Status",
        options: { "0": "Waiting For Resources", "10": "Waiting", "20": "In Progress", "21": "Pausing", "22": "Canceling", "30": "Succeeded", "31": "Failed", "32": "Canceled" },
      },
      { logicalName: "message", type: "Memo" },
      { logicalName: "friendlymessage", type: "Memo" },
      { logicalName: "startedon", type: "DateTime" },
      { logicalName: "completedon", type: "DateTime" },
      ...common(),
    ],
  },
  {
    // Privileges are rows too: RetrieveUserPrivileges answers with their ids (reference/privilege.md).
    logicalName: "privilege",
    schemaName: "Privilege",
    entitySetName: "privileges",
    primaryIdAttribute: "privilegeid",
    primaryNameAttribute: "name",
    displayName: "Privilege",
    objectTypeCode: 1023,
    attributes: [{ logicalName: "privilegeid", type: "Uniqueidentifier" }, { logicalName: "name", type: "String" }, ...common()],
  },
  {
    logicalName: "importjob",
    schemaName: "ImportJob",
    entitySetName: "importjobs",
    primaryIdAttribute: "importjobid",
    primaryNameAttribute: "name",
    displayName: "Import Job",
    objectTypeCode: 9107,
    attributes: [
      { logicalName: "importjobid", type: "Uniqueidentifier" },
      { logicalName: "name", type: "String" },
      { logicalName: "solutionname", type: "String" },
      { logicalName: "progress", type: "Double" },
      { logicalName: "startedon", type: "DateTime" },
      { logicalName: "completedon", type: "DateTime" },
      { logicalName: "data", type: "Memo" },
      ...common(),
    ],
  },
  {
    // Custom (PCF) controls registered by solution imports (reference/entities/customcontrol.md).
    logicalName: "customcontrol",
    schemaName: "CustomControl",
    entitySetName: "customcontrols",
    primaryIdAttribute: "customcontrolid",
    primaryNameAttribute: "name",
    displayName: "Custom Control",
    objectTypeCode: 66,
    attributes: [
      { logicalName: "customcontrolid", type: "Uniqueidentifier" },
      { logicalName: "name", type: "String" },
      { logicalName: "compatibledatatypes", type: "String" },
      { logicalName: "manifest", type: "Memo" },
      { logicalName: "version", type: "String" },
      { logicalName: "ismanaged", type: "Boolean", options: { "0": "Unmanaged", "1": "Managed" } },
      { logicalName: "solutionid", type: "Uniqueidentifier" },
      ...common(),
    ],
  },
  {
    // Forms (reference/entities/systemform.md): objecttypecode is the table's logical name in the Web API.
    logicalName: "systemform",
    schemaName: "SystemForm",
    entitySetName: "systemforms",
    primaryIdAttribute: "formid",
    primaryNameAttribute: "name",
    displayName: "System Form",
    objectTypeCode: 1030,
    attributes: [
      { logicalName: "formid", type: "Uniqueidentifier" },
      { logicalName: "name", type: "String" },
      { logicalName: "description", type: "Memo" },
      { logicalName: "objecttypecode", type: "String" },
      {
        logicalName: "type",
        type: "Picklist",
        options: { "0": "Dashboard", "1": "AppointmentBook", "2": "Main", "5": "Mobile", "6": "Quick View Form", "7": "Quick Create", "11": "Main - Interactive experience", "12": "Card" },
      },
      { logicalName: "formactivationstate", type: "Picklist", options: { "0": "Inactive", "1": "Active" } },
      { logicalName: "isdefault", type: "Boolean", options: YES_NO },
      { logicalName: "formxml", type: "Memo" },
      { logicalName: "publishedon", type: "DateTime" },
      ...common(),
    ],
  },
  ...(["lead", "contact", "account"] as const).map((name): EntityDef => ({
    logicalName: name,
    schemaName: name[0].toUpperCase() + name.slice(1),
    entitySetName: name + "s",
    primaryIdAttribute: name + "id",
    primaryNameAttribute: name === "account" ? "name" : "fullname",
    displayName: name[0].toUpperCase() + name.slice(1),
    objectTypeCode: { lead: 4, contact: 2, account: 1 }[name],
    attributes: [{ logicalName: name + "id", type: "Uniqueidentifier" }, { logicalName: name === "account" ? "name" : "fullname", type: "String" }, ...common()],
  })),
];

export const STANDARD_ONE_TO_MANY: OneToManyDef[] = [
  { schemaName: "solution_solutioncomponent", referencedEntity: "solution", referencingEntity: "solutioncomponent", referencingAttribute: "solutionid" },
  { schemaName: "business_unit_system_users", referencedEntity: "businessunit", referencingEntity: "systemuser", referencingAttribute: "businessunitid" },
  { schemaName: "business_unit_roles", referencedEntity: "businessunit", referencingEntity: "role", referencingAttribute: "businessunitid" },
];

export const STANDARD_MANY_TO_MANY: ManyToManyDef[] = [
  { schemaName: "systemuserroles_association", entity1: "systemuser", entity2: "role" },
  { schemaName: "teamroles_association", entity1: "team", entity2: "role" },
  { schemaName: "teammembership_association", entity1: "team", entity2: "systemuser" },
];

/** The property name a column has in Web API payloads: lookups are `_name_value`. */
export function propertyName(a: AttributeDef): string {
  return a.type === "Lookup" || a.type === "Owner" ? `_${a.logicalName}_value` : a.logicalName;
}
