/**
 * What core reads from the functions' and actions' responses as Microsoft documents them
 * (each example names its page in ./examples.ts): WhoAmI, RetrieveCurrentOrganization,
 * RetrieveUserPrivileges and RetrievePrincipalAccess through the checklist's load, the
 * PublishAllXmlAsync and ImportSolutionAsync answers through the client.
 */
import { DataverseClient } from "../../../core/dataverse/client";
import { loadSetupState } from "../../../core/setup/load";
import { publishAll } from "../../../core/setup/actions";
import { fakeFetch, json, type RecordedCall } from "../../helpers/fakeFetch";
import {
  ORG,
  importSolutionAsync,
  publishAllXmlAsync,
  retrieveCurrentOrganization,
  retrievePrincipalAccess,
  retrievePrincipalAccessShareOnly,
  retrieveUserPrivileges,
  toResponse,
  whoAmI,
  type DocExample,
} from "./examples";

const CONFIG_ID = "11111111-0000-4000-8000-000000000001";
const SYNC_USER = "22222222-0000-4000-8000-000000000001";
const plain = (status: number, body: unknown): DocExample => ({ page: "", status, headers: { "Content-Type": "application/json; odata.metadata=minimal" }, body: JSON.stringify(body) });
const STATUS_TEXT: Record<number, string> = { 200: "OK", 404: "Not Found" };

/**
 * Answers each GET of a `$batch` with an example, written into its part as the batch page lays a
 * part out, the example's body text unchanged (multi-line JSON included).
 */
function docBatch(answer: (path: string) => DocExample) {
  return (call: RecordedCall) => {
    const paths = [...(call.body ?? "").matchAll(/^GET (\S+) HTTP\/1\.1$/gm)].map((m) => m[1].replace(/^.*\/api\/data\/v9\.2\//, ""));
    const boundary = "batchresponse_3cace264-86ea-40fe-83d3-954b336c0f4a";
    const parts = paths.map((path) => {
      const e = answer(path);
      const headers = Object.entries({ ...e.headers, "OData-Version": "4.0" }).map(([k, v]) => `${k}: ${v}`);
      return [`--${boundary}`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", `HTTP/1.1 ${e.status} ${STATUS_TEXT[e.status]}`, ...headers, "", e.body].join("\r\n");
    });
    return new Response(parts.join("\r\n") + `\r\n--${boundary}--\r\n`, { status: 200, headers: { "Content-Type": `multipart/mixed; boundary=${boundary}`, "OData-Version": "4.0" } });
  };
}

function answer(access: DocExample) {
  return (path: string): DocExample => {
    if (path.startsWith("WhoAmI")) return whoAmI;
    if (path.startsWith("RetrieveCurrentOrganization")) return retrieveCurrentOrganization;
    if (path.includes("RetrieveUserPrivileges")) return retrieveUserPrivileges;
    if (path.includes("RetrievePrincipalAccess")) return access;
    if (path.startsWith("EntityDefinitions(LogicalName='x_config')")) return plain(200, { EntitySetName: "x_configs" });
    if (path.startsWith("x_configs(")) return plain(200, { _x_user_value: null });
    if (path.startsWith("systemusers(")) return plain(200, { systemuserid: SYNC_USER, fullname: "Marketo Sync", systemuserroles_association: [] });
    if (path.includes("/Attributes(")) return plain(404, { error: { code: "0x80040217", message: "not found" } });
    return plain(200, { value: [] });
  };
}

const input = {
  config: { entity: "x_config", id: CONFIG_ID, attribute: "x_user" },
  chosenUserId: SYNC_USER,
  roleName: "Marketo Sync User",
  solutionName: "Marketo Lead Management",
};

async function load(access: DocExample = retrievePrincipalAccess) {
  const f = fakeFetch(docBatch(answer(access)));
  const state = await loadSetupState(new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 }), input);
  return { state, calls: f.calls };
}

describe("WhoAmI (webapi/use-web-api-functions.md)", () => {
  it("gives the signed-in user's id, used to ask for that user's privileges", async () => {
    const { state, calls } = await load();
    expect(state.currentUserId).toBe("d96e9f55-f06d-e511-80d0-00155db07cb1");
    expect(calls[1].body).toContain("systemusers(d96e9f55-f06d-e511-80d0-00155db07cb1)/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()");
  });
});

describe("RetrieveUserPrivileges (webapi/use-web-api-functions.md)", () => {
  it("gives the names of the privileges held, from PrivilegeName", async () => {
    const { state } = await load();
    expect(state.adminPrivileges).toEqual({ ok: true, value: ["prvCreateflowsession", "prvWriteworkflowbinary", "prvWriteflowsession"] });
  });
});

describe("RetrieveCurrentOrganization (webapi/samples/webapiservice-functions-and-actions.md)", () => {
  it("gives the ids, names and the endpoints matched through the parallel Keys and Values", async () => {
    const { state } = await load();
    expect(state.organization).toEqual({
      ok: true,
      value: {
        organizationId: "f2c9290b-0806-4d48-bf9c-3814d4286755",
        tenantId: "f6976b02-5a42-4e90-ac3d-8bf516ce0859",
        friendlyName: "Contoso",
        uniqueName: "org0335df44",
        webApplicationUrl: `${ORG}/`,
        organizationServiceUrl: `${ORG}/XRMServices/2011/Organization.svc`,
      },
    });
  });
});

describe("RetrievePrincipalAccess (security-access-coding.md; webapi/samples/webapiservice-functions-and-actions.md)", () => {
  it("reads ReadAccess among the flag names as 'the sync user can read the config record'", async () => {
    expect((await load(retrievePrincipalAccess)).state.configReadable).toEqual({ ok: true, value: true });
  });

  it("without ReadAccess in the list, the record is not readable", async () => {
    expect((await load(retrievePrincipalAccessShareOnly)).state.configReadable).toEqual({ ok: true, value: false });
  });
});

describe("PublishAllXmlAsync (webapi/reference/publishallxmlasyncresponse.md)", () => {
  it("follows the system job named by AsyncOperationId", async () => {
    const f = fakeFetch((call) => (call.method === "POST" ? toResponse(publishAllXmlAsync) : json(200, { statecode: 3, statuscode: 30, completedon: "2026-12-02T10:00:00Z" })));
    const client = new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 });
    const result = await publishAll(client, { sleep: async () => undefined });
    expect(result).toEqual({ completedOn: "2026-12-02T10:00:00Z", joined: false });
    expect(f.calls[1].url).toContain("/asyncoperations(2f1b6d3e-9c4a-4e57-8a21-6b0f3c9d7e15)?");
  });
});

describe("ImportSolutionAsync (webapi/reference/importsolutionasyncresponse.md)", () => {
  it("hands back AsyncOperationId and ImportJobKey as the strings they are (ImportJobKey is Edm.String)", async () => {
    const f = fakeFetch([toResponse(importSolutionAsync)]);
    const client = new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 });
    const started = await client.callAction<Record<string, unknown>>("ImportSolutionAsync", { CustomizationFile: "UEsFBg==" });
    expect(started).toMatchObject({ AsyncOperationId: "7a4c2e90-1b3d-4f68-9e05-c2d8a6b41f37", ImportJobKey: "5d2e8f41-6a7b-4c93-b0e1-3f9a2c7d8e64" });
    expect(typeof started.ImportJobKey).toBe("string");
  });
});
