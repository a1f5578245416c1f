/**
 * Issue 15, "Safe by default": set-user refuses an unlikely sync user, --user on the role commands,
 * the bind-form diff, --dry-run on every command that changes something, Ctrl-C during a publish or
 * an import (exit 130 and how to follow the job), a failed publish after a good import.
 */
import type { FetchLike } from "../../../core/dataverse/client";
import { APP, USER } from "../../../devserver/fixtures/ids";
import type { DevServer } from "../../../devserver/server";
import { cli } from "./helpers";
import { useDeployTestBed, type buildZips } from "./zips";

jest.setTimeout(60_000);

let server: DevServer;
let args: string[];
let zips: ReturnType<typeof buildZips>;

useDeployTestBed({ publishDurationMs: 50, importDurationMs: 100 }, "mss-cli-safety-", (bed) => ({ server, args, zips } = bed));

const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const directRoles = (userId: string) => server.org.rolesOf(userId).direct.length;

/** Every row and link of the stand-in, to compare before and after a run that must change nothing. */
function orgState(): string {
  const org = server.org as unknown as { tables: Map<string, Map<string, unknown>>; links: Map<string, Set<string>> };
  return JSON.stringify({
    tables: [...org.tables].map(([k, v]) => [k, [...v].map(([id, row]) => [id, row])]),
    links: [...org.links].map(([k, v]) => [k, [...v].sort()]),
  });
}

/** Methods of the Web API requests sent, apart from `$batch` (core's batched reads). */
function recordingFetch(): { fetch: FetchLike; writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    fetch: (url, init) => {
      const method = (init.method ?? "GET").toUpperCase();
      if (url.includes("/api/data/") && method !== "GET" && !url.includes("$batch")) writes.push(`${method} ${url}`);
      return fetch(url, init);
    },
  };
}

describe("set-user refuses a user that is not Marketo's sync user, unless --force", () => {
  const configRow = () => [...server.org.table(server.org.entity("mkto_marketoconfig")).values()][0];

  it("refuses a user who is not an application user (exit 1, nothing changed)", async () => {
    const before = orgState();
    const r = await cli(["set-user", USER.john, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("John Smith was not saved as the Marketo User");
    expect(r.stderr).toContain("is not an application user");
    expect(r.stderr).toContain("--force");
    expect(orgState()).toBe(before);
  });

  it("refuses an application user that Marketo's credentials do not sign in as; --no-marketo-credentials or --force allow it", async () => {
    const r = await cli(["set-user", "--json", USER.europeApp, ...args]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr).error).toMatchObject({ key: "Cli_UserRefused" });
    expect(JSON.parse(r.stderr).error.details).toContain(`Client ID ${APP.marketoSync}`);
    expect((await cli(["set-user", "--no-marketo-credentials", USER.europeApp, ...args])).code).toBe(0);
    server.reset();
    const forced = await cli(["set-user", "--force", USER.john, ...args]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain("Warning: John Smith is not an application user");
    expect(String(Object.values(configRow() ?? {}).find((v) => v === USER.john))).toBe(USER.john);
    expect((await cli(["set-user", APP.marketoSync, ...args])).code).toBe(0);
  });

  it("a following remove-role --others --yes never strips the real sync user", async () => {
    expect((await cli(["assign-role", ...args])).code).toBe(0);
    expect(directRoles(USER.marketoSync)).toBe(1);
    expect((await cli(["set-user", USER.john, ...args])).code).toBe(1);
    expect((await cli(["remove-role", "--others", "--yes", ...args])).code).toBe(0);
    expect(directRoles(USER.marketoSync)).toBe(1);
    // Even with the wrong user forced in, the application user Marketo's credentials sign in as keeps its role.
    server.reset();
    await cli(["assign-role", ...args]);
    expect((await cli(["set-user", "--force", USER.john, ...args])).code).toBe(0);
    const r = await cli(["remove-role", "--others", "--yes", ...args]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Marketo Sync keeps the role Marketo Sync User");
    expect(directRoles(USER.marketoSync)).toBe(1);
  });
});

describe("assign-role / remove-role --user: the user acted on is always said", () => {
  it("--user names the user (text and JSON), without it the source is said", async () => {
    const text = await cli(["assign-role", "--user", APP.europeApp, ...args]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Acting on Europe Integration (${USER.europeApp}), named by --user.`);
    expect(directRoles(USER.europeApp)).toBeGreaterThan(0);
    const fallback = json(await cli(["assign-role", "--json", ...args]));
    expect(fallback.user).toMatchObject({ id: USER.marketoSync, source: "signedIn" });
    const named = json(await cli(["remove-role", "--others", "--yes", "--json", "--user", USER.europeApp, ...args]));
    expect(named.user).toMatchObject({ id: USER.europeApp, source: "option" });
    // The signed-in application user is Marketo's: kept, though not the user named.
    expect(named.removed.map((u: { id: string }) => u.id)).not.toContain(USER.marketoSync);
    expect(directRoles(USER.marketoSync)).toBe(1);
  });
});

describe("--dry-run lists the requests and changes nothing", () => {
  const cases: Array<[string[], RegExp]> = [
    [["set-user", APP.marketoSync], /PATCH .*\/mkto_marketoconfigs\(.*mkto_marketouserid@odata\.bind=\/systemusers\(/],
    [["assign-role"], /POST .*\/systemusers\(.*\)\/systemuserroles_association\/\$ref/],
    [["remove-role", "--others"], /DELETE .*\/systemuserroles_association/],
    [["remove-role", "--others", "--disabled"], /DELETE .*\/teams\(.*\)\/teamroles_association\(/],
    [["enable-steps"], /PATCH .*\/sdkmessageprocessingsteps\(.*statecode=0, statuscode=1/],
    [["publish"], /POST .*\/PublishAllXmlAsync/],
    [
      ["deploy", "ZIP"],
      /POST .*\/ImportSolutionAsync {2}\(CustomizationFile=<\d+ chars>, OverwriteUnmanagedCustomizations=false, PublishWorkflows=true, ImportJobId=<new id>\)\n {2}POST .*\/PublishAllXmlAsync/,
    ],
    [["bind-form"], /PATCH .*\/systemforms\(.*formxml=<\d+ chars>.*\n {2}POST .*\/PublishXml/],
  ];
  it.each(cases)("%j", async (command, expected) => {
    if (command[0] === "bind-form") expect((await cli(["deploy", "--no-publish", zips.v1Managed, ...args])).code).toBe(0);
    const before = orgState();
    const imports = server.org.imports.length;
    const published = server.org.publishCount + server.org.publishedXml.length;
    const { fetch: recording, writes } = recordingFetch();
    const r = await cli([...command.map((c) => (c === "ZIP" ? zips.v1Managed : c)), "--dry-run", ...args], { fetch: recording });
    expect({ code: r.code, stderr: r.stderr.replace(/^.*(Acting on|sync user is taken|keeps the role).*\n/gm, "") }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/Dry run: nothing was changed\. (These \d+ requests|This request) would be sent:/);
    // What would change is said (the people who would lose the role, the form's diff); never that a change is under way or done.
    expect(r.stdout).not.toMatch(/^(Importing|Updating|Upgrading|Publishing) |imported\.$|published at|^Role .* (assigned|removed)/m);
    expect(r.stdout).toMatch(expected);
    expect(writes).toEqual([]);
    expect(orgState()).toBe(before);
    expect(server.org.imports.length).toBe(imports);
    expect(server.org.publishCount + server.org.publishedXml.length).toBe(published);
  });

  it("JSON: dryRun true and each request's method, URL and summary", async () => {
    const out = json(await cli(["enable-steps", "--dry-run", "--json", ...args]));
    expect(out.dryRun).toBe(true);
    expect(out.requests).toEqual([expect.objectContaining({ method: "PATCH", summary: "statecode=0, statuscode=1" })]);
    expect(out.requests[0].url).toMatch(/\/sdkmessageprocessingsteps\(/);
  });
});

describe("bind-form shows what it changes before changing it", () => {
  it("a short diff per form: the field's place, its controls before and after", async () => {
    await cli(["deploy", "--no-publish", zips.v1Managed, ...args]);
    const r = await cli(["bind-form", "--no-publish", ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Form “.+”, field \w+ \(tab .+, section .+\):\n {2}- standard control\n {2}\+ standard control, mss_MarketoSync\.MarketoConfigControl \(web, tablet, phone\)\n/);
    const fr = await cli(["bind-form", "--no-publish", "--json", ...args]);
    expect(json(fr).forms[0]).toMatchObject({ changed: false, changes: [] });
  });
});

describe("Ctrl-C during publish or deploy: the job id, how to follow it, exit 130", () => {
  /** The stand-in's jobs end at the next request (their start moved back): no wall clock. */
  const finishJobs = () => {
    server.org.publishDurationMs = 0;
    for (const job of server.org.jobs) if (!job.done) job.startedAt = Date.now() - job.durationMs;
  };

  it("publish: stops, names the system job; publish --job follows it to its end", async () => {
    server.org.publishDurationMs = 60 * 60_000;
    const held = server.faults.hold({ match: { method: "GET", path: "asyncoperations(" } });
    const ctrlC = new AbortController();
    const running = cli(["publish", ...args], { interrupt: ctrlC.signal });
    await held.arrived();
    ctrlC.abort();
    const r = await running;
    held.release();
    expect(r.code).toBe(130);
    const job = /publish --job ([0-9a-f-]{36})/.exec(r.stderr)?.[1];
    expect(job).toBeDefined();
    expect(r.stderr).toContain(`The publish goes on in Dynamics (system job ${job})`);
    finishJobs();
    const followed = await cli(["publish", "--job", job!, ...args]);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/^Customizations published at /);
    expect(server.org.publishCount).toBe(1);
    // An id that names no system job: said as such (running it again cannot help).
    const unknown = await cli(["publish", "--job", "0f000000-0000-0000-0000-00000000abcd", ...args]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("No system job has the id 0f000000-0000-0000-0000-00000000abcd in this organisation.");
  });

  it("deploy --import-job with an id that names no import job says so (exit 2)", async () => {
    const r = await cli(["deploy", "--import-job", "0f000000-0000-0000-0000-00000000abce", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("No import job has the id 0f000000-0000-0000-0000-00000000abce in this organisation");
  });

  it("deploy: stops, names the import job; deploy --import-job follows it, then publishes", async () => {
    server.org.importDurationMs = 60 * 60_000;
    const held = server.faults.hold({ match: { method: "GET", path: "importjobs(" } });
    const ctrlC = new AbortController();
    const running = cli(["deploy", "--json", zips.v1Managed, ...args], { interrupt: ctrlC.signal });
    await held.arrived();
    ctrlC.abort();
    const r = await running;
    held.release();
    expect(r.code).toBe(130);
    const error = JSON.parse(r.stderr).error;
    const job = /deploy --import-job ([0-9a-f-]{36})/.exec(error.message)?.[1];
    expect(job).toBe(server.org.imports[0].importJobId);
    const operation = [...server.org.table(server.org.entity("asyncoperation")).values()].find((o) => o.messagename === "ImportSolutionAsync")!.asyncoperationid;
    expect(error.message).toContain(`(import job ${job}, system job ${operation})`);
    finishJobs();
    const followed = await cli(["deploy", "--import-job", job!, ...args]);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain(`The import of MarketoConfigControl (import job ${job}) is done.`);
    expect(followed.stdout).toMatch(/Customizations published at /);
    expect(server.org.imports).toHaveLength(1);
  });

  it("without a job started yet, Ctrl-C just stops (exit 130)", async () => {
    const held = server.faults.hold({ match: { method: "GET", path: "WhoAmI" } });
    const ctrlC = new AbortController();
    const running = cli(["assign-role", ...args], { interrupt: ctrlC.signal });
    await held.arrived();
    ctrlC.abort();
    const r = await running;
    held.release();
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("Stopped (Ctrl-C).");
  });
});

describe("deploy: the import worked, the publish did not", () => {
  it("says exactly that, in text and JSON", async () => {
    server.org.failNextPublish = "Publish failed for a reason of the test";
    const r = await cli(["deploy", zips.v1Managed, ...args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("MarketoConfigControl 1.0.0");
    expect(r.stderr).toMatch(/MarketoConfigControl [\d.]+ was imported, but the publish after it failed: .* The import stays in place\. To publish, run: marketo-dynamics publish/);
    server.org.failNextPublish = "Publish failed for a reason of the test";
    const j = await cli(["deploy", "--json", zips.v2Managed, ...args]);
    expect(j.code).toBe(1);
    expect(json(j)).toMatchObject({ imported: { uniqueName: "MarketoConfigControl", mode: "update" }, published: false, publishError: { key: expect.any(String) }, exitCode: 1 });
  });
});
