/**
 * Large organisations for benchmarks: the demo org plus N generated users and M generated roles
 * (one copy per business unit, as Dataverse keeps them). Deterministic: same sizes, same ids.
 */
import type { Fixture, Row } from "./fixture";
import { buildDemoFixture } from "./fixtures/demo";
import { BU } from "./fixtures/ids";

export interface GenerateOptions {
  users?: number;
  roles?: number;
  /** Share of generated users that are application users (0–1). */
  appUserShare?: number;
  /** Generated users holding the Marketo role directly. */
  roleHolders?: number;
}

// 8-4-4-4-12: a well-formed GUID, so ids read back from the stand-in can be sent to it again.
const hex = (prefix: string, n: number) =>
  `${prefix}-0000-0000-${n
    .toString(16)
    .padStart(16, "0")
    .replace(/^(.{4})(.{12})$/, "$1-$2")}`;

const FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hal", "Ida", "Jon", "Kai", "Lea", "Max", "Nia", "Oz", "Pia"];
const LAST = ["Archer", "Baker", "Carter", "Dalton", "Ellis", "Foster", "Grant", "Hayes", "Irwin", "Jensen", "Keller", "Lopez"];

export function generateLargeOrg(options: GenerateOptions = {}): Fixture {
  const users = options.users ?? 100_000;
  const roles = options.roles ?? 2_000;
  const appShare = options.appUserShare ?? 0.02;
  const roleHolders = options.roleHolders ?? 50;
  const f = buildDemoFixture();
  f.name = `generated-${users}-users-${roles}-roles`;
  const bus = [BU.contoso, BU.europe];
  const marketoRole = f.records.role.find((r) => r.name === "Marketo Sync User" && r._businessunitid_value === BU.contoso)!;
  const appEvery = appShare > 0 ? Math.max(1, Math.round(1 / appShare)) : 0;
  for (let i = 1; i <= users; i++) {
    const id = hex("a1000000", i);
    const isApp = appEvery > 0 && i % appEvery === 0;
    const fullname = isApp ? `Integration ${i}` : `${FIRST[i % FIRST.length]} ${LAST[(i >> 4) % LAST.length]} ${i}`;
    const row: Row = {
      systemuserid: id,
      fullname,
      domainname: `user${i}@contoso.onmicrosoft.com`,
      internalemailaddress: `user${i}@contoso.com`,
      applicationid: isApp ? hex("c2000000", i) : null,
      azureactivedirectoryobjectid: hex("ad100000", i),
      accessmode: isApp ? 4 : 0,
      isdisabled: i % 37 === 0,
      islicensed: !isApp,
      _businessunitid_value: bus[i % 2 === 0 ? 0 : 1],
    };
    f.records.systemuser.push(row);
    if (i <= roleHolders && row._businessunitid_value === BU.contoso) f.associations.systemuserroles_association.push([id, marketoRole.roleid as string]);
  }
  for (let i = 1; i <= roles; i++) {
    const root = hex("42000000", i * 2);
    f.records.role.push({ roleid: root, name: `Generated Role ${i}`, _businessunitid_value: BU.contoso, _parentrootroleid_value: root });
    f.records.role.push({ roleid: hex("42000000", i * 2 + 1), name: `Generated Role ${i}`, _businessunitid_value: BU.europe, _parentrootroleid_value: root });
  }
  return f;
}
