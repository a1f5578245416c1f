import { WebApiClient } from "../../../core/dataverse/webApiClient";
import { SetupActionError } from "../../../core/setup/actions";
import { createApplicationUser, findApplicationUser, searchBusinessUnits } from "../../../core/setup/applicationUser";
import { describeError } from "../../../core/setup/messages";
import { dataverseError, fakeFetch, json, Responder } from "../../helpers/fakeFetch";

const ORG = "https://org.example";
const API = `${ORG}/api/data/v9.2/`;
const CLIENT_ID = "c1000000-0000-4000-8000-000000000020";
const BU = "b0000000-0000-4000-8000-000000000001";
const NEW_USER = "a0000000-0000-4000-8000-0000000000ff";
const ROLE = "40000000-0000-4000-8000-000000000001";
const created = () => new Response(null, { status: 204, headers: { "OData-EntityId": `${API}systemusers(${NEW_USER})` } });
const noContent = () => new Response(null, { status: 204 });
const userRow = (more: Record<string, unknown> = {}) => ({ systemuserid: NEW_USER, fullname: "Marketo Sync (new)", applicationid: CLIENT_ID, isdisabled: false, _businessunitid_value: BU, ...more });

function client(answers: Responder | Array<Response | "drop">) {
  const f = fakeFetch(answers);
  // The control's client: creating needs no CLI-only call.
  return { c: new WebApiClient({ orgUrl: ORG, fetch: f.fetch, sleep: async () => undefined }), calls: f.calls };
}

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SetupActionError);
  return e as SetupActionError;
};

describe("createApplicationUser", () => {
  const input = { clientId: `{${CLIENT_ID.toUpperCase()}}`, businessUnitId: BU, roleName: "Marketo Sync User" };

  it("looks first, creates with applicationid and the business unit bound, then assigns that unit's copy of the role", async () => {
    const { c, calls } = client([json(200, { value: [] }), created(), json(200, { value: [userRow()] }), json(200, { value: [{ roleid: ROLE }] }), noContent()]);
    await expect(createApplicationUser(c, input)).resolves.toMatchObject({ id: NEW_USER, fullName: "Marketo Sync (new)" });
    expect(decodeURIComponent(calls[0].url)).toContain(`systemusers?$select=`);
    expect(decodeURIComponent(calls[0].url)).toContain(`$filter=applicationid eq ${CLIENT_ID}`);
    expect(calls[1]).toMatchObject({ method: "POST", url: `${API}systemusers` });
    expect(JSON.parse(calls[1].body!)).toEqual({ applicationid: CLIENT_ID, "businessunitid@odata.bind": `/businessunits(${BU})` });
    expect(decodeURIComponent(calls[3].url)).toContain(`name eq 'Marketo Sync User') and (_businessunitid_value eq ${BU})`);
    expect(calls[4]).toMatchObject({ method: "POST", url: `${API}systemusers(${NEW_USER})/systemuserroles_association/$ref` });
    expect(JSON.parse(calls[4].body!)["@odata.id"]).toBe(`${API}roles(${ROLE})`);
  });

  it("never creates a second user: an existing one (even disabled) is offered instead", async () => {
    const { c, calls } = client([json(200, { value: [userRow({ isdisabled: true })] })]);
    const e = await refusal(createApplicationUser(c, input));
    expect(e.key).toBe("appUserDisabled");
    expect(e.user).toMatchObject({ id: NEW_USER, isDisabled: true });
    expect(calls.filter((x) => x.method === "POST")).toHaveLength(0);
    expect(describeError(e, "createAppUser").key).toBe("Action_appUserDisabled");
  });

  it("a 412 duplicate (created meanwhile) becomes 'already exists' with that user", async () => {
    const { c } = client([json(200, { value: [] }), dataverseError(412, "0x80040237", "A record with matching key values already exists."), json(200, { value: [userRow()] })]);
    const e = await refusal(createApplicationUser(c, input));
    expect(e.key).toBe("appUserExists");
    expect(e.user?.id).toBe(NEW_USER);
  });

  it("explains a Client ID without service principal, and a business unit that is gone", async () => {
    const sp = client([json(200, { value: [] }), dataverseError(400, "0x80040203", "No service principal with application ID exists in the tenant")]);
    const e1 = await refusal(createApplicationUser(sp.c, input));
    expect(describeError(e1, "createAppUser")).toMatchObject({ key: "Action_appUserNoServicePrincipal", params: { clientId: CLIENT_ID } });
    expect(describeError(e1, "createAppUser").details).toContain("0x80040203");
    const gone = client([json(200, { value: [] }), dataverseError(404, "0x80040217", "businessunit With Id = … Does Not Exist")]);
    expect((await refusal(createApplicationUser(gone.c, input))).key).toBe("appUserBusinessUnitGone");
  });

  it("a role that cannot be assigned after the creation says so and carries the user for the retry", async () => {
    const { c } = client([
      json(200, { value: [] }),
      created(),
      json(200, { value: [userRow()] }),
      json(200, { value: [{ roleid: ROLE }] }),
      dataverseError(403, "0x80040220", "missing prvAssignRole"),
    ]);
    const e = await refusal(createApplicationUser(c, input));
    expect(e.key).toBe("appUserRoleNotAssigned");
    expect(e.user?.id).toBe(NEW_USER);
    expect(describeError(e, "createAppUser").details).toContain("prvAssignRole");
  });

  it("a missing privilege to create is a privilege error naming what creating needs", async () => {
    const { c } = client([json(200, { value: [] }), dataverseError(403, "0x80040220", "missing prvCreateUser")]);
    const e = await createApplicationUser(c, input).catch((x: unknown) => x);
    expect(describeError(e, "createAppUser")).toMatchObject({ key: "Error_privilege", hintKey: "Privilege_createAppUser" });
  });
});

describe("lookups", () => {
  it("finds the application user of a Client ID whatever its state; null when none", async () => {
    const { c, calls } = client([json(200, { value: [] })]);
    await expect(findApplicationUser(c, CLIENT_ID)).resolves.toBeNull();
    expect(decodeURIComponent(calls[0].url)).not.toContain("isdisabled eq");
  });

  it("lists business units with the root one first, searching by name with the text escaped", async () => {
    const { c, calls } = client([
      json(200, {
        value: [
          { businessunitid: "b2", name: "Contoso Europe", _parentbusinessunitid_value: BU },
          { businessunitid: BU, name: "Contoso", _parentbusinessunitid_value: null },
        ],
      }),
    ]);
    await expect(searchBusinessUnits(c, "o'_")).resolves.toEqual([
      { id: BU, name: "Contoso", isRoot: true },
      { id: "b2", name: "Contoso Europe", isRoot: false },
    ]);
    expect(decodeURIComponent(calls[0].url)).toContain("contains(name,'o''[_]')");
  });

  it("without text, asks for the root business unit too: first even when the first page does not hold it", async () => {
    const { c, calls } = client((call) =>
      json(
        200,
        decodeURIComponent(call.url).includes("_parentbusinessunitid_value eq null")
          ? { value: [{ businessunitid: BU, name: "Zeta Corp", _parentbusinessunitid_value: null }] }
          : { value: [{ businessunitid: "b2", name: "Alpha", _parentbusinessunitid_value: BU }] },
      ),
    );
    await expect(searchBusinessUnits(c)).resolves.toEqual([
      { id: BU, name: "Zeta Corp", isRoot: true },
      { id: "b2", name: "Alpha", isRoot: false },
    ]);
    expect(calls).toHaveLength(2);
  });
});
