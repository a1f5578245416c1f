/**
 * The Web API paths the setup model reads. Kept together so the devserver contract tests,
 * the benchmarks and the loader agree on one set of requests.
 */
import { allOf, anyOf, buildQuery, eq, guid, isGuid, literal, pattern, recordPath } from "../dataverse/odata";
import { escapeXml } from "../dataverse/xml";

export const USER_FIELDS = ["systemuserid", "fullname", "domainname", "internalemailaddress", "applicationid", "isdisabled", "_businessunitid_value"];

/** Tables Marketo syncs by default, where the optional `new_synctomkto` filter field may live. */
export const SYNC_FILTER_TABLES = ["lead", "contact", "account"];
export const SYNC_FILTER_FIELD = "new_synctomkto";

/** Component type of an SDK message processing step in `solutioncomponents`. */
export const COMPONENT_TYPE_PLUGIN_STEP = 92;

export function entityDefinitionPath(logicalName: string): string {
  return `EntityDefinitions(LogicalName=${literal(logicalName)})` + buildQuery({ select: ["LogicalName", "EntitySetName", "PrimaryNameAttribute"] });
}

export function attributeDefinitionPath(entity: string, attribute: string): string {
  return `EntityDefinitions(LogicalName=${literal(entity)})/Attributes(LogicalName=${literal(attribute)})` + buildQuery({ select: ["LogicalName"] });
}

export function userWithRolesPath(userId: string): string {
  return (
    recordPath("systemusers", userId) +
    buildQuery({
      select: [...USER_FIELDS, "azureactivedirectoryobjectid", "accessmode"],
      expand: [{ navigation: "systemuserroles_association", select: ["roleid", "name", "_businessunitid_value", "_parentrootroleid_value"] }],
    })
  );
}

/** Teams the user belongs to that hold the role: the user then has it "only through a team". */
export function userTeamsWithRolePath(userId: string, roleName: string): string {
  return (
    "teams" +
    buildQuery({
      select: ["teamid", "name"],
      filter: allOf([`teammembership_association/any(u:u/systemuserid eq ${guid(userId)})`, `teamroles_association/any(r:r/name eq ${literal(roleName)})`]),
    })
  );
}

export function rolesByNamePath(roleName: string): string {
  return (
    "roles" +
    buildQuery({
      select: ["roleid", "name", "_businessunitid_value", "_parentrootroleid_value"],
      filter: eq("name", roleName),
      expand: [{ navigation: "systemuserroles_association", select: USER_FIELDS }],
    })
  );
}

/**
 * Teams holding a copy of the role, with their members: a team's members receive its roles'
 * privileges (Microsoft Learn, "Role-based security": "After you assign a user to the team, they
 * receive the security role's privileges"; Power Platform admin, "Security roles and privileges",
 * member's privilege inheritance), so from Marketo solution 4.0.0.14 on they are "someone else
 * with the role" too.
 */
export function teamsWithRolePath(roleName: string): string {
  return (
    "teams" +
    buildQuery({
      select: ["teamid", "name", "teamtype"],
      filter: `teamroles_association/any(r:r/name eq ${literal(roleName)})`,
      expand: [
        { navigation: "teamroles_association", select: ["roleid"], filter: eq("name", roleName) },
        { navigation: "teammembership_association", select: USER_FIELDS },
      ],
    })
  );
}

/**
 * Before Marketo solution 4.0.0.14 "every user must have the Sync User role" (Adobe, "Step 2 of 3:
 * Set Up Marketo Sync User in Dynamics", the note on 4.0.0.14): the enabled people who lack it. The
 * people are Read-Write users (`accessmode` 0) without a Client ID. Left out: application users
 * (Microsoft's own are provisioned with their roles, and its "System and application users" page
 * says not to change them), support users and delegated admins (`accessmode` 3 and 5).
 */
export function usersWithoutRolePath(roleName: string): string {
  return (
    "systemusers" +
    buildQuery({
      select: USER_FIELDS,
      filter: allOf(["isdisabled eq false", "accessmode eq 0", "applicationid eq null", `not systemuserroles_association/any(r:r/name eq ${literal(roleName)})`]),
      orderby: ["fullname"],
    })
  );
}

export function solutionPath(solutionName: string): string {
  return (
    "solutions" +
    buildQuery({
      select: ["solutionid", "uniquename", "friendlyname", "version", "ismanaged", "installedon"],
      filter: anyOf([eq("friendlyname", solutionName), eq("uniquename", solutionName)]),
      expand: [
        {
          navigation: "solution_solutioncomponent",
          select: ["objectid", "componenttype"],
          filter: eq("componenttype", COMPONENT_TYPE_PLUGIN_STEP),
        },
      ],
    })
  );
}

export function configRecordPath(entitySet: string, id: string, attribute: string): string {
  return recordPath(entitySet, id) + buildQuery({ select: [`_${attribute}_value`, "modifiedon"] });
}

const STEP_FIELDS = ["sdkmessageprocessingstepid", "name", "statecode", "statuscode", "ismanaged", "iscustomizable"];

export function stepsPath(stepIds: string[]): string {
  return (
    "sdkmessageprocessingsteps" +
    buildQuery({
      // ismanaged + iscustomizable (a ManagedProperty: { Value, CanBeChanged, … }) say whether a step may be enabled here.
      select: STEP_FIELDS,
      filter: anyOf(stepIds.map((id) => eq("sdkmessageprocessingstepid", id, "guid"))),
    })
  );
}

/**
 * The solution's plugin steps in one query, without first reading the ids its components list:
 * FetchXML joins `solutioncomponent.objectid` (a plain id, no relationship) to the step's id.
 * Microsoft documents FetchXML over the Web API (`<entitySet>?fetchXml=<url-encoded>`, "Use
 * FetchXml to query data", powerapps-docs fetchxml/overview.md) and link-entity's `from`/`to` as
 * any matching columns; joins where no relationship exists are used widely (e.g. FetchXML
 * Builder) but join-tables.md's "No relationship" section is still a TODO. The loader therefore
 * keeps the id-based read (`stepsPath`) for when the service refuses this one.
 */
export function solutionStepsPath(solutionName: string): string {
  const name = escapeXml(solutionName);
  const fetch =
    `<fetch><entity name="sdkmessageprocessingstep">${STEP_FIELDS.map((f) => `<attribute name="${f}"/>`).join("")}` +
    `<link-entity name="solutioncomponent" from="objectid" to="sdkmessageprocessingstepid" link-type="inner" alias="component">` +
    `<filter><condition attribute="componenttype" operator="eq" value="${COMPONENT_TYPE_PLUGIN_STEP}"/></filter>` +
    `<link-entity name="solution" from="solutionid" to="solutionid" link-type="inner" alias="solution">` +
    `<filter type="or"><condition attribute="uniquename" operator="eq" value="${name}"/><condition attribute="friendlyname" operator="eq" value="${name}"/></filter>` +
    `</link-entity></link-entity></entity></fetch>`;
  return `sdkmessageprocessingsteps?fetchXml=${encodeURIComponent(fetch)}`;
}

export interface UserSearch {
  text: string;
  roleName: string;
  /** false: application users only (the S2S case). */
  includeAllUsers?: boolean;
  top?: number;
}

/** Name, email or Client ID; a GUID also matches the user id or the Client ID exactly. */
export function userSearchPath(search: UserSearch): string {
  const text = search.text.trim();
  const matches = [pattern("contains", "fullname", text), pattern("contains", "internalemailaddress", text), pattern("contains", "domainname", text)];
  if (isGuid(text)) {
    matches.push(eq("applicationid", text, "guid"), eq("systemuserid", text, "guid"));
  }
  const filters = [text ? anyOf(matches) : "", search.includeAllUsers ? "" : "applicationid ne null", "isdisabled eq false"];
  return (
    "systemusers" +
    buildQuery({
      select: USER_FIELDS,
      filter: allOf(filters),
      orderby: ["fullname"],
      top: search.top ?? 25,
      expand: [{ navigation: "systemuserroles_association", select: ["roleid"], filter: eq("name", search.roleName) }],
    })
  );
}

/** The ids of the named privileges: RetrieveUserPrivileges answers with ids (names only on newer orgs). */
export function privilegesByNamePath(names: string[]): string {
  return "privileges" + buildQuery({ select: ["privilegeid", "name"], filter: anyOf(names.map((n) => eq("name", n))) });
}

/**
 * The newest Publish All system job that succeeded. Async messages run as system jobs that name
 * their message in `messagename` (the operation type is the generic "Execute Async Request"; to be
 * confirmed on a real org). A synchronous PublishAllXml leaves no job, so "none" means not known.
 */
export function lastPublishJobPath(): string {
  return (
    "asyncoperations" +
    buildQuery({
      select: ["completedon"],
      filter: allOf([eq("messagename", "PublishAllXmlAsync"), eq("statecode", 3), eq("statuscode", 30)]),
      orderby: ["completedon desc"],
      top: 1,
    })
  );
}
