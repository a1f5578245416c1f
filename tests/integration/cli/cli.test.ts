/**
 * The CLI against the devserver in token mode, signing in through MSAL (custom network client to
 * the devserver's token endpoint). Most runs are in-process (cli/main.ts `run`); the acceptance
 * path spawns the real `npx marketo-dynamics`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { APP, BU, CONFIG, FORM, ROLE, SECRET, STEP, USER } from "../../../devserver/fixtures/ids";
import { startDevServer, type DevServer } from "../../../devserver/server";
import { apiRequests, cli, connectionArgs, spawnCli, tokenRequests } from "./helpers";
import { buildZips } from "./zips";
import { holdImport } from "../../helpers/solutionLock";

jest.setTimeout(60_000);

let server: DevServer;
let args: string[];
let work: string;

beforeAll(async () => {
  server = await startDevServer({ auth: "token", publishDurationMs: 150, importDurationMs: 400 });
  args = connectionArgs(server);
  work = mkdtempSync(join(tmpdir(), "mss-cli-"));
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await server.close();
});
beforeEach(() => server.reset());

const json = (r: { stdout: string }) => JSON.parse(r.stdout);

describe("acceptance: verify fails on the demo org, the fixes make it pass", () => {
  it("npx marketo-dynamics verify exits 1, the fix commands run, verify exits 0", async () => {
    const env = { MARKETO_DYNAMICS_CLIENT_SECRET: SECRET.marketoSync };
    const before = await spawnCli(["verify", ...args], env);
    expect(before.stderr).toBe("");
    expect(before.code).toBe(1);
    expect(before.stdout).toContain("No Marketo User is saved on this record.");
    expect(before.stdout).toContain("1 of 6 plugin steps is disabled.");
    expect(before.stdout).toMatch(
      /Failed +Nobody else has the role: 3 other users have the role Marketo Sync User: John Smith, Maria Garcia, Team Sync App\. Some of them get it from a team that holds it: Marketo Admins\./,
    );
    expect(before.stdout).toMatch(/Warning +No disabled user keeps the role: 1 disabled user still has the role Marketo Sync User: Former Employee\./);
    expect(before.stdout).toContain("→ marketo-dynamics enable-steps");

    // Each as the admin runs it: the real command, on the real clock (publish polls its job).
    for (const step of [["assign-role"], ["remove-role", "--others", "--disabled", "--yes"], ["enable-steps"], ["set-user", APP.marketoSync], ["publish"]]) {
      const r = await spawnCli([...step, ...args], env);
      expect({ step, code: r.code, stderr: r.code ? r.stderr : "", said: r.stdout.trim().length > 0 }).toEqual({ step, code: 0, stderr: "", said: true });
    }
    expect(server.org.publishCount).toBe(1);

    const after = await spawnCli(["verify", ...args], env);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain("Everything Marketo needs is in place.");
    expect(after.stdout).not.toMatch(/Failed|Unknown|Warning/);
  });
});

describe("the real command and its pauses", () => {
  const env = { MARKETO_DYNAMICS_CLIENT_SECRET: SECRET.marketoSync };

  it("waits out a 503 and a 429 with Retry-After, then gives its result", async () => {
    // On the real clock a retry's pause was the only thing the command waited on, and Node ended it
    // there: exit 0, nothing printed.
    const unavailable = server.faults.add({ match: { method: "POST", path: "$batch" }, times: 1, respond: server.faults.presets.unavailable() });
    const throttled = server.faults.add({ match: { path: "EntityDefinitions" }, times: 1, respond: server.faults.presets.throttle(1) });
    const r = await spawnCli(["verify", ...args], env);
    expect({ unavailable: server.faults.fired(unavailable), throttled: server.faults.fired(throttled) }).toEqual({ unavailable: 1, throttled: 1 });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: "" });
    expect(r.stdout).toContain("No Marketo User is saved on this record.");
  });

  it("never ends as a success when Node is left with nothing to wait for: it says so and exits 3", async () => {
    const unavailable = server.faults.add({ match: { method: "POST", path: "$batch" }, times: 1, respond: server.faults.presets.unavailable() });
    const r = await spawnCli(["verify", ...args], { ...env, NODE_OPTIONS: `--require ${join(__dirname, "../../helpers/unrefTimers.cjs")}` });
    expect(server.faults.fired(unavailable)).toBe(1);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("the command stopped before it finished");
  });
});

describe("verify", () => {
  it("gives JSON with every check, the table and attribute found by metadata", async () => {
    const r = await cli(["verify", "--json", ...args]);
    expect(r.code).toBe(1);
    const out = json(r);
    expect(out).toMatchObject({ configTable: CONFIG.demo.entity, userAttribute: CONFIG.demo.userAttribute, record: { id: CONFIG.defaultRecord, name: "Default" }, overall: "fail", exitCode: 1 });
    expect(out.checks.map((c: { id: string }) => c.id)).toEqual([
      "solution.installed",
      "solution.steps",
      "user.selected",
      "user.credentials",
      "user.enabled",
      "user.application",
      "user.role",
      "role.exclusive",
      "role.disabledHolders",
      "user.configRead",
      "publish",
      "filter.field",
    ]);
    expect(out.checks.find((c: { id: string }) => c.id === "solution.steps")).toMatchObject({ status: "fail", fix: "marketo-dynamics enable-steps" });
  });

  it("finds the table under other names (other-names fixture) and speaks French", async () => {
    const other = await startDevServer({ auth: "token", fixture: "other-names-org", publishDurationMs: 0 });
    try {
      const r = await cli(["verify", "--lang", "1036", ...connectionArgs(other)]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("Aucun Utilisateur Marketo n’est enregistré");
      expect(r.stdout).toContain("Configuration de la synchronisation Marketo de");
      // French typography: a space before the colon between a check's title and its result.
      expect(r.stdout).toMatch(/^Réussi +Solution Marketo : /m);
      const j = json(await cli(["verify", "--json", ...connectionArgs(other)]));
      expect(j).toMatchObject({ configTable: CONFIG.otherNames.entity, userAttribute: CONFIG.otherNames.userAttribute });
    } finally {
      await other.close();
    }
  });

  it("--config-entity naming a missing table is a clear error", async () => {
    const r = await cli(["verify", "--config-entity", "nope_table", ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("The table nope_table does not exist in this organization.");
  });

  it("exits 0 on an org that is already right (warnings do not fail unless --strict)", async () => {
    const ok = await startDevServer({ auth: "token", allCorrect: true, publishDurationMs: 0 });
    try {
      const r = await cli(["verify", ...connectionArgs(ok)]);
      expect(r.code).toBe(0);
      // Dataverse keeps no publish time: "not known" is said, and is no problem found (issue 13).
      expect(r.stdout).toContain("Not known whether customizations were published");
      expect(r.stdout).toContain("Everything Marketo needs is in place.");
      expect((await cli(["verify", "--strict", ...connectionArgs(ok)])).code).toBe(0);
      // A line that could not be read is an error, not a pass: exit 3, "could not check" (issue 15).
      const unreadableSteps = () => {
        ok.faults.clear();
        ok.faults.add({ match: { method: "GET", path: "sdkmessageprocessingsteps" }, times: 10, respond: "privilegeDenied" });
      };
      unreadableSteps();
      const unread = await cli(["verify", ...connectionArgs(ok)]);
      expect(unread.code).toBe(3);
      expect(unread.stdout).toMatch(/Error +Plugin steps/);
      expect(unread.stdout).toContain("1 check could not run");
      unreadableSteps();
      expect((await cli(["verify", "--strict", ...connectionArgs(ok)])).code).toBe(3);
    } finally {
      await ok.close();
    }
  });
});

describe("situations an admin can meet", () => {
  it("refuses to guess between two Default records", async () => {
    const entity = server.org.entity(CONFIG.demo.entity);
    server.org.insert(entity, { [`${CONFIG.demo.entity}id`]: "cf000000-0000-0000-0000-0000000000ff", [CONFIG.demo.nameAttribute]: "Default" });
    const r = await cli(["verify", ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("There are several “Default” records");
  });

  it("stops following an import that does not end, and says where to look", async () => {
    server.org.importDurationMs = 60_000;
    const zips = buildZips(join(work, "situations"));
    const r = await cli(["deploy", zips.v1Managed, ...args], { maxWaitMs: 300 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is still running after the time allowed");
  });

  it("names what deploy needs when the admin lacks it", async () => {
    const zips = buildZips(join(work, "situations"));
    server.faults.add({ match: { method: "POST", path: "ImportSolutionAsync" }, respond: { privilegeDenied: "prvImportCustomization" } });
    const r = await cli(["deploy", zips.v1Managed, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Importing a solution needs the Import Customizations privilege");
  });
});

describe("Marketo's credentials", () => {
  it("verify fails when the credentials do not sign in as the Marketo User, unless told they are not Marketo's", async () => {
    // Not the user these credentials sign in as: set-user refuses it without --force (safety test in safety.test.ts).
    await cli(["set-user", "--force", USER.europeApp, ...args]);
    const r = await cli(["verify", "--json", ...args]);
    const line = (json(r) as { checks: Array<{ id: string; status: string; message: string }> }).checks.find((c) => c.id === "user.credentials");
    expect(line).toMatchObject({ status: "fail" });
    expect(line!.message).toContain("Europe Integration");
    expect(r.code).toBe(1);
    const other = json(await cli(["verify", "--json", "--no-marketo-credentials", ...args])) as { checks: Array<{ id: string }> };
    expect(other.checks.map((c) => c.id)).not.toContain("user.credentials");
    await cli(["set-user", APP.marketoSync, ...args]);
    const fixed = json(await cli(["verify", "--json", ...args])) as { checks: Array<{ id: string; status: string }> };
    expect(fixed.checks.find((c) => c.id === "user.credentials")).toMatchObject({ status: "pass" });
  });
});

describe("fix commands", () => {
  it("a read of the setup that failed stops a fix before any change: exit 3, as a check that could not run", async () => {
    const failed = server.faults.add({ match: { method: "GET", path: /^roles\?/ }, respond: { status: 500, body: { error: { code: "0x80040216", message: "An unexpected error occurred." } } } });
    const r = await cli(["assign-role", ...args]);
    expect(server.faults.fired(failed)).toBe(1);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("The setup could not be read completely. Run marketo-dynamics verify to see which check could not run");
    expect(r.urls.filter((u) => u.includes("$ref"))).toEqual([]);
  });

  it("set-user by email, by id; unknown and disabled users are refused", async () => {
    const r = await cli(["set-user", "marketo-sync@contoso.onmicrosoft.com", ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Marketo User set to Marketo Sync");
    expect(server.org.get(CONFIG.demo.entity, CONFIG.defaultRecord)![`_${CONFIG.demo.userAttribute}_value`]).toBe(USER.marketoSync);
    expect((await cli(["set-user", USER.marketoSync, ...args])).stdout).toContain("already the Marketo User");
    const unknown = await cli(["set-user", "nobody@contoso.com", ...args]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No user matches “nobody@contoso.com”");
    const disabled = await cli(["set-user", USER.disabledApp, ...args]);
    expect(disabled.code).toBe(1);
    expect((await cli(["set-user", "not an email", ...args])).code).toBe(2);
  });

  it("assign-role gives the copy of the user's business unit, once", async () => {
    await cli(["set-user", APP.marketoSync, ...args]);
    const r = await cli(["assign-role", "--json", ...args]);
    expect(json(r)).toMatchObject({ changed: true });
    expect(server.org.rolesOf(USER.marketoSync).direct.map((x) => x.roleid)).toEqual([ROLE.marketoSync]);
    expect(json(await cli(["assign-role", "--json", ...args]))).toMatchObject({ changed: false });
  });

  it("remove-role --others: refused without --yes off a terminal; asks on a terminal; --yes removes", async () => {
    await cli(["set-user", APP.marketoSync, ...args]);
    const holders = () => server.org.rolesOf(USER.maria).direct.length + server.org.rolesOf(USER.john).direct.length;
    const noTty = await cli(["remove-role", "--others", ...args]);
    expect(noTty.code).toBe(2);
    expect(noTty.stdout).toContain("John Smith <john.smith@contoso.com>");
    expect(noTty.stderr).toContain("Run again with --yes");
    expect(holders()).toBe(2);

    const no = await cli(["remove-role", "--others", ...args], { stdin: "n\n", stdinIsTTY: true });
    expect(no.code).toBe(1);
    expect(no.stderr).toContain("Remove the role from them? [y/N]");
    expect(no.stdout).toContain("Cancelled: nothing removed.");
    expect(holders()).toBe(2);

    const yes = await cli(["remove-role", "--others", ...args], { stdin: "y\n", stdinIsTTY: true });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain("The team Marketo Admins holds the role Marketo Sync User and would lose it; its member loses it with it (and stays in the team):\n  - Team Sync App");
    expect(yes.stdout).toContain("Role Marketo Sync User removed from: John Smith, Maria Garcia, Team Sync App.");
    expect(holders()).toBe(0);
    expect(server.org.rolesOf(USER.teamOnlyApp)).toEqual({ direct: [], viaTeams: [] });
    // The disabled holder is left alone until asked for.
    expect(server.org.rolesOf(USER.formerEmployee).direct).toHaveLength(1);
    expect((await cli(["remove-role", "--disabled", "--yes", ...args])).stdout).toContain("Role Marketo Sync User removed from: Former Employee.");
    expect(server.org.rolesOf(USER.formerEmployee).direct).toHaveLength(0);
    expect((await cli(["remove-role", "--others", "--yes", ...args])).stdout).toContain("No other enabled user has the role");
    expect((await cli(["remove-role", ...args])).code).toBe(2);
  });

  it("remove-role --others: a Microsoft Entra group team holding the role is named and emptied even with no member listed yet", async () => {
    await cli(["set-user", APP.marketoSync, ...args]);
    await cli(["assign-role", ...args]);
    await cli(["remove-role", "--others", "--yes", ...args]);
    expect((await cli(["verify", ...args])).stdout).toMatch(/Passed\s+Nobody else has the role/);
    // A group team (teamtype 2) none of whose members has opened the environment yet.
    const groupTeam = "7ea00000-0000-0000-0000-00000000e1a1";
    server.org.insert(server.org.entity("team"), { teamid: groupTeam, name: "Marketing (Entra group)", teamtype: 2, isdefault: false, _businessunitid_value: BU.contoso });
    server.org.links.get("teamroles_association")!.add(`${groupTeam}|${ROLE.marketoSync}`);
    const verify = await cli(["verify", ...args]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain("The Microsoft Entra group team Marketing (Entra group) holds the role");

    const removed = await cli(["remove-role", "--others", "--yes", ...args]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain("The team Marketing (Entra group) (a Microsoft Entra group team) holds the role Marketo Sync User and would lose it");
    expect(removed.stdout).toContain("Role Marketo Sync User removed from the teams: Marketing (Entra group).");
    expect(removed.stdout).not.toContain("removed from: .");
    expect(server.org.links.get("teamroles_association")!.has(`${groupTeam}|${ROLE.marketoSync}`)).toBe(false);
    expect((await cli(["verify", ...args])).stdout).toMatch(/Passed\s+Nobody else has the role/);
  });

  it("remove-role refuses before Marketo solution 4.0.0.14", async () => {
    const old = await startDevServer({ auth: "token", solutionVersion: "4.0.0.13" });
    try {
      const r = await cli(["remove-role", "--others", "--yes", ...connectionArgs(old)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("before 4.0.0.14 every user needs the role");
      expect(old.org.rolesOf(USER.maria).direct).toHaveLength(1);
    } finally {
      await old.close();
    }
  });

  it("enable-steps enables only the Marketo solution's disabled steps", async () => {
    const r = await cli(["enable-steps", ...args]);
    expect(r.stdout).toContain("Enabled 1 plugin step: Marketo.Crm.Plugins.SyncPlugin: Delete of lead.");
    expect(server.org.get("sdkmessageprocessingstep", STEP.disabled)!.statecode).toBe(0);
    expect(server.org.get("sdkmessageprocessingstep", STEP.unrelated)!.statecode).toBe(1);
    expect((await cli(["enable-steps", ...args])).stdout).toContain("already enabled");
  });

  it("publish waits for a publish already running", async () => {
    // No wall clock: the first publish runs until the second has met it, then both end at once.
    server.org.publishDurationMs = 60 * 60_000;
    const endPublishes = () => {
      server.org.publishDurationMs = 0;
      for (const job of server.org.jobs) if (job.kind === "publish" && !job.done) job.startedAt = Date.now() - job.durationMs;
    };
    let firstRuns!: () => void;
    const firstRunning = new Promise<void>((resolve) => (firstRuns = resolve));
    // The first CLI polls its job only once the job exists.
    const first = cli(["publish", ...args], { onFetch: (url) => void (url.includes("/asyncoperations(") && firstRuns()) });
    await firstRunning;
    let asks = 0;
    // The second asks, meets the lock, waits, asks again: as it asks again, the first publish ends.
    const second = cli(["publish", ...args], { onFetch: (url) => void (url.endsWith("/PublishAllXmlAsync") && ++asks === 2 && endPublishes()) });
    const [a, b] = await Promise.all([first, second]);
    expect(asks).toBe(2);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stderr + b.stderr).toContain("Another import or publish is running in Dynamics; waiting for it to finish… [PublishAll]");
    expect(server.org.publishCount).toBe(2);
    expect(a.stdout).toMatch(/^Customizations published at \d{1,2}\/\d{1,2}\/\d{2}, \d{1,2}:\d{2}:\d{2}/); // in the admin's locale
  });

  it("publish waits for an import running in Dynamics, says so, then publishes", async () => {
    const held = await holdImport(server, { auth: "token" });
    let attempts = 0;
    // The gate: the import ends as the CLI asks a second time, so the first ask meets the lock.
    const r = await cli(["publish", ...args], { onFetch: (url) => void (url.endsWith("/PublishAllXmlAsync") && ++attempts === 2 && held.finish()) });
    expect(r.code).toBe(0);
    expect(attempts).toBe(2);
    expect(r.stderr).toContain("Another import or publish is running in Dynamics; waiting for it to finish… [Import]");
    expect(r.stdout).toMatch(/^Customizations published at /);
    expect(server.org.publishCount).toBe(1);
    expect(server.org.get("importjob", held.importJobId)?.completedon).toBeTruthy();
  });

  it("connection-info prints what Marketo's step 3 asks for", async () => {
    await cli(["set-user", APP.marketoSync, ...args]);
    const j = json(await cli(["connection-info", "--json", ...args]));
    expect(j).toEqual({
      schemaVersion: 1,
      tool: { name: "marketo-dynamics", version: expect.any(String) },
      generatedAt: expect.any(String),
      orgUrl: server.url,
      organizationServiceUrl: `${server.url}/XRMServices/2011/Organization.svc`,
      tenantId: "7e000000-0000-0000-0000-0000000000aa",
      clientId: APP.marketoSync,
      username: "marketo-sync@contoso.onmicrosoft.com",
    });
    const text = await cli(["connection-info", ...args]);
    expect(text.stdout).toMatch(/Tenant ID +7e000000-0000-0000-0000-0000000000aa/);
  });
});

describe("deploy and bind-form", () => {
  let zips: ReturnType<typeof buildZips>;
  beforeAll(() => {
    zips = buildZips(work);
  });

  it("imports with a progress indicator, then publishes; the control is registered", async () => {
    const r = await cli(["deploy", zips.v1Managed, ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Importing MarketoConfigControl 1.0.0.0 (managed)…");
    expect(r.stdout).toContain("MarketoConfigControl 1.0.0.0 (managed) imported.");
    expect(r.stdout).toMatch(/Customizations published at/);
    const percents = [...r.stderr.matchAll(/(\d+)% Importing MarketoConfigControl/g)].map((m) => Number(m[1]));
    expect(percents.length).toBeGreaterThanOrEqual(3);
    expect(percents[percents.length - 1]).toBe(100);
    expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
    const control = [...server.org.table(server.org.entity("customcontrol")).values()];
    expect(control.map((c) => c.name)).toEqual(["mss_MarketoSync.MarketoConfigControl"]);
    expect(server.org.publishCount).toBe(1);

    const upgrade = await cli(["deploy", "--json", zips.v2Managed, ...args]);
    expect(json(upgrade)).toMatchObject({ imported: { version: "1.0.1.0", previousVersion: "1.0.0.0", managed: true } });
    // The control rose with the solution (1.0.0 → 1.0.1): nothing is kept, nothing to warn about.
    expect(json(upgrade).controlsKept).toEqual([]);
    expect(upgrade.stderr).not.toContain("Warning");
    // A managed file at or below the installed version: Dataverse would refuse it (0x80048541), so nothing is sent.
    const importsBefore = server.org.imports.length;
    const same = await cli(["deploy", zips.v2Managed, ...args]);
    expect(same.code).toBe(1);
    expect(same.stderr).toContain("MarketoConfigControl 1.0.1.0 is already installed, and Dataverse does not import a managed solution over the same version. Nothing was sent.");
    const lower = await cli(["deploy", zips.v1Managed, ...args]);
    expect(lower.code).toBe(1);
    expect(lower.stderr).toContain("MarketoConfigControl 1.0.1.0 is installed, higher than this file's 1.0.0.0");
    expect(lower.stderr).toContain("0x80048541");
    // The unmanaged file over the installed managed solution: refused as well, before the upload.
    const other = await cli(["deploy", zips.v1Unmanaged, ...args]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("MarketoConfigControl 1.0.1.0 is installed as a managed solution, and Dataverse does not import an unmanaged one over it. Nothing was sent.");
    expect({ imports: server.org.imports.length, sent: [...same.urls, ...lower.urls, ...other.urls].filter((u) => /ImportSolution|StageAndUpgrade/.test(u)) }).toEqual({
      imports: importsBefore,
      sent: [],
    });
  });

  it("waits for another import running in Dynamics before importing, says so once, then imports", async () => {
    const held = await holdImport(server, { auth: "token" });
    server.org.importDurationMs = 0;
    let attempts = 0;
    // The gate: the other import ends as deploy asks a third time, so two asks meet the lock.
    const r = await cli(["deploy", "--no-publish", zips.v1Managed, ...args], { onFetch: (url) => void (url.endsWith("/ImportSolutionAsync") && ++attempts === 3 && held.finish()) });
    expect(r.code).toBe(0);
    expect(attempts).toBe(3);
    expect(r.stderr.split("Another import or publish is running in Dynamics; waiting for it to finish…").length).toBe(2);
    expect(r.stdout).toContain("MarketoConfigControl 1.0.0.0 (managed) imported.");
    const solutions = [...server.org.table(server.org.entity("solution")).values()].map((s) => s.uniquename);
    expect(solutions).toEqual(expect.arrayContaining(["LockTestSolution", "MarketoConfigControl"]));
  });

  it("warns, before importing, that a control whose version did not rise keeps its installed code", async () => {
    expect((await cli(["deploy", "--no-publish", zips.v1Managed, ...args])).code).toBe(0);
    // A later solution version whose control manifest still says 1.0.0 (a release built by hand
    // without the control bump): Dataverse imports it and keeps the installed control.
    const files = unzipSync(readFileSync(zips.v2Managed));
    const manifest = "Controls/mss_MarketoSync.MarketoConfigControl/ControlManifest.xml";
    files[manifest] = Buffer.from(
      Buffer.from(files[manifest])
        .toString("utf8")
        .replace(/(<control [^>]*version=")1\.0\.1"/, '$11.0.0"'),
    );
    const stale = join(work, "Stale_1_0_1_0_managed.zip");
    writeFileSync(stale, zipSync(files));
    const r = await cli(["deploy", "--no-publish", "--json", stale, ...args]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Warning: the organisation already has the control mss_MarketoSync.MarketoConfigControl at version 1.0.0, and this file carries 1.0.0, which is not higher.");
    expect(json(r).controlsKept).toEqual([{ control: "mss_MarketoSync.MarketoConfigControl", installed: "1.0.0", version: "1.0.0" }]);
    // The stand-in did what the warning says: the solution rose, the control did not.
    const control = [...server.org.table(server.org.entity("customcontrol")).values()][0];
    expect(control.version).toBe("1.0.0");
    // In French too.
    server.reset();
    await cli(["deploy", "--no-publish", zips.v1Managed, ...args]);
    const fr = await cli(["deploy", "--no-publish", "--lang", "1036", stale, ...args]);
    expect(fr.stderr).toContain("Attention : l’organisation a déjà le contrôle mss_MarketoSync.MarketoConfigControl en version 1.0.0");
  });

  it("refuses a zip that fails the verifier before any request (no sign-in either)", async () => {
    const bad = join(work, "broken_managed.zip");
    const bytes = readFileSync(zips.v1Managed);
    writeFileSync(bad, bytes.subarray(0, bytes.length - 30));
    const r = await cli(["deploy", bad, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("broken_managed.zip was not sent");
    expect(r.urls).toEqual([]);
    expect(server.requestCount()).toBe(0);
    // An error refuses the zip; its notes are listed after the errors.
    const files = unzipSync(readFileSync(zips.v1Managed));
    files["solution.xml"] = Buffer.from(
      Buffer.from(files["solution.xml"]).toString("utf8").replace("<CustomizationPrefix>mss</CustomizationPrefix>", "<CustomizationPrefix>abc</CustomizationPrefix>"),
    );
    const otherPrefix = join(work, "OtherPrefix_1_0_0_0_unmanaged.zip");
    writeFileSync(otherPrefix, zipSync(files));
    const r2 = await cli(["deploy", otherPrefix, ...args]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain("OtherPrefix_1_0_0_0_unmanaged.zip was not sent: it fails 1 solution check.");
    const error = r2.stderr.indexOf('error: the control mss_MarketoSync.MarketoConfigControl has the prefix "mss", but the publisher\'s prefix is "abc"');
    const note = r2.stderr.indexOf("note: the file name OtherPrefix_1_0_0_0_unmanaged.zip says unmanaged, but solution.xml says managed");
    expect(error).toBeGreaterThan(0);
    expect(note).toBeGreaterThan(error);
    expect(r2.urls).toEqual([]);
  });

  it("sends a zip whose findings are only notes, and shows the notes (French too)", async () => {
    // Dataverse ignores the file name: a name that disagrees with <Managed> is a note.
    const wrongKind = join(work, "MarketoConfigControl_1_0_0_0_unmanaged.zip");
    writeFileSync(wrongKind, readFileSync(zips.v1Managed));
    const r = await cli(["deploy", "--no-publish", wrongKind, ...args]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("MarketoConfigControl_1_0_0_0_unmanaged.zip differs from what npm run pack writes in 1 way; Dataverse accepts this difference, so it is sent.");
    expect(r.stderr).toContain("  note: the file name MarketoConfigControl_1_0_0_0_unmanaged.zip says unmanaged, but solution.xml says managed (<Managed>1</Managed>)");
    expect(r.stdout).toContain("MarketoConfigControl 1.0.0.0 (managed) imported.");
    server.reset();
    const fr = await cli(["deploy", "--no-publish", "--lang", "1036", wrongKind, ...args]);
    expect(fr.code).toBe(0);
    expect(fr.stderr).toContain(
      "  remarque : le nom du fichier MarketoConfigControl_1_0_0_0_unmanaged.zip indique une solution non gérée, mais solution.xml indique une solution gérée (<Managed>1</Managed>) ; Dataverse se fie à solution.xml",
    );
  });

  it("bind-form after deploy: the control on the Marketo User field, published once (details in bindForm.test.ts)", async () => {
    await cli(["deploy", "--no-publish", zips.v1Managed, ...args]);
    const first = await cli(["bind-form", ...args]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Form “Information”: mkto_marketouserid now uses mss_MarketoSync.MarketoConfigControl");
    const second = await cli(["bind-form", "--json", ...args]);
    expect(json(second)).toMatchObject({ forms: [{ formId: FORM.main, changed: false }], published: false });
    const xml = String(server.org.get("systemform", FORM.main)!.formxml);
    expect(xml.match(/<controlDescription /g)).toHaveLength(1);
    expect(xml.match(/name="mss_MarketoSync\.MarketoConfigControl"/g)).toHaveLength(3);
    expect(server.org.publishedXml.map((p) => p.entities)).toEqual([["mkto_marketoconfig"]]);
  });
});

describe("sign-in and the network", () => {
  it("a wrong secret: clear message, exit 2, no secret in the output", async () => {
    const wrong = "Wr0ng-Secret-Value-123456";
    const r = await cli(["verify", ...args], { secret: wrong });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Sign-in refused: the client secret is wrong or expired");
    expect(r.stderr).toContain("AADSTS7000215");
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(apiRequests(r)).toBe(0);
  });

  it("no secret, missing options, bad client id: usage errors (exit 2)", async () => {
    expect((await cli(["verify", ...args], { secret: null })).stderr).toContain("No client secret");
    expect((await cli(["verify", "--url", server.url], {})).code).toBe(2);
    expect((await cli(["verify", ...args.slice(0, 4), "--client-id", "abc"])).stderr).toContain("is not a GUID");
    expect((await cli(["frobnicate"])).code).toBe(2);
    // A URL that cannot be an environment's is refused before any request: another scheme, a single word.
    for (const url of ["ftp://127.0.0.1:5592", "not-a-url", "https://crm"]) {
      const r = await cli(["verify", "--url", url, ...args.slice(2)]);
      expect({ url, code: r.code, said: r.stderr.includes(`“${url}” is not an organization URL`), requests: r.urls.length }).toEqual({ url, code: 2, said: true, requests: 0 });
    }
    const lang = await cli(["verify", "--lang", "1040", ...args]);
    expect({ code: lang.code, requests: lang.urls.length }).toEqual({ code: 2, requests: 0 });
    expect(lang.stderr).toContain("--lang 1040 is not a language of this tool: use 1033 (English) or 1036 (French).");
    const help = await cli(["deploy", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--no-publish");
    expect(help.stdout).toContain("--client-id");
  });

  it("an organization URL that is no environment of the tenant: Entra's AADSTS500011, explained as a --url to check", async () => {
    const r = await cli(["verify", "--url", "https://contoso.crm.dynamics.com", ...args.slice(2)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Microsoft Entra ID knows no Dynamics 365 environment at https://contoso.crm.dynamics.com");
    expect(r.stderr).toContain("AADSTS500011");
    expect(r.urls.filter((u) => u.includes("/api/data/"))).toEqual([]);
  });

  it("reads the secret from stdin with --client-secret-stdin", async () => {
    const r = await cli(["verify", "--client-secret-stdin", ...args], { secret: null, stdin: `${SECRET.marketoSync}\n` });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Marketo Lead Management 5.0.2.1 is installed.");
  });

  it("an expired token is renewed (forceRefresh on 401, MSAL cache skipped)", async () => {
    let api = 0;
    const r = await cli(["enable-steps", ...args], {
      onFetch: (url) => {
        if (url.includes("/api/data/") && ++api === 4) server.auth.expireAll();
      },
    });
    expect(r.code).toBe(0);
    expect(tokenRequests(r)).toBe(2);
    expect(server.org.get("sdkmessageprocessingstep", STEP.disabled)!.statecode).toBe(0);
  });

  it("a 429 storm is retried (Retry-After), then succeeds; a longer one ends with a clear message", async () => {
    server.faults.add({ match: { path: "EntityDefinitions" }, times: 3, respond: server.faults.presets.throttle(0) });
    const r = await cli(["verify", "--json", ...args]);
    expect(r.code).toBe(1);
    expect(json(r).checks).toHaveLength(12); // the control's eleven (a disabled user keeps the role), and Marketo's credentials

    server.faults.add({ match: { path: "EntityDefinitions" }, times: 50, respond: server.faults.presets.throttle(0) });
    const storm = await cli(["verify", ...args]);
    // Throttled beyond the retries: the checks could not run (3), not "the setup is wrong" (1).
    expect(storm.code).toBe(3);
    expect(storm.stderr).toMatch(/^Error: .+/);
    expect(storm.stderr).toContain("HTTP 429");
    server.faults.clear();
  });

  it("an answer that is not JSON (a proxy's login page) is a command that could not run (exit 3), not a wrong setup", async () => {
    const page = server.faults.add({
      match: { path: "EntityDefinitions" },
      respond: { status: 200, headers: { "Content-Type": "text/html" }, body: "<html><body>Corporate proxy login</body></html>" },
    });
    const r = await cli(["verify", ...args]);
    expect(server.faults.fired(page)).toBe(1);
    expect(r.code).toBe(3);
  });

  it("an unreachable org is a command that could not run (exit 3)", async () => {
    const r = await cli(["verify", "--timeout", "2", ...args], {
      onFetch: (url) => {
        if (url.includes("/api/data/")) throw new TypeError("fetch failed");
      },
    });
    expect(r.code).toBe(3);
  });
});
