import { fieldLock, isReadOnly, shouldRefresh, toPickedUser } from "../../../MarketoConfigControl/services/host";

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

  it("while the form holds a Marketo User the last load did not see saved, an updateView naming nothing reloads (a save); one naming layout does not", () => {
    const holding = (updatedProperties: string[], id: string | null) =>
      ({ updatedProperties, parameters: { marketoUser: { raw: id ? [{ id: `{${id.toUpperCase()}}`, name: "x", entityType: "systemuser" }] : [] } } }) as unknown as Ctx;
    const picked = "a0000000-0000-0000-0000-000000000004";
    const saved = "a0000000-0000-0000-0000-000000000002";
    expect(shouldRefresh(holding([], picked), saved)).toBe(true);
    expect(shouldRefresh(holding([], null), saved)).toBe(true);
    expect(shouldRefresh(holding(["layout"], picked), saved)).toBe(false);
    // Saved as held, or no load yet: nothing to catch up with.
    expect(shouldRefresh(holding([], saved), saved)).toBe(false);
    expect(shouldRefresh(holding([], picked), undefined)).toBe(false);
  });
});

describe("why the Marketo User field is locked", () => {
  const form = (isControlDisabled: boolean, editable: boolean | undefined) =>
    ({ mode: { isControlDisabled }, parameters: { marketoUser: { security: editable === undefined ? undefined : { editable, readable: true, secured: !editable } } } }) as unknown as Ctx;

  it("names field security apart from a read-only form; the field's rule stays isControlDisabled || !editable", () => {
    expect(fieldLock(form(false, true))).toBeNull();
    expect(fieldLock(form(false, undefined))).toBeNull();
    expect(fieldLock(form(false, false))).toBe("fieldSecurity");
    expect(fieldLock(form(true, false))).toBe("fieldSecurity");
    expect(fieldLock(form(true, true))).toBe("readOnlyForm");
    expect([form(false, true), form(false, false), form(true, true), form(true, false)].map(isReadOnly)).toEqual([false, true, true, true]);
  });
});
