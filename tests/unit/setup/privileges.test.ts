import { DataverseError } from "../../../core/dataverse/errors";
import { missingPrivileges } from "../../../core/setup/privileges";
import { passingState } from "../../helpers/stateBuilder";

describe("missingPrivileges", () => {
  it("names what the admin lacks for each fix", () => {
    const s = passingState();
    s.adminPrivileges = { ok: true, value: ["prvReadRole", "prvWriteSdkMessageProcessingStep"] };
    expect(missingPrivileges(s, "assignRole")).toEqual(["prvAssignRole"]);
    expect(missingPrivileges(s, "removeRoleFromOthers")).toEqual(["prvAssignRole"]);
    expect(missingPrivileges(s, "enableSteps")).toEqual([]);
    expect(missingPrivileges(s, "publish")).toEqual(["prvPublishCustomization"]);
    expect(missingPrivileges(s, "pickUser")).toEqual([]);
  });

  it("compares names without regard to case", () => {
    const s = passingState();
    s.adminPrivileges = { ok: true, value: ["PRVPUBLISHCUSTOMIZATION"] };
    expect(missingPrivileges(s, "publish")).toEqual([]);
  });

  it("blocks nothing when the privileges could not be read: the server decides", () => {
    const s = passingState();
    s.adminPrivileges = { ok: false, error: new DataverseError("privilege", { status: 403, message: "no" }) };
    expect(missingPrivileges(s, "assignRole")).toEqual([]);
    s.adminPrivileges = undefined;
    expect(missingPrivileges(s, "publish")).toEqual([]);
  });
});
