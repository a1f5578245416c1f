import { shouldRefresh, toPickedUser } from "../../../MarketoConfigControl/services/host";

type Ctx = Parameters<typeof shouldRefresh>[0];
const ctx = (updatedProperties: string[] | undefined) => ({ updatedProperties }) as unknown as Ctx;

describe("host helpers", () => {
  it("normalises the {GUID} a real form gives", () => {
    expect(toPickedUser({ id: "{A0000000-0000-0000-0000-00000000000B}", name: "Marketo Sync", entityType: "systemuser" })).toEqual({
      id: "a0000000-0000-0000-0000-00000000000b",
      name: "Marketo Sync",
    });
    expect(toPickedUser(null)).toBeNull();
  });

  it("reloads when the bound value or the record changed, not on a resize", () => {
    expect(shouldRefresh(ctx(["marketoUser"]))).toBe(true);
    expect(shouldRefresh(ctx(["entityId"]))).toBe(true);
    expect(shouldRefresh(ctx(["layout"]))).toBe(false);
    expect(shouldRefresh(ctx(undefined))).toBe(false);
  });
});
