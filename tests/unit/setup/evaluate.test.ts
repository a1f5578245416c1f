import { DataverseError } from "../../../core/dataverse/errors";
import { attentionCount, checkTitleKey, evaluate, otherRoleHolders, overallStatus } from "../../../core/setup/evaluate";
import type { CheckId, CheckItem, SetupState } from "../../../core/setup/types";
import { compareVersions, roleMustBeExclusive } from "../../../core/setup/version";
import { IDS, passingState, user } from "../../helpers/stateBuilder";
import { readResx } from "../../helpers/resx";

const check = (s: SetupState, id: CheckId): CheckItem => evaluate(s).find((c) => c.id === id)!;
const denied = new DataverseError("privilege", { status: 403, code: "0x80040220", message: "no" });

describe("a complete, correct setup", () => {
  it("passes every check but the informational one", () => {
    const items = evaluate(passingState());
    expect(items.map((i) => i.id)).toEqual([
      "solution.installed",
      "solution.steps",
      "user.selected",
      "user.enabled",
      "user.application",
      "user.role",
      "role.exclusive",
      "user.configRead",
      "publish",
      "filter.field",
    ]);
    expect(items.filter((i) => i.status !== "pass").map((i) => i.id)).toEqual(["filter.field"]);
    expect(overallStatus(items)).toBe("pass");
    expect(check(passingState(), "solution.installed").params).toEqual({ name: "Marketo Lead Management", version: "5.0.2.1" });
    expect(check(passingState(), "user.application").params).toEqual({ clientId: IDS.clientId });
  });
});

describe("solution", () => {
  it("fails when the solution is missing and leaves steps unknown", () => {
    const s = passingState();
    s.solution = { ok: true, value: null };
    expect(check(s, "solution.installed")).toMatchObject({ status: "fail", messageKey: "Check_SolutionMissing" });
    expect(check(s, "solution.steps").status).toBe("unknown");
    expect(check(s, "role.exclusive").status).toBe("unknown");
  });

  it("fails with the disabled step names and offers to enable them", () => {
    const s = passingState();
    s.steps = {
      ok: true,
      value: [
        { id: IDS.step1, name: "Create lead", enabled: false },
        { id: IDS.step2, name: "Update lead", enabled: true },
      ],
    };
    expect(check(s, "solution.steps")).toMatchObject({ status: "fail", fix: "enableSteps", params: { count: 1, total: 2, names: "Create lead" } });
  });

  describe("managed steps that are not customizable", () => {
    const locked = { isManaged: true, isCustomizable: false };

    it("names the locked step on the line and offers the fix only for the others", () => {
      const s = passingState();
      s.steps = {
        ok: true,
        value: [
          { id: IDS.step1, name: "Create lead", enabled: false, ...locked },
          { id: IDS.step2, name: "Update lead", enabled: false, isManaged: true, isCustomizable: true },
        ],
      };
      const item = check(s, "solution.steps");
      expect(item).toMatchObject({ status: "fail", messageKey: "Check_StepsLockedOne", fix: "enableSteps", params: { count: 2, total: 2, names: "Create lead, Update lead", locked: "Create lead" } });
    });

    it("offers no fix when every disabled step is locked", () => {
      const s = passingState();
      s.steps = {
        ok: true,
        value: [
          { id: IDS.step1, name: "Create lead", enabled: false, ...locked },
          { id: IDS.step2, name: "Update lead", enabled: false, ...locked },
        ],
      };
      const item = check(s, "solution.steps");
      expect(item).toMatchObject({ status: "fail", messageKey: "Check_StepsLockedMany", params: { locked: "Create lead, Update lead" } });
      expect(item.fix).toBeUndefined();
    });

    it("does not hold back unmanaged steps, nor steps whose columns were not read", () => {
      const s = passingState();
      s.steps = {
        ok: true,
        value: [
          { id: IDS.step1, name: "Create lead", enabled: false, isManaged: false, isCustomizable: false },
          { id: IDS.step2, name: "Update lead", enabled: false },
        ],
      };
      expect(check(s, "solution.steps")).toMatchObject({ messageKey: "Check_StepsDisabled", fix: "enableSteps" });
      expect(check(s, "solution.steps").params.locked).toBeUndefined();
    });

    it("has its explanations in English and French", () => {
      for (const lang of ["1033", "1036"] as const) {
        const strings = readResx(lang);
        for (const key of ["Check_StepsLockedOne", "Check_StepsLockedMany"]) expect([lang, key, strings.get(key)]).toEqual([lang, key, expect.stringContaining("{locked}")]);
      }
    });

    it("passes when the locked step is enabled: only disabled ones matter", () => {
      const s = passingState();
      s.steps = { ok: true, value: [{ id: IDS.step1, name: "Create lead", enabled: true, ...locked }] };
      expect(check(s, "solution.steps").status).toBe("pass");
    });
  });

  it("warns when the solution has no steps at all", () => {
    const s = passingState();
    s.steps = { ok: true, value: [] };
    expect(check(s, "solution.steps").status).toBe("warn");
  });

  it("is unknown, with the error, when it could not be read", () => {
    const s = passingState();
    s.solution = { ok: false, error: denied };
    expect(check(s, "solution.installed")).toMatchObject({ status: "unknown", error: denied });
  });
});

describe("user.selected", () => {
  it("fails with nothing saved and nothing picked, offering to pick", () => {
    const s = passingState();
    s.savedUserId = { ok: true, value: null };
    s.input.chosenUserId = null;
    s.chosenUser = undefined;
    expect(check(s, "user.selected")).toMatchObject({ status: "fail", fix: "pickUser" });
    expect(check(s, "user.enabled").messageKey).toBe("Check_NoUserYet");
    expect(check(s, "user.role").status).toBe("unknown");
  });

  it("warns while the form holds an unsaved change", () => {
    const s = passingState();
    s.savedUserId = { ok: true, value: IDS.other1 };
    expect(check(s, "user.selected")).toMatchObject({ status: "warn", messageKey: "Check_UserUnsaved" });
    s.savedUserId = { ok: true, value: IDS.syncUser.toUpperCase() };
    expect(check(s, "user.selected").status).toBe("pass");
  });

  it("warns when the field was cleared but not saved", () => {
    const s = passingState();
    s.input.chosenUserId = null;
    expect(check(s, "user.selected").status).toBe("warn");
  });
});

describe("user.credentials (signed in with Marketo's credentials)", () => {
  it("is not part of the checklist in the admin's own session", () => {
    expect(evaluate(passingState()).map((i) => i.id)).not.toContain("user.credentials");
  });

  it("passes when the credentials sign in as the saved Marketo User", () => {
    const s = passingState();
    s.input.signedInAsMarketo = true;
    s.currentUserId = IDS.syncUser.toUpperCase();
    expect(check(s, "user.credentials").status).toBe("pass");
    expect(
      evaluate(s)
        .map((i) => i.id)
        .indexOf("user.credentials"),
    ).toBe(3);
  });

  it("fails, naming both, when they sign in as someone else", () => {
    const s = passingState();
    s.input.signedInAsMarketo = true;
    s.currentUserId = IDS.other1;
    expect(check(s, "user.credentials")).toMatchObject({ status: "fail", fix: "pickUser", params: { name: "Marketo Sync", signedIn: IDS.other1 } });
  });

  it("waits for a saved Marketo User", () => {
    const s = passingState();
    s.input.signedInAsMarketo = true;
    s.savedUserId = { ok: true, value: null };
    expect(check(s, "user.credentials").messageKey).toBe("Check_NoUserYet");
  });
});

describe("user", () => {
  it("fails for a disabled user", () => {
    const s = passingState();
    if (s.chosenUser?.ok) s.chosenUser.value.isDisabled = true;
    expect(check(s, "user.enabled").status).toBe("fail");
  });

  it("warns for a user that is not an application user", () => {
    const s = passingState();
    if (s.chosenUser?.ok) s.chosenUser.value.applicationId = undefined;
    expect(check(s, "user.application").status).toBe("warn");
  });
});

describe("user.role", () => {
  it("fails without the role and offers to assign it", () => {
    const s = passingState();
    if (s.chosenUser?.ok) s.chosenUser.value.directRoleIds = [];
    expect(check(s, "user.role")).toMatchObject({ status: "fail", fix: "assignRole" });
  });

  it("warns when the role comes only through a team", () => {
    const s = passingState();
    if (s.chosenUser?.ok) Object.assign(s.chosenUser.value, { directRoleIds: [], roleTeams: ["Marketing"] });
    expect(check(s, "user.role")).toMatchObject({ status: "warn", fix: "assignRole", params: { teams: "Marketing" } });
  });

  it("passes for any business unit copy of the role, and not for an unrelated role", () => {
    const s = passingState();
    if (s.chosenUser?.ok) s.chosenUser.value.directRoleIds = [IDS.roleChild.toUpperCase()];
    expect(check(s, "user.role").status).toBe("pass");
    if (s.chosenUser?.ok) s.chosenUser.value.directRoleIds = ["99999999-0000-4000-8000-000000000009"];
    expect(check(s, "user.role").status).toBe("fail");
  });

  it("fails without a fix when the role does not exist", () => {
    const s = passingState();
    s.roles = { ok: true, value: [] };
    expect(check(s, "user.role")).toMatchObject({ status: "fail", messageKey: "Check_RoleNotFound" });
    expect(check(s, "user.role").fix).toBeUndefined();
  });
});

describe("role.exclusive and the 4.0.0.14 boundary", () => {
  function withOthers(version: string) {
    const s = passingState();
    if (s.solution.ok && s.solution.value) s.solution.value.version = version;
    if (s.roles.ok) {
      s.roles.value[0].holders.push(user(IDS.other1, "Zoe Admin"), user(IDS.disabledHolder, "Old User", { isDisabled: true }));
      s.roles.value[1].holders.push(user(IDS.other2, "Anna Sales", { businessUnitId: IDS.buChild }));
    }
    return s;
  }

  it("4.0.0.13: informs that all users need the role", () => {
    expect(check(withOthers("4.0.0.13"), "role.exclusive")).toMatchObject({ status: "info", messageKey: "Check_RoleForAllUsers" });
  });

  it.each(["4.0.0.14", "5.0.2.1"])("%s: fails naming the other enabled holders, sorted, and offers removal", (version) => {
    const item = check(withOthers(version), "role.exclusive");
    expect(item).toMatchObject({ status: "fail", fix: "removeRoleFromOthers", params: { count: 2, names: "Anna Sales, Zoe Admin" } });
    expect(item.affectedUsers!.map((u) => u.id)).toEqual([IDS.other2, IDS.other1]);
  });

  it("offers removal only once the sync user is picked and saved, and never lists the saved one", () => {
    const s = withOthers("5.0.2.1");
    s.savedUserId = { ok: true, value: IDS.other1 }; // saved Zoe, picked Marketo Sync: unsaved change
    const item = check(s, "role.exclusive");
    expect(item.status).toBe("fail");
    expect(item.fix).toBeUndefined();
    expect(otherRoleHolders(s).map((u) => u.id)).toEqual([IDS.other2]);
    s.input.chosenUserId = null;
    s.savedUserId = { ok: true, value: null };
    expect(check(s, "role.exclusive").fix).toBeUndefined();
  });

  it("ignores disabled holders and the sync user", () => {
    const s = passingState();
    if (s.roles.ok) s.roles.value[0].holders.push(user(IDS.disabledHolder, "Old", { isDisabled: true }));
    expect(otherRoleHolders(s)).toEqual([]);
    expect(check(s, "role.exclusive").status).toBe("pass");
  });

  it("4.0.0.14: members of a team holding the role count as other holders; the removal takes it from the team", () => {
    const s = passingState();
    const member = user(IDS.other1, "Zoe Admin");
    s.roleTeams = {
      ok: true,
      value: [{ id: "team-1", name: "Marketo Admins", roleIds: [IDS.roleRoot], members: [member, user(IDS.syncUser, "Marketo Sync"), user(IDS.disabledHolder, "Old", { isDisabled: true })] }],
    };
    expect(otherRoleHolders(s).map((u) => u.id)).toEqual([IDS.other1]);
    const item = check(s, "role.exclusive");
    expect(item).toMatchObject({ status: "fail", messageKey: "Check_RoleNotExclusiveTeams", fix: "removeRoleFromOthers", params: { count: 1, names: "Zoe Admin", teams: "Marketo Admins" } });
    expect(item.affectedUsers).toEqual([]);
    // Only the members who lose something are named: not the sync user, not a disabled member.
    expect(item.affectedTeams!.map((t) => [t.name, t.members.map((m) => m.id)])).toEqual([["Marketo Admins", [IDS.other1]]]);
  });

  it("a team whose members are only the sync user (or disabled users) is no problem", () => {
    const s = passingState();
    s.roleTeams = { ok: true, value: [{ id: "team-1", name: "Sync", roleIds: [IDS.roleRoot], members: [user(IDS.syncUser, "Marketo Sync"), user(IDS.other1, "Old", { isDisabled: true })] }] };
    expect(check(s, "role.exclusive").status).toBe("pass");
  });

  it("does not offer to empty a team the sync user still gets the role from (assign it directly first)", () => {
    const s = passingState();
    if (s.chosenUser?.ok) {
      s.chosenUser.value.directRoleIds = [];
      s.chosenUser.value.roleTeams = ["Marketo Admins"];
    }
    s.roleTeams = { ok: true, value: [{ id: "team-1", name: "Marketo Admins", roleIds: [IDS.roleRoot], members: [user(IDS.syncUser, "Marketo Sync"), user(IDS.other1, "Zoe Admin")] }] };
    const item = check(s, "role.exclusive");
    expect(item.status).toBe("fail");
    expect(item.fix).toBeUndefined();
    expect(check(s, "user.role")).toMatchObject({ status: "warn", fix: "assignRole" });
  });

  it("a Microsoft Entra group team holding the role fails the line even with no member listed yet (they get it on first sign-in)", () => {
    const s = passingState();
    s.roleTeams = { ok: true, value: [{ id: "team-g", name: "Marketing (Entra)", roleIds: [IDS.roleRoot], members: [], entraGroup: true }] };
    const item = check(s, "role.exclusive");
    expect(item).toMatchObject({ status: "fail", messageKey: "Check_RoleGroupTeams", fix: "removeRoleFromOthers", params: { teams: "Marketing (Entra)" } });
    expect(item.affectedTeams!.map((t) => [t.id, t.members])).toEqual([["team-g", []]]);
    // An owner team with nobody else in it is no problem; only the group team's unseen members are.
    s.roleTeams = { ok: true, value: [{ id: "team-o", name: "Owners", roleIds: [IDS.roleRoot], members: [] }] };
    expect(check(s, "role.exclusive").status).toBe("pass");
  });

  it("an unreadable team list makes the line unknown, not a pass", () => {
    const s = passingState();
    s.roleTeams = { ok: false, error: new DataverseError("privilege", { status: 403, message: "prvReadTeam" }) };
    expect(check(s, "role.exclusive").status).toBe("unknown");
  });

  it("4.0.0.14: disabled users who keep the role get a warning with their removal; none, no line", () => {
    const s = withOthers("4.0.0.14");
    expect(check(s, "role.disabledHolders")).toMatchObject({ status: "warn", fix: "removeRoleFromDisabled", params: { count: 1, names: "Old User" } });
    expect(check(s, "role.disabledHolders").affectedUsers!.map((u) => u.id)).toEqual([IDS.disabledHolder]);
    expect(evaluate(passingState()).some((i) => i.id === "role.disabledHolders")).toBe(false);
    // Before 4.0.0.14 every user needs the role: a disabled one keeping it is no problem.
    expect(evaluate(withOthers("4.0.0.13")).some((i) => i.id === "role.disabledHolders")).toBe(false);
  });

  describe("before 4.0.0.14, every enabled user needs the role", () => {
    const old = (lacking?: SetupState["usersWithoutRole"]) => {
      const s = withOthers("4.0.0.13");
      s.usersWithoutRole = lacking;
      return s;
    };
    const people = (n: number) => Array.from({ length: n }, (_, i) => user(`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, `User ${String(i).padStart(2, "0")}`));

    it("passes when nobody lacks it", () => {
      expect(check(old({ ok: true, value: [] }), "role.exclusive")).toMatchObject({ status: "pass", messageKey: "Check_RoleEveryoneHas", titleKey: "CheckTitle_role_everyone" });
    });

    it("fails naming who lacks it, and offers to assign it to exactly them", () => {
      const item = check(old({ ok: true, value: people(2) }), "role.exclusive");
      expect(item).toMatchObject({ status: "fail", messageKey: "Check_RoleUsersLack", fix: "assignRoleToEveryone", params: { count: 2, names: "User 00, User 01" } });
      expect(item.affectedUsers).toHaveLength(2);
    });

    it("names ten on the line and counts the rest; the fix still covers everybody", () => {
      const item = check(old({ ok: true, value: people(25) }), "role.exclusive");
      expect(item).toMatchObject({ messageKey: "Check_RoleUsersLackMore", params: { count: 25, more: 15 } });
      expect(String(item.params.names).split(", ")).toHaveLength(10);
      expect(item.affectedUsers).toHaveLength(25);
    });

    it("is unknown when the users could not be read, and informs when they were not read", () => {
      expect(check(old({ ok: false, error: new DataverseError("privilege", { status: 403, message: "x" }) }), "role.exclusive").status).toBe("unknown");
      expect(check(old(undefined), "role.exclusive").status).toBe("info");
    });
  });

  it("compares versions numerically", () => {
    expect(compareVersions("4.0.0.14", "4.0.0.13")).toBe(1);
    expect(compareVersions("4.0.0.9", "4.0.0.14")).toBe(-1);
    expect(compareVersions("5.0.2.1", "4.0.0.14")).toBe(1);
    expect(compareVersions("4.0", "4.0.0.0")).toBe(0);
    expect(roleMustBeExclusive("4.0.0.13")).toBe(false);
    expect(roleMustBeExclusive("4.0.0.14")).toBe(true);
    expect(roleMustBeExclusive("10.0.0.0")).toBe(true);
  });
});

describe("user.configRead", () => {
  it("fails when the sync user cannot read the record", () => {
    const s = passingState();
    s.configReadable = { ok: true, value: false };
    expect(check(s, "user.configRead").status).toBe("fail");
  });

  it("is unknown when the access check failed", () => {
    const s = passingState();
    s.configReadable = { ok: false, error: denied };
    expect(check(s, "user.configRead")).toMatchObject({ status: "unknown", error: denied });
  });
});

describe("publish", () => {
  it("is unknown, with a publish fix, when nothing was published here", () => {
    const s = passingState();
    s.input.publishLog = {};
    expect(check(s, "publish")).toMatchObject({ status: "unknown", fix: "publish" });
  });

  it("fails when a change here is newer than the last publish", () => {
    const s = passingState();
    s.input.publishLog = { lastChangeAt: "2026-11-27T11:00:00Z", lastPublishAt: "2026-11-27T10:00:00Z" };
    expect(check(s, "publish")).toMatchObject({ status: "fail", fix: "publish" });
  });

  it("knows of a publish made elsewhere from the newest Publish All system job", () => {
    const s = passingState();
    s.input.publishLog = {};
    s.lastPublishJobAt = "2026-11-27T09:30:00Z";
    expect(check(s, "publish")).toMatchObject({ status: "pass", params: { time: "2026-11-27T09:30:00Z" } });
    s.configModifiedOn = "2026-11-27T09:45:00Z";
    expect(check(s, "publish")).toMatchObject({ status: "fail", fix: "publish" });
  });

  it("compares each publish with changes on its own clock", () => {
    const s = passingState();
    // This browser's clock runs an hour ahead of the server: a publish made here still clears changes made here.
    s.input.publishLog = { lastChangeAt: "2026-11-27T11:00:00Z", lastPublishAt: "2026-11-27T11:05:00Z" };
    s.lastPublishJobAt = "2026-11-27T10:05:00Z";
    s.configModifiedOn = "2026-11-27T09:00:00Z";
    expect(check(s, "publish").status).toBe("pass");
  });

  it("fails when the record was saved after the last publish", () => {
    const s = passingState();
    s.configModifiedOn = "2026-11-27T12:00:00Z";
    expect(check(s, "publish").status).toBe("fail");
  });
});

describe("filter.field", () => {
  it("lists the tables that have new_synctomkto", () => {
    expect(check(passingState(), "filter.field")).toMatchObject({ status: "info", messageKey: "Check_FilterPresent", params: { tables: "lead" } });
    const s = passingState();
    s.syncFilter = { lead: { ok: true, value: false } };
    expect(check(s, "filter.field").messageKey).toBe("Check_FilterAbsent");
  });
});

describe("overallStatus", () => {
  it("fails on any failure, warns on unknowns, ignores info", () => {
    const s = passingState();
    s.configReadable = { ok: false, error: denied };
    expect(overallStatus(evaluate(s))).toBe("warn");
    s.solution = { ok: true, value: null };
    expect(overallStatus(evaluate(s))).toBe("fail");
  });
});

describe("the checklist says the truth, briefly (issue 13)", () => {
  const en = readResx("1033");
  const title = (item: CheckItem) => en.get(checkTitleKey(item));

  describe("Customizations published", () => {
    it("is needed after a change made here, even when no publish is known at all", () => {
      const s = passingState();
      s.input.publishLog = { lastChangeAt: "2026-11-27T11:00:00Z" };
      expect(check(s, "publish")).toMatchObject({ status: "fail", messageKey: "Check_PublishNeeded", params: { time: "2026-11-27T11:00:00Z" }, fix: "publish" });
    });

    it("is needed after a save of the record, done after a publish", () => {
      const s = passingState();
      s.input.publishLog = {};
      s.lastPublishJobAt = "2026-11-27T09:30:00Z";
      s.configModifiedOn = "2026-11-27T09:45:00Z";
      expect(check(s, "publish")).toMatchObject({ status: "fail", messageKey: "Check_PublishDue" });
      s.input.publishLog = { lastPublishAt: "2026-11-27T10:00:00Z" };
      expect(check(s, "publish")).toMatchObject({ status: "pass", messageKey: "Check_Published" });
      expect(en.get("Check_PublishDue")).toMatch(/^Needed/);
      expect(en.get("Check_PublishNeeded")).toMatch(/^Needed/);
      expect(en.get("Check_Published")).toMatch(/^Done/);
    });

    it("'not known' with everything else passing is all well, and never adds to the count", () => {
      const s = passingState();
      s.input.publishLog = {};
      const items = evaluate(s);
      expect(items.find((i) => i.id === "publish")).toMatchObject({ status: "unknown", advisory: true });
      expect(overallStatus(items)).toBe("pass");
      expect(attentionCount(items)).toBe(0);
      // Something else failing does not make the unknown publish a problem of its own.
      s.configReadable = { ok: true, value: false };
      expect(attentionCount(evaluate(s))).toBe(1);
    });

    it("other unknown lines still need attention", () => {
      const s = passingState();
      s.configReadable = { ok: false, error: denied };
      expect(attentionCount(evaluate(s))).toBe(1);
      expect(overallStatus(evaluate(s))).toBe("warn");
    });
  });

  describe("Read access to this record", () => {
    it("without the role: says assigning it fixes this, and offers that fix", () => {
      const s = passingState();
      s.configReadable = { ok: true, value: false };
      if (s.chosenUser?.ok) s.chosenUser.value.directRoleIds = [];
      const item = check(s, "user.configRead");
      expect(item).toMatchObject({ status: "fail", messageKey: "Check_ConfigNotReadableNoRole", fix: "assignRole", params: { role: "Marketo Sync User" } });
      expect(en.get(item.messageKey)).toMatch(/Assigning the role fixes this/);
    });

    it("with the role: no role fix, the role's privileges are named", () => {
      const s = passingState();
      s.configReadable = { ok: true, value: false };
      const item = check(s, "user.configRead");
      expect(item.fix).toBeUndefined();
      expect(en.get(item.detailKey!)).toMatch(/Read privilege/);
    });
  });

  describe("before 4.0.0.14 the role line is its own rule", () => {
    it("is titled for every user, not 'Nobody else has the role'", () => {
      const s = passingState();
      if (s.solution.ok && s.solution.value) s.solution.value.version = "4.0.0.13";
      const item = check(s, "role.exclusive");
      expect(checkTitleKey(item)).toBe("CheckTitle_role_everyone");
      expect(title(item)).toBe("Role for every user");
      expect(title(item)).not.toMatch(/Nobody else/);
      expect(readResx("1036").get(checkTitleKey(item))).toBe("Rôle pour tous les utilisateurs");
    });

    it("keeps the usual title from 4.0.0.14 on", () => {
      expect(title(check(passingState(), "role.exclusive"))).toBe("Nobody else has the role");
      expect(checkTitleKey("role.exclusive")).toBe("CheckTitle_role_exclusive");
    });
  });

  it("a role through one team reads in the singular", () => {
    const s = passingState();
    if (s.chosenUser?.ok) Object.assign(s.chosenUser.value, { directRoleIds: [], roleTeams: ["Sales"] });
    expect(check(s, "user.role").params).toMatchObject({ teams: "Sales", count: 1 });
  });
});
