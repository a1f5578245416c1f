/**
 * A Marketo plugin step that is disabled, managed and not customizable ("locked"): the stand-in
 * refuses to enable it as Dataverse does, the checklist says why and what to do, and enabling the
 * steps (core and CLI `enable-steps`) enables the others and leaves that one alone.
 */
import { DataverseClient } from "../../../core/dataverse/client";
import { enablePluginSteps } from "../../../core/setup/actions";
import { evaluate } from "../../../core/setup/evaluate";
import { loadSetupState } from "../../../core/setup/load";
import type { CheckItem, SetupInput } from "../../../core/setup/types";
import { CONFIG, ROLE_NAME, SOLUTION, STEP, USER } from "../../../devserver/fixtures/ids";
import { withLockedStep } from "../../../devserver/fixtures/variants";
import { loadFixture, startDevServer, type DevServer } from "../../../devserver/server";
import { cli, connectionArgs } from "../cli/helpers";
import { call, get } from "../devserver/helpers";

const LOCKED = STEP.contactUpdate;
const LOCKED_NAME = "Marketo.Crm.Plugins.SyncPlugin: Update of contact";
const FIXABLE_NAME = "Marketo.Crm.Plugins.SyncPlugin: Delete of lead";
const fixture = withLockedStep(loadFixture("demo-org"), LOCKED);

const input: SetupInput = {
  config: { entity: CONFIG.demo.entity, id: CONFIG.defaultRecord, attribute: CONFIG.demo.userAttribute },
  chosenUserId: USER.marketoSync,
  roleName: ROLE_NAME,
  solutionName: SOLUTION.friendlyName,
};

describe("a disabled Marketo step that is managed and not customizable", () => {
  let server: DevServer;
  let client: DataverseClient;
  beforeAll(async () => {
    server = await startDevServer({ fixture, publishDurationMs: 0 });
    client = new DataverseClient({ orgUrl: server.url, sleep: async () => undefined });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const stepsLine = async (): Promise<CheckItem> => evaluate(await loadSetupState(client, input)).find((i) => i.id === "solution.steps")!;
  const patches = () => server.requests.filter((r) => r.method === "PATCH").map((r) => r.url);

  it("is refused by the stand-in and stays disabled", async () => {
    const direct = await call<{ error: { code: string; message: string } }>(server, "PATCH", `sdkmessageprocessingsteps(${LOCKED})`, { statecode: 0, statuscode: 1 });
    expect(direct.status).toBe(400);
    expect(direct.body.error.code).toBe("0x8004022E");
    expect(direct.body.error.message).toContain("managed and not customizable");
    await expect(client.update("sdkmessageprocessingsteps", LOCKED, { statecode: 0, statuscode: 1 })).rejects.toMatchObject({ code: "0x8004022E" });
    expect(server.org.get("sdkmessageprocessingstep", LOCKED)).toMatchObject({ statecode: 1, statuscode: 2 });
    // A customizable managed step of the same solution may still be changed.
    expect((await call(server, "PATCH", `sdkmessageprocessingsteps(${STEP.disabled})`, { statecode: 0, statuscode: 1 })).status).toBe(204);
  });

  it("reads the flags in the Web API shape (iscustomizable is a ManagedProperty)", async () => {
    const got = await get<{ ismanaged: boolean; iscustomizable: Record<string, unknown> }>(server, `sdkmessageprocessingsteps(${LOCKED})?$select=ismanaged,iscustomizable`);
    expect(got.body).toMatchObject({ ismanaged: true, iscustomizable: { Value: false, CanBeChanged: false, ManagedPropertyLogicalName: "iscustomizable" } });
    const state = await loadSetupState(client, input);
    expect(state.steps.ok && state.steps.value.find((s) => s.id === LOCKED)).toMatchObject({ enabled: false, isManaged: true, isCustomizable: false });
    expect(state.steps.ok && state.steps.value.find((s) => s.id === STEP.disabled)).toMatchObject({ enabled: false, isManaged: true, isCustomizable: true });
  });

  it("is explained on the checklist line, and the fix is offered for the other step only", async () => {
    const line = await stepsLine();
    expect(line).toMatchObject({ status: "fail", messageKey: "Check_StepsLockedOne", fix: "enableSteps", params: { count: 2, total: 6, locked: LOCKED_NAME } });
  });

  it("enabling the steps enables the others, sends nothing for the locked one, and the line then offers no fix", async () => {
    const state = await loadSetupState(client, input);
    server.requests.length = 0;
    await expect(enablePluginSteps(client, state)).resolves.toEqual({ enabled: [FIXABLE_NAME], skipped: [LOCKED_NAME] });
    expect(patches()).toEqual([expect.stringContaining(`sdkmessageprocessingsteps(${STEP.disabled})`)]);
    expect(server.org.get("sdkmessageprocessingstep", STEP.disabled)?.statecode).toBe(0);
    expect(server.org.get("sdkmessageprocessingstep", LOCKED)?.statecode).toBe(1);
    const after = await stepsLine();
    expect(after).toMatchObject({ status: "fail", messageKey: "Check_StepsLockedOne", params: { count: 1, total: 6, locked: LOCKED_NAME } });
    expect(after.fix).toBeUndefined();
  });
});

describe("CLI enable-steps with a locked step", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ fixture, auth: "token", publishDurationMs: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it("enables the others, says why the locked one was left and what to do, in English and French, and exits 1", async () => {
    const r = await cli(["enable-steps", ...connectionArgs(server)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Enabled 1 plugin step: ${FIXABLE_NAME}.`);
    expect(r.stderr).toContain(`Not enabled: ${LOCKED_NAME} is managed and not customizable`);
    expect(r.stderr).toContain("Reinstall or update the Marketo solution, or ask Marketo support.");
    expect(server.org.get("sdkmessageprocessingstep", STEP.disabled)?.statecode).toBe(0);
    expect(server.org.get("sdkmessageprocessingstep", LOCKED)?.statecode).toBe(1);

    const again = await cli(["enable-steps", "--json", "--lang", "fr", ...connectionArgs(server)]);
    expect(again.code).toBe(1);
    const { schemaVersion, tool, generatedAt, ...result } = JSON.parse(again.stdout);
    expect({ schemaVersion, tool: tool.name, at: typeof generatedAt }).toEqual({ schemaVersion: 1, tool: "marketo-dynamics", at: "string" });
    expect(result).toEqual({ enabled: [], skipped: [LOCKED_NAME] });

    const fr = await cli(["enable-steps", "--lang", "fr", ...connectionArgs(server)]);
    expect(fr.stderr).toContain(`Non activée : ${LOCKED_NAME} est gérée et non personnalisable`);
    expect(fr.stdout).not.toContain("déjà activées"); // not "all already enabled": one is not
  });

  it("verify names the locked step on the plugin steps line", async () => {
    const r = await cli(["verify", ...connectionArgs(server)]);
    expect(r.stdout).toContain(`${LOCKED_NAME} is managed and not customizable: it cannot be enabled here.`);
  });
});
