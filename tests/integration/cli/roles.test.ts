/**
 * `assign-role --everyone` (before Marketo solution 4.0.0.14 every user needs the role) and its
 * refusals, against the stand-in.
 */
import { ROLE, USER } from "../../../devserver/fixtures/ids";
import { startDevServer, type DevServer } from "../../../devserver/server";
import { cli, connectionArgs } from "./helpers";

jest.setTimeout(60_000);

let server: DevServer;
let args: string[];

beforeAll(async () => {
  server = await startDevServer({ auth: "token", publishDurationMs: 0 });
  args = connectionArgs(server);
});
afterAll(() => server.close());

/** Enabled Read-Write users without a Client ID who hold no copy of the role, by name. */
function lacking(): string[] {
  return [...server.org.tables.get("systemuser")!.values()]
    .filter((u) => u.isdisabled !== true && u.accessmode === 0 && !u.applicationid)
    .filter((u) => !server.org.rolesOf(String(u.systemuserid)).direct.some((r) => r.roleid === ROLE.marketoSync || r.roleid === ROLE.marketoSyncEurope))
    .map((u) => String(u.fullname))
    .sort();
}

describe("assign-role --everyone", () => {
  it("before 4.0.0.14: names who lacks the role, asks, then gives it to each of them; a second run has nothing to do", async () => {
    server.reset({ solutionVersion: "4.0.0.13" });
    const before = lacking();
    expect(before).toContain("Alex Admin");

    const noTty = await cli(["assign-role", "--everyone", ...args]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain("Run again with --yes");
    for (const name of before) expect(noTty.stdout).toContain(name);
    expect(lacking()).toEqual(before);

    const no = await cli(["assign-role", "--everyone", ...args], { stdin: "n\n", stdinIsTTY: true });
    expect(no.code).toBe(1);
    expect(no.stdout).toContain("Cancelled: nothing assigned.");
    expect(lacking()).toEqual(before);

    const yes = await cli(["assign-role", "--everyone", "--json", "--yes", ...args]);
    expect(yes.code).toBe(0);
    expect(
      JSON.parse(yes.stdout)
        .assigned.map((u: { name: string }) => u.name)
        .sort(),
    ).toEqual(before);
    expect(lacking()).toEqual([]);
    // Each got its own business unit's copy (Dataverse refuses any other).
    expect(server.org.rolesOf(USER.admin).direct.map((r) => r.roleid)).toContain(ROLE.marketoSync);

    const again = await cli(["assign-role", "--everyone", "--yes", ...args]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Every enabled user has the role Marketo Sync User");
  });

  it("--dry-run lists each assignment the batches would make, and changes nothing", async () => {
    server.reset({ solutionVersion: "4.0.0.13" });
    const before = lacking();
    const r = await cli(["assign-role", "--everyone", "--dry-run", ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Dry run: nothing was changed\./);
    expect(r.stdout.match(/POST \S+\/systemusers\([^)]+\)\/systemuserroles_association\/\$ref/g)).toHaveLength(before.length);
    expect(lacking()).toEqual(before);
  });

  it("from 4.0.0.14 it is refused: the role is the sync user's alone", async () => {
    server.reset({});
    const r = await cli(["assign-role", "--everyone", "--yes", ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("from 4.0.0.14 on only the sync user may have the role Marketo Sync User");
    expect(server.org.rolesOf(USER.admin).direct.map((x) => x.roleid)).not.toContain(ROLE.marketoSync);
  });

  it("remove-role names what to say when neither --others nor --disabled is given", async () => {
    server.reset({});
    const r = await cli(["remove-role", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--disabled");
  });
});
