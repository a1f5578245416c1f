/**
 * Response examples from Microsoft's Dataverse Web API documentation (MicrosoftDocs/powerapps-docs,
 * under powerapps-docs/developer/data-platform/), typed in by hand: the shape of each example
 * (status, headers, line structure, boundaries, annotations, property names and types), with
 * shortened lists and placeholder values. Each example names its page. The unit contract tests
 * feed them to core; tests/integration/devserver/shapes.test.ts holds the stand-in to them.
 */

export const ORG = "https://contoso.crm.dynamics.com";
const API = `${ORG}/api/data/v9.2`;

export interface DocExample {
  /** The documentation page the example comes from. */
  page: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** HTTP bodies travel with CRLF line endings; the pages print them with plain newlines. */
const crlf = (lines: string[]) => lines.join("\r\n");

const json = (value: unknown) => JSON.stringify(value, null, 2);

// ---------------------------------------------------------------------------------------------
// $batch: webapi/execute-batch-operations-using-web-api.md

const BATCH_PAGE = "webapi/execute-batch-operations-using-web-api.md";

/** "Batch responses": three creates answered 204 and a GET answered 200, outside any change set. */
export const batchResponse: DocExample = {
  page: `${BATCH_PAGE} (Batch responses)`,
  status: 200,
  headers: { "Content-Type": "multipart/mixed; boundary=batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916", "OData-Version": "4.0" },
  body: crlf([
    "--batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 204 No Content",
    "OData-Version: 4.0",
    `Location: ${API}/tasks(d31ba648-c592-ed11-aad1-000d3a993550)`,
    `OData-EntityId: ${API}/tasks(d31ba648-c592-ed11-aad1-000d3a993550)`,
    "",
    "",
    "--batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 204 No Content",
    "OData-Version: 4.0",
    `Location: ${API}/tasks(d41ba648-c592-ed11-aad1-000d3a993550)`,
    `OData-EntityId: ${API}/tasks(d41ba648-c592-ed11-aad1-000d3a993550)`,
    "",
    "",
    "--batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 200 OK",
    "Content-Type: application/json; odata.metadata=minimal; odata.streaming=true",
    "OData-Version: 4.0",
    "",
    json({
      "@odata.context": `${API}/$metadata#tasks(subject)`,
      value: [
        { "@odata.etag": 'W/"77180907"', subject: "Task 1 in batch", activityid: "d31ba648-c592-ed11-aad1-000d3a993550" },
        { "@odata.etag": 'W/"77180910"', subject: "Task 2 in batch", activityid: "d41ba648-c592-ed11-aad1-000d3a993550" },
      ],
    }),
    "--batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916--",
    "",
  ]),
};

/** "Change sets": the change set's parts come back in a nested multipart with their Content-ID. */
export const changeSetResponse: DocExample = {
  page: `${BATCH_PAGE} (Change sets)`,
  status: 200,
  headers: { "Content-Type": "multipart/mixed; boundary=batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f", "OData-Version": "4.0" },
  body: crlf([
    "--batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f",
    "Content-Type: multipart/mixed; boundary=changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15",
    "",
    "--changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "Content-ID: 1",
    "",
    "HTTP/1.1 204 No Content",
    "OData-Version: 4.0",
    `Location: ${API}/tasks(e73ffc82-e292-ed11-aad1-000d3a9933c9)`,
    `OData-EntityId: ${API}/tasks(e73ffc82-e292-ed11-aad1-000d3a9933c9)`,
    "",
    "",
    "--changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "Content-ID: 2",
    "",
    "HTTP/1.1 204 No Content",
    "OData-Version: 4.0",
    `Location: ${API}/tasks(e83ffc82-e292-ed11-aad1-000d3a9933c9)`,
    `OData-EntityId: ${API}/tasks(e83ffc82-e292-ed11-aad1-000d3a9933c9)`,
    "",
    "",
    "--changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15--",
    "--batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 200 OK",
    "Content-Type: application/json; odata.metadata=minimal; odata.streaming=true",
    "OData-Version: 4.0",
    "",
    json({
      "@odata.context": `${API}/$metadata#tasks(subject)`,
      value: [{ "@odata.etag": 'W/"77181173"', subject: "Task 1 in batch", activityid: "e73ffc82-e292-ed11-aad1-000d3a9933c9" }],
    }),
    "--batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f--",
    "",
  ]),
};

const validationError = {
  error: {
    code: "0x80044331",
    message: "A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'.",
  },
};

/** "Handling errors", without `Prefer: odata.continue-on-error`: the batch takes the failing request's status. */
export const batchStoppedResponse: DocExample = {
  page: `${BATCH_PAGE} (Handling errors)`,
  status: 400,
  headers: { "Content-Type": "multipart/mixed; boundary=batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a", "OData-Version": "4.0" },
  body: crlf([
    "--batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 400 Bad Request",
    "REQ_ID: 5ecd1cb3-1730-4ffc-909c-d44c22270026",
    "Content-Type: application/json; odata.metadata=minimal",
    "OData-Version: 4.0",
    "",
    JSON.stringify(validationError),
    "--batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a--",
    "",
  ]),
};

/** "Handling errors", with `Prefer: odata.continue-on-error`: 200, the error in its part, the rest run. */
export const batchContinuedResponse: DocExample = {
  page: `${BATCH_PAGE} (Handling errors)`,
  status: 200,
  headers: { "Content-Type": "multipart/mixed; boundary=batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139", "OData-Version": "4.0" },
  body: crlf([
    "--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 400 Bad Request",
    "REQ_ID: de4c5227-4a28-4ebd-8ced-3392ece1697b",
    "Content-Type: application/json; odata.metadata=minimal",
    "OData-Version: 4.0",
    "",
    JSON.stringify(validationError),
    "--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 204 No Content",
    "OData-Version: 4.0",
    `Location: ${API}/tasks(aed2ae8b-3c94-ed11-aad1-000d3a9933c9)`,
    `OData-EntityId: ${API}/tasks(aed2ae8b-3c94-ed11-aad1-000d3a9933c9)`,
    "",
    "",
    "--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139--",
    "",
  ]),
};

// ---------------------------------------------------------------------------------------------
// Functions and actions

const JSON_RESPONSE = { "Content-Type": "application/json; odata.metadata=minimal", "OData-Version": "4.0" };

/** webapi/use-web-api-functions.md (Unbound functions): WhoAmIResponse, three Edm.Guid. */
export const whoAmI: DocExample = {
  page: "webapi/use-web-api-functions.md (Unbound functions)",
  status: 200,
  headers: JSON_RESPONSE,
  body: json({
    "@odata.context": `${API}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
    BusinessUnitId: "ded5a64f-f06d-e511-80d0-00155db07cb1",
    UserId: "d96e9f55-f06d-e511-80d0-00155db07cb1",
    OrganizationId: "4faf1f34-f06d-e511-80d0-00155db07cb1",
  }),
};

/** webapi/use-web-api-functions.md (Bound functions): RolePrivileges with PrivilegeDepth as a member name. */
export const retrieveUserPrivileges: DocExample = {
  page: "webapi/use-web-api-functions.md (Bound functions)",
  status: 200,
  headers: JSON_RESPONSE,
  body: json({
    "@odata.context": `${API}/$metadata#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse`,
    RolePrivileges: [
      { Depth: "Global", PrivilegeId: "20db4bf7-60c4-4eb9-ab95-0949766fef1a", BusinessUnitId: "dfe37870-c8ac-ec11-9841-0022482088be", PrivilegeName: "prvCreateflowsession" },
      { Depth: "Global", PrivilegeId: "d8db8e4c-5b76-48eb-b5ec-171b8c661917", BusinessUnitId: "dfe37870-c8ac-ec11-9841-0022482088be", PrivilegeName: "prvWriteworkflowbinary" },
      { Depth: "Global", PrivilegeId: "b234db9f-27a2-4d12-8b51-fc34fbef9d87", BusinessUnitId: "dfe37870-c8ac-ec11-9841-0022482088be", PrivilegeName: "prvWriteflowsession" },
    ],
  }),
};

/** security-access-coding.md (Web API tab): AccessRights is a flags enum, written as member names. */
export const retrievePrincipalAccess: DocExample = {
  page: "security-access-coding.md",
  status: 200,
  headers: { "OData-Version": "4.0" },
  body: json({
    "@odata.context": `${API}/$metadata#Microsoft.Dynamics.CRM.RetrievePrincipalAccessResponse`,
    AccessRights: "ReadAccess, WriteAccess, AppendAccess, AppendToAccess, CreateAccess, DeleteAccess, ShareAccess, AssignAccess",
  }),
};

/** webapi/samples/webapiservice-functions-and-actions.md (Section 7): a user who may only share the record. */
export const retrievePrincipalAccessShareOnly: DocExample = {
  page: "webapi/samples/webapiservice-functions-and-actions.md (Section 7)",
  status: 200,
  headers: { "OData-Version": "4.0" },
  body: json({ "@odata.context": `${API}/$metadata#Microsoft.Dynamics.CRM.RetrievePrincipalAccessResponse`, AccessRights: "DeleteAccess, ShareAccess" }),
};

/**
 * webapi/samples/webapiservice-functions-and-actions.md (Section 4): OrganizationDetail, Endpoints an
 * EndpointCollection (Count, IsReadOnly, parallel Keys and Values), State an enum member name.
 */
export const retrieveCurrentOrganization: DocExample = {
  page: "webapi/samples/webapiservice-functions-and-actions.md (Section 4)",
  status: 200,
  headers: { "OData-Version": "4.0" },
  body: json({
    "@odata.context": `${API}/$metadata#Microsoft.Dynamics.CRM.RetrieveCurrentOrganizationResponse`,
    Detail: {
      OrganizationId: "f2c9290b-0806-4d48-bf9c-3814d4286755",
      FriendlyName: "Contoso",
      OrganizationVersion: "9.2.22074.168",
      EnvironmentId: "Default-f6976b02-5a42-4e90-ac3d-8bf516ce0859",
      DatacenterId: "695014e1-bafd-4d7e-9d3d-2261d4aaf780",
      Geo: "NA",
      TenantId: "f6976b02-5a42-4e90-ac3d-8bf516ce0859",
      UrlName: "org619726b5",
      UniqueName: "org0335df44",
      State: "Enabled",
      Endpoints: {
        Count: 3,
        IsReadOnly: false,
        Keys: ["WebApplication", "OrganizationService", "OrganizationDataService"],
        Values: [`${ORG}/`, `${ORG}/XRMServices/2011/Organization.svc`, `${ORG}/XRMServices/2011/OrganizationData.svc`],
      },
    },
  }),
};

/**
 * OrganizationDetail properties the reference page (webapi/reference/organizationdetail.md) lists
 * but the sample above predates: OrganizationType (enum) and SchemaType (Edm.String).
 */
export const ORGANIZATION_DETAIL_LATER_PROPERTIES = ["OrganizationType", "SchemaType"];

/**
 * webapi/reference/publishallxmlasyncresponse.md: AsyncOperationId (Edm.Guid), the system job to
 * follow. The page has no example; the body follows the complex-type responses above.
 */
export const publishAllXmlAsync: DocExample = {
  page: "webapi/reference/publishallxmlasyncresponse.md",
  status: 200,
  headers: JSON_RESPONSE,
  body: json({ "@odata.context": `${API}/$metadata#Microsoft.Dynamics.CRM.PublishAllXmlAsyncResponse`, AsyncOperationId: "2f1b6d3e-9c4a-4e57-8a21-6b0f3c9d7e15" }),
};

/**
 * webapi/reference/importsolutionasyncresponse.md: AsyncOperationId (Edm.Guid) and ImportJobKey
 * (Edm.String: a key, not typed as a Guid). No example on the page; same body layout as above.
 */
export const importSolutionAsync: DocExample = {
  page: "webapi/reference/importsolutionasyncresponse.md",
  status: 200,
  headers: JSON_RESPONSE,
  body: json({
    "@odata.context": `${API}/$metadata#Microsoft.Dynamics.CRM.ImportSolutionAsyncResponse`,
    AsyncOperationId: "7a4c2e90-1b3d-4f68-9e05-c2d8a6b41f37",
    ImportJobKey: "5d2e8f41-6a7b-4c93-b0e1-3f9a2c7d8e64",
  }),
};

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * webapi/compose-http-requests-handle-errors.md (Include more details with errors): with
 * `Prefer: odata.include-annotations="*"` the error object carries annotations next to code and
 * message. (The page's example lacks the comma before the last annotation; typed as valid JSON.)
 */
export const errorWithAnnotations: DocExample = {
  page: "webapi/compose-http-requests-handle-errors.md (Include more details with errors)",
  status: 400,
  headers: { "Content-Type": "application/json; odata.metadata=minimal" },
  body: json({
    error: {
      code: "0x80040265",
      message: "Example Error Message.",
      "@Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus": "1",
      "@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode": "12345",
      "@Microsoft.PowerApps.CDS.HelpLink": "http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a80040265&client=platform",
      "@Microsoft.PowerApps.CDS.TraceText": "\r\n[MyNamespace: MyNamespace.MyClass ]\r\n\r\n Entering MyClass plug-in.\r\n",
      "@Microsoft.PowerApps.CDS.InnerError.Message": "Example Error Message.",
    },
  }),
};

/** The annotations above: present only when asked for and only "some errors" have them (same page). */
export const ERROR_DETAIL_ANNOTATIONS = [
  "@Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus",
  "@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode",
  "@Microsoft.PowerApps.CDS.HelpLink",
  "@Microsoft.PowerApps.CDS.TraceText",
  "@Microsoft.PowerApps.CDS.InnerError.Message",
];

/**
 * api-limits.md (Retry operations; Service protection API limit errors returned): 429 with a
 * Retry-After in seconds; the hex codes and messages of the three limits, as the page has them (two
 * spaces before "milliseconds").
 */
export const throttled = (code: "requests" | "time" | "concurrency", retryAfterSeconds: number): DocExample => {
  const errors = {
    requests: { code: "0x80072322", message: "Number of requests exceeded the limit of 6000 over time window of 300 seconds." },
    time: {
      code: "0x80072321",
      message:
        "Combined execution time of incoming requests exceeded limit of 1,200,000  milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.",
    },
    concurrency: { code: "0x80072326", message: "Number of concurrent requests exceeded the limit of 52." },
  };
  return {
    page: "api-limits.md",
    status: 429,
    headers: { "Content-Type": "application/json; odata.metadata=minimal", "Retry-After": String(retryAfterSeconds) },
    body: JSON.stringify({ error: errors[code] }),
  };
};

export function toResponse(example: DocExample): Response {
  return new Response(example.body, { status: example.status, headers: example.headers });
}
