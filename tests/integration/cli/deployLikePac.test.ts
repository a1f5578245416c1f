/**
 * Issue 15, "Deploy like pac does": any zip Dataverse accepts, --skip-lower-version,
 * --skip-same-version, --stage-and-upgrade (StageAndUpgradeAsync), --max-async-wait (minutes),
 * --no-publish-workflows, and "update" / "upgrade" said as Dataverse says them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync, zipSync, type Zippable } from "fflate";
import type { DevServer } from "../../../devserver/server";
import { applyImport, type ImportedControl } from "../../../devserver/routes/import";
import { cli } from "./helpers";
import { ManualClock } from "./manualClock";
import { useDeployTestBed, type buildZips } from "./zips";

jest.setTimeout(60_000);

let server: DevServer;
let args: string[];
let work: string;
let zips: ReturnType<typeof buildZips>;

useDeployTestBed({ publishDurationMs: 0, importDurationMs: 50 }, "mss-cli-pac-", (bed) => ({ server, args, work, zips } = bed));

const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const installed = () => [...server.org.table(server.org.entity("solution")).values()].find((s) => s.uniquename === "MarketoConfigControl");
const controls = () => [...server.org.table(server.org.entity("customcontrol")).values()].map((c) => String(c.name));
const lastMessage = () =>
  [...server.org.table(server.org.entity("asyncoperation")).values()]
    .map((o) => String(o.messagename))
    .filter((m) => /Import|Upgrade/.test(m))
    .pop();

describe("any zip Dataverse accepts", () => {
  it("another file name, entries in another order, stored (not deflated)", async () => {
    const entries = unzipSync(readFileSync(zips.v1Managed));
    const reordered: Zippable = {};
    for (const name of Object.keys(entries).reverse()) reordered[name] = [entries[name], { level: 0 }];
    const file = join(work, "export (3).zip");
    writeFileSync(file, zipSync(reordered));
    const r = await cli(["deploy", "--no-publish", file, ...args]);
    expect({ code: r.code, stderr: r.stderr.replace(/^.*Importing.*\n/gm, "").replace(/^.*%.*\n/gm, "") }).toMatchObject({ code: 0 });
    expect(installed()).toBeDefined();
  });
});

describe("--skip-lower-version, --skip-same-version", () => {
  it("skip the same version: exit 0, one clear line, nothing sent", async () => {
    expect((await cli(["deploy", "--no-publish", zips.v1Managed, ...args])).code).toBe(0);
    const r = await cli(["deploy", "--skip-same-version", zips.v1Managed, ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Skipped: MarketoConfigControl [\d.]+ is already installed \(--skip-same-version\)\. Nothing was sent\.\n$/);
    expect(server.org.imports).toHaveLength(1);
    expect(server.org.publishCount).toBe(0);
    // A higher version is not skipped by either.
    expect((await cli(["deploy", "--no-publish", "--skip-same-version", "--skip-lower-version", zips.v2Managed, ...args])).code).toBe(0);
    expect(server.org.imports).toHaveLength(2);
  });

  it("skip a lower version (JSON says which); without the option Dataverse refuses it", async () => {
    expect((await cli(["deploy", "--no-publish", zips.v2Managed, ...args])).code).toBe(0);
    const r = await cli(["deploy", "--json", "--skip-lower-version", zips.v1Managed, ...args]);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ skipped: "lower", solution: { uniqueName: "MarketoConfigControl", installedVersion: installed()!.version } });
    expect(server.org.imports).toHaveLength(1);
    expect((await cli(["deploy", "--no-publish", zips.v1Managed, ...args])).code).toBe(1);
  });
});

describe("update and upgrade, as Dataverse says them", () => {
  it("a plain import over the installed solution is an update (ImportSolutionAsync)", async () => {
    await cli(["deploy", "--no-publish", zips.v1Managed, ...args]);
    const r = await cli(["deploy", "--no-publish", zips.v2Managed, ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Updating MarketoConfigControl from [\d.]+ to [\d.]+ \(managed\)…\n/);
    expect(r.stdout).toMatch(/MarketoConfigControl updated to [\d.]+ \(managed\)\./);
    expect(lastMessage()).toBe("ImportSolutionAsync");
  });

  it("--stage-and-upgrade sends StageAndUpgradeAsync and says upgrade", async () => {
    await cli(["deploy", "--no-publish", zips.v1Managed, ...args]);
    const r = await cli(["deploy", "--no-publish", "--json", "--stage-and-upgrade", zips.v2Managed, ...args]);
    expect(r.code).toBe(0);
    expect(json(r).imported).toMatchObject({ mode: "upgrade" });
    expect(lastMessage()).toBe("StageAndUpgradeAsync");
    expect(installed()!.version).toBe(json(r).imported.version);
    const fr = await cli(["deploy", "--no-publish", "--lang", "1036", "--skip-same-version", zips.v2Managed, ...args]);
    expect(fr.stdout).toContain("Ignoré");
  });

  it("the stand-in's upgrade removes the components the new version lacks; an update keeps them", () => {
    const plan = { uniqueName: "Upgraded", friendlyName: "Upgraded", version: "1.0.0.0", managed: true, controls: [] };
    const control: ImportedControl = { name: "ab_Upgraded.Gone", manifest: "<manifest />", version: "1.0.0", compatibleDataTypes: "" };
    applyImport(server.org, { ...plan, controls: [control] });
    expect(controls()).toContain("ab_Upgraded.Gone");
    applyImport(server.org, { ...plan, version: "1.1.0.0", previousVersion: "1.0.0.0" });
    expect(controls()).toContain("ab_Upgraded.Gone");
    applyImport(server.org, { ...plan, version: "2.0.0.0", previousVersion: "1.1.0.0" }, { upgrade: true });
    expect(controls()).not.toContain("ab_Upgraded.Gone");
  });
});

describe("--no-publish-workflows, --max-async-wait", () => {
  it("--no-publish-workflows sends PublishWorkflows false (true by default)", async () => {
    await cli(["deploy", "--no-publish", zips.v1Managed, ...args]);
    await cli(["deploy", "--no-publish", "--no-publish-workflows", zips.v2Managed, ...args]);
    expect(server.org.imports.map((i) => i.publishWorkflows)).toEqual([true, false]);
  });

  it("--max-async-wait is in minutes: the import is followed that long, then said still running", async () => {
    expect((await cli(["deploy", "--max-async-wait", "soon", zips.v1Managed, ...args])).code).toBe(2);
    server.org.importDurationMs = 60 * 60_000;
    const clock = new ManualClock();
    const held = server.faults.hold({ match: { method: "GET", path: "importjobs(" } });
    const running = cli(["deploy", "--no-publish", "--max-async-wait", "2", zips.v1Managed, ...args], { clock });
    await held.arrived();
    clock.advance(2 * 60_000 + 1);
    held.release();
    const r = await running;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The import of MarketoConfigControl is still running after the time allowed\..*job [0-9a-f-]{36}/);
  });
});
