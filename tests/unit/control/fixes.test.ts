/** The one table of fixes (core/setup/fixes.ts): every string it names exists, every command runs. */
import { Writable, Readable } from "node:stream";
import { FIX_COMMANDS, FIXES, FIX_IDS, fixCommand } from "../../../core/setup/fixes";
import { ALL_REQUIRED_PRIVILEGES, blockedFixes, missingPrivileges } from "../../../core/setup/privileges";
import { run } from "../../../cli/main";
import { passingState } from "../../helpers/stateBuilder";
import { readResx } from "../../helpers/resx";

const en = readResx("1033");

describe.each(FIX_IDS)("%s", (fix) => {
  const spec = FIXES[fix];

  it("has its label, done and privilege strings", () => {
    expect(en.has(spec.labelKey)).toBe(true);
    if (spec.doneKey) expect(en.has(spec.doneKey)).toBe(true);
    if (spec.operation) expect(en.has(`Privilege_${spec.operation}`)).toBe(true);
    if (spec.privileges.length) expect(spec.operation).toBeDefined();
  });

  it("names a CLI command with the options it says", async () => {
    const [name, ...rest] = FIX_COMMANDS[fix].split(" ");
    let out = "";
    const stdout = new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) });
    const code = await run([name, "--help"], { stdout, stderr: stdout, stdin: Readable.from([]), env: {} });
    expect(code).toBe(0);
    for (const word of rest.filter((w) => w.startsWith("--"))) expect(out).toContain(word);
    expect(fixCommand(fix)).toBe(`marketo-dynamics ${FIX_COMMANDS[fix]}`);
  });
});

describe("privileges", () => {
  it("the load asks for every privilege a fix needs, once", () => {
    expect([...ALL_REQUIRED_PRIVILEGES].sort()).toEqual(["prvAssignRole", "prvCreateUser", "prvPublishCustomization", "prvReadBusinessUnit", "prvReadRole", "prvWriteSdkMessageProcessingStep"]);
  });

  it("says which fixes the admin's roles block, ignoring case", () => {
    const state = passingState();
    state.adminPrivileges = { ok: true, value: ["PRVREADROLE", "prvAssignRole"] };
    expect(missingPrivileges(state, "assignRole")).toEqual([]);
    expect(blockedFixes(state)).toEqual({ enableSteps: ["prvWriteSdkMessageProcessingStep"], publish: ["prvPublishCustomization"], createAppUser: ["prvCreateUser", "prvReadBusinessUnit"] });
  });

  it("blocks nothing when the privileges could not be read", () => {
    const state = passingState();
    state.adminPrivileges = undefined;
    expect(blockedFixes(state)).toEqual({});
  });
});
