/**
 * Functions and actions this project calls
 * (powerapps-docs/developer/data-platform/webapi/use-web-api-functions.md and …/use-web-api-actions.md;
 * reference pages under powerapps-docs/developer/data-platform/webapi/reference/).
 */
import { ApiRequest, ApiResponse, ServerContext, json, noContent } from "../context";
import { Codes, HttpError, badQuery, methodNotAllowed, recordNotFound } from "../errors";
import { splitTopLevel } from "../odata/parse";
import { checkPrivilege, heldPrivileges, privilegeId } from "../security";
import { Org, newGuid } from "../store";
import { publishForms, publishFormsWhenDone, publishXml } from "./forms";
import { checkSolutionLock } from "./solutionLock";
import { importSolution, importSolutionAsync } from "./import";
import { parseRecordReference } from "./write";

/** `Name(A=@p1,B='x')` parameters, with aliases resolved from the query string. */
export function functionParameters(req: ApiRequest, key: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!key) return out;
  for (const part of splitTopLevel(key, ",")) {
    const eq = part.indexOf("=");
    if (eq < 0) throw badQuery(`The parameter '${part}' has no value.`);
    const name = part.slice(0, eq).trim();
    let value = decodeURIComponent(part.slice(eq + 1).trim());
    if (value.startsWith("@")) {
      const aliased = req.query[value];
      if (aliased === undefined) throw badQuery(`The parameter alias '${value}' has no value in the query string.`);
      value = aliased;
    }
    out[name] = value;
  }
  return out;
}

const GET_FUNCTIONS = new Set(["WhoAmI", "RetrieveVersion", "RetrieveCurrentOrganization"]);
const POST_ACTIONS = new Set(["PublishAllXml", "PublishAllXmlAsync", "PublishXml", "ImportSolution", "ImportSolutionAsync", "StageAndUpgradeAsync"]);

export function isOperation(name: string): boolean {
  return GET_FUNCTIONS.has(name) || POST_ACTIONS.has(name);
}

function startJob(org: Org, kind: "publish" | "import", durationMs: number, name: string, operationtype: number, importJobId?: string, messagename?: string): string {
  const id = newGuid();
  const now = Date.now();
  org.insert(org.entity("asyncoperation"), {
    asyncoperationid: id,
    name,
    operationtype,
    messagename: messagename ?? null,
    statecode: 0,
    statuscode: 0,
    message: null,
    friendlymessage: null,
    completedon: null,
  });
  const fail = kind === "publish" ? org.failNextPublish : null;
  if (kind === "publish") org.failNextPublish = null;
  org.jobs.push({ id, kind, startedAt: now, durationMs, done: false, fail: fail ?? undefined, importJobId });
  org.tick(now);
  return id;
}

export async function unboundOperation(ctx: ServerContext, req: ApiRequest, name: string, key: string | undefined): Promise<ApiResponse> {
  const org = ctx.org;
  if (GET_FUNCTIONS.has(name) && req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
  if (POST_ACTIONS.has(name) && req.method !== "POST") throw methodNotAllowed(req.method, ["POST"]);
  switch (name) {
    case "WhoAmI": {
      // Response: WhoAmIResponse complex type (reference/whoamiresponse.md).
      const user = org.get("systemuser", req.userId);
      return json(200, {
        "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
        BusinessUnitId: user?._businessunitid_value ?? null,
        UserId: req.userId,
        OrganizationId: org.organization.OrganizationId,
      });
    }
    case "RetrieveVersion":
      return json(200, { "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.RetrieveVersionResponse`, Version: org.organization.OrganizationVersion });
    case "RetrieveCurrentOrganization": {
      const params = functionParameters(req, key);
      const access = params.AccessType;
      if (!access || !/^(Microsoft\.Dynamics\.CRM\.EndpointAccessType)?'?(Default|Internet|Intranet)'?$/.test(access.replace("Microsoft.Dynamics.CRM.EndpointAccessType'", "'"))) {
        throw badQuery(`The parameter 'AccessType' must be a Microsoft.Dynamics.CRM.EndpointAccessType value ('Default', 'Internet' or 'Intranet').`);
      }
      // Shape: RetrieveCurrentOrganizationResponse { Detail: OrganizationDetail } with Endpoints as an
      // EndpointCollection (Count, IsReadOnly, Keys, Values) — reference/retrievecurrentorganizationresponse.md,
      // reference/organizationdetail.md, reference/endpointcollection.md. Enum members serialise as names.
      const o = org.organization;
      const keys = ["WebApplication", "OrganizationService", "OrganizationDataService"];
      const values = [`${ctx.origin}/`, `${ctx.origin}/XRMServices/2011/Organization.svc`, `${ctx.origin}/XRMServices/2011/OrganizationData.svc`];
      return json(200, {
        "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.RetrieveCurrentOrganizationResponse`,
        Detail: {
          OrganizationId: o.OrganizationId,
          FriendlyName: o.FriendlyName,
          OrganizationVersion: o.OrganizationVersion,
          EnvironmentId: o.EnvironmentId,
          DatacenterId: o.DatacenterId ?? "00000000-0000-0000-0000-000000000000",
          Geo: o.Geo,
          TenantId: o.TenantId,
          UrlName: o.UrlName,
          UniqueName: o.UniqueName,
          State: "Enabled",
          OrganizationType: "Customer",
          SchemaType: null,
          Endpoints: { Count: keys.length, IsReadOnly: false, Keys: keys, Values: values },
        },
      });
    }
    case "PublishAllXml": {
      // Synchronous: holds the publish lock for the configured duration, then answers 204.
      checkPrivilege(org, req.userId, "prvPublishCustomization");
      checkSolutionLock(org, "PublishAll");
      const fail = org.failNextPublish;
      org.failNextPublish = null;
      org.syncPublishRunning = true;
      try {
        if (org.publishDurationMs > 0) await new Promise((r) => setTimeout(r, org.publishDurationMs));
      } finally {
        org.syncPublishRunning = false;
      }
      if (fail) throw new HttpError(500, Codes.unexpected, fail);
      org.lastPublishedOn = new Date().toISOString();
      org.publishCount++;
      publishForms(org, undefined, org.lastPublishedOn);
      return noContent();
    }
    case "PublishAllXmlAsync": {
      checkPrivilege(org, req.userId, "prvPublishCustomization");
      checkSolutionLock(org, "PublishAll");
      const id = startJob(org, "publish", org.publishDurationMs, "Publish All Customizations", 54, undefined, "PublishAllXmlAsync");
      publishFormsWhenDone(org, id);
      return json(200, { "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.PublishAllXmlAsyncResponse`, AsyncOperationId: id });
    }
    case "PublishXml":
      return publishXml(ctx, req);
    case "ImportSolution":
    case "ImportSolutionAsync":
      return name === "ImportSolution" ? importSolution(ctx, req) : importSolutionAsync(ctx, req);
    case "StageAndUpgradeAsync":
      return importSolutionAsync(ctx, req, name);
  }
  throw badQuery(`Resource not found for the segment '${name}'.`);
}

/**
 * `systemusers(<id>)/Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@p1)?@p1={'@odata.id':'<set>(<id>)'}`
 * → `{ AccessRights: "ReadAccess, WriteAccess" }` (reference/retrieveprincipalaccess.md). Rights come
 * from the fixture's `security.roleAccess`, by role name, through direct and team roles.
 */
export function retrievePrincipalAccess(ctx: ServerContext, req: ApiRequest, userId: string, key: string | undefined): ApiResponse {
  if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
  if (!ctx.org.get("systemuser", userId)) throw recordNotFound("systemuser", userId);
  const params = functionParameters(req, key);
  const raw = params.Target;
  if (!raw) throw badQuery("The parameter 'Target' is missing.");
  let target: unknown;
  try {
    target = JSON.parse(raw);
  } catch {
    try {
      // The docs write the alias with single quotes: {'@odata.id':'accounts(…)'}.
      target = JSON.parse(raw.replace(/'/g, '"'));
    } catch {
      throw badQuery(`The value of the parameter 'Target' is not a valid entity reference: ${raw}`);
    }
  }
  const ref = (target as Record<string, unknown>)?.["@odata.id"];
  if (typeof ref !== "string") throw badQuery("The parameter 'Target' needs an '@odata.id'.");
  const { entity, id } = parseRecordReference(ctx, ref);
  if (!ctx.org.get(entity.logicalName, id)) throw recordNotFound(entity.logicalName, id);
  const rights = ctx.org.accessRights(userId, entity.logicalName);
  return json(200, {
    "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.RetrievePrincipalAccessResponse`,
    AccessRights: rights.length ? rights.join(", ") : "None",
  });
}

/**
 * `systemusers(<id>)/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()` → `{ RolePrivileges: RolePrivilege[] }`
 * with `Depth`, `PrivilegeId`, `BusinessUnitId` and `PrivilegeName` (reference/retrieveuserprivileges.md,
 * reference/roleprivilege.md). Which privileges a user holds is modelled in security.ts.
 */
export function retrieveUserPrivileges(ctx: ServerContext, req: ApiRequest, userId: string): ApiResponse {
  if (req.method !== "GET") throw methodNotAllowed(req.method, ["GET"]);
  const user = ctx.org.get("systemuser", userId);
  if (!user) throw recordNotFound("systemuser", userId);
  const held = heldPrivileges(ctx.org, userId, ctx.org.privilegeNames());
  return json(200, {
    "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse`,
    RolePrivileges: held.map((name) => ({ Depth: "Global", PrivilegeId: privilegeId(name), BusinessUnitId: user._businessunitid_value ?? null, PrivilegeName: name })),
  });
}
