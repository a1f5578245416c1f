/**
 * The stand-in reads queries as Dataverse does: expanded collections cut at 5,000 rows with
 * `<nav>@odata.nextLink` (join-tables.md), the options Dataverse refuses refused with its codes,
 * query strings split and decoded as the service reads them (filter-rows.md, "URL encode special
 * characters"), and a null `@odata.bind` clearing a lookup.
 */
import { randomUUID } from "node:crypto";
import { DataverseClient } from "../../../core/dataverse/client";
import { DevServer } from "../../../devserver/server";
import { generateLargeOrg } from "../../../devserver/generate";
import { CONFIG, ROLE, USER } from "../../../devserver/fixtures/ids";
import { API, Collection, call, get, query, start } from "./helpers";

jest.setTimeout(60_000);

type Row = Record<string, unknown>;

describe("expanded collections", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it("adds <nav>@odata.nextLink to each expanded collection of an entity-set read: the related collection's URL with the expand's options", async () => {
    const r = await get<Collection>(server, `roles${query({ $select: "name", $filter: "name eq 'Marketo Sync User'", $expand: "systemuserroles_association($select=fullname)" })}`);
    expect(r.status).toBe(200);
    const role = r.body.value.find((x) => x.roleid === ROLE.marketoSync)!;
    const link = role["systemuserroles_association@odata.nextLink"] as string;
    expect(link).toBe(`${server.url}${API}roles(${ROLE.marketoSync})/systemuserroles_association?$select=fullname`);
    const again = await get<Collection>(server, link);
    expect(again.status).toBe(200);
    expect(again.body.value.map((u) => u.fullname).sort()).toEqual((role.systemuserroles_association as Row[]).map((u) => u.fullname).sort());
    expect(again.body["@odata.nextLink"]).toBeUndefined();
  });

  it("adds no link to an expansion of one record that was not cut", async () => {
    const r = await get(server, `roles(${ROLE.marketoSync})${query({ $select: "name", $expand: "systemuserroles_association($select=fullname)" })}`);
    expect(r.body.systemuserroles_association).toEqual(expect.any(Array));
    expect(r.body["systemuserroles_association@odata.nextLink"]).toBeUndefined();
  });

  it("with a nested $expand, pages each expanded collection at odata.maxpagesize, the link carrying a $skiptoken", async () => {
    // As Microsoft's example: a one-to-many collection with a many-to-one expand nested in it.
    const expand = "business_unit_system_users($select=fullname;$expand=businessunitid($select=name))";
    const r = await get<Collection>(server, `businessunits${query({ $select: "name", $filter: "name eq 'Contoso'", $expand: expand })}`, { Prefer: "odata.maxpagesize=1" });
    expect(r.status).toBe(200);
    const unit = r.body.value[0];
    const users = server.org.related(
      server.org.entity("businessunit"),
      server.org.get("businessunit", String(unit.businessunitid))!,
      server.org.navigation(server.org.entity("businessunit"), "business_unit_system_users")!,
    );
    expect(users.length).toBeGreaterThan(1);
    expect(unit.business_unit_system_users).toHaveLength(1);
    const link = unit["business_unit_system_users@odata.nextLink"] as string;
    expect(link).toMatch(/\?\$select=fullname&\$expand=businessunitid\(\$select=name\)&\$skiptoken=/);
    const rest: Row[] = [];
    for (let next: string | undefined = link; next;) {
      const page: { body: Collection; status: number } = await get<Collection>(server, next, { Prefer: "odata.maxpagesize=1" });
      expect(page.status).toBe(200);
      rest.push(...page.body.value);
      next = page.body["@odata.nextLink"];
    }
    const seen = [...(unit.business_unit_system_users as Row[]), ...rest].map((u) => u.systemuserid).sort();
    expect(seen).toEqual(users.map((u) => u.systemuserid).sort());
  });
});

describe("an expanded collection of more than 5,000 rows", () => {
  let server: DevServer;
  let holderIds: string[];
  beforeAll(async () => {
    // 12,000 generated users; every second one (its business unit's) holds the role: 6,000 holders.
    server = await start({ fixture: generateLargeOrg({ users: 12_000, roles: 0, roleHolders: 12_000 }) });
    holderIds = [...server.org.links.get("systemuserroles_association")!].filter((p) => p.endsWith(`|${ROLE.marketoSync}`)).map((p) => p.split("|")[0]);
  });
  afterAll(() => server.close());

  it("returns 5,000 rows and a link that answers all of them, 5,000 a page", async () => {
    expect(holderIds.length).toBeGreaterThan(6000);
    const r = await get<Collection>(server, `roles${query({ $select: "name", $filter: `roleid eq ${ROLE.marketoSync}`, $expand: "systemuserroles_association($select=systemuserid)" })}`);
    const role = r.body.value[0];
    expect(role.systemuserroles_association).toHaveLength(5000);
    const link = role["systemuserroles_association@odata.nextLink"] as string;
    expect(link).not.toContain("skiptoken");
    const pages: number[] = [];
    const ids: string[] = [];
    for (let next: string | undefined = link; next;) {
      const page: { body: Collection } = await get<Collection>(server, next);
      pages.push(page.body.value.length);
      ids.push(...page.body.value.map((u) => String(u.systemuserid)));
      next = page.body["@odata.nextLink"];
    }
    expect(pages).toEqual([5000, holderIds.length - 5000]);
    expect(ids.sort()).toEqual([...holderIds].sort());
  });

  it("cuts the expansion of one record too, and then links it", async () => {
    const r = await get(server, `roles(${ROLE.marketoSync})${query({ $select: "name", $expand: "systemuserroles_association($select=systemuserid)" })}`);
    expect(r.body.systemuserroles_association).toHaveLength(5000);
    expect(r.body["systemuserroles_association@odata.nextLink"]).toBe(`${server.url}${API}roles(${ROLE.marketoSync})/systemuserroles_association?$select=systemuserid`);
  });
});

describe("options Dataverse refuses", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  const refused: Array<[string, string, string, RegExp]> = [
    ["$skip", `systemusers?$select=fullname&$top=5&$skip=5`, "0x80060888", /\$skip is not supported/],
    ["$skip inside $expand", `roles?$expand=systemuserroles_association($skip=1)`, "0x80060888", /\$skip is not supported/],
    ["$count inside $expand", `roles?$expand=systemuserroles_association($select=fullname;$count=true)`, "0x80060888", /\$count is not supported inside \$expand/],
    [
      "$top with a nested $expand",
      `businessunits?$expand=business_unit_system_users($select=fullname;$top=2;$expand=businessunitid($select=name))`,
      "0x80060888",
      /^Only \$select and \$filter clause can be provided while doing \$expand on many-to-one relationship or nested one-to-many relationship\.$/,
    ],
    ["$orderby with a nested $expand", `businessunits?$expand=business_unit_system_users($orderby=fullname;$expand=businessunitid($select=name))`, "0x80060888", /^Only \$select and \$filter/],
    ["$top on a lookup", `systemusers?$expand=businessunitid($top=1)`, "0x80060888", /^Only \$select and \$filter/],
    // join-tables.md, "Supported Relationship types for $expand": N:N only beside N:N, never nested.
    ["N:N beside N:1", `systemusers?$select=fullname&$expand=systemuserroles_association($select=name),businessunitid($select=name)`, "0x80060888", /many-to-many relationship, cannot be combined/],
    [
      "N:N with a nested N:1",
      `teams?$select=name&$expand=teammembership_association($select=fullname;$expand=businessunitid($select=name))`,
      "0x80060888",
      /many-to-many relationship, cannot be used with a nested \$expand/,
    ],
    [
      "16 $expand",
      `systemusers(${USER.maria})?$expand=${Array.from({ length: 16 }, () => "businessunitid($select=name)").join(",")}`,
      "0x8004430D",
      /^Number of link entities in query exceeded maximum limit\.$/,
    ],
  ];
  it.each(refused)("%s", async (_name, path, code, message) => {
    const r = await get(server, path);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code, message: expect.stringMatching(message) } });
  });

  it("accepts many-to-many expands side by side, and one-to-many beside many-to-one, nested", async () => {
    expect((await get(server, `teams?$select=name&$expand=teamroles_association($select=name),teammembership_association($select=fullname)`)).status).toBe(200);
    expect((await get(server, `businessunits?$select=name&$expand=business_unit_system_users($select=fullname;$expand=businessunitid($select=name)),parentbusinessunitid($select=name)`)).status).toBe(
      200,
    );
  });

  it("still accepts $top and $orderby in a single $expand, and 15 of them", async () => {
    const r = await get<Collection>(server, `roles?$select=name&$expand=systemuserroles_association($select=fullname;$orderby=fullname desc;$top=1)`);
    expect(r.status).toBe(200);
    const fifteen = await get(server, `systemusers(${USER.maria})?$select=fullname&$expand=${Array.from({ length: 15 }, () => "businessunitid($select=name)").join(",")}`);
    expect(fifteen.status).toBe(200);
  });
});

describe("query strings, read as the service reads them", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  function addUser(fullname: string): string {
    const entity = server.org.entity("systemuser");
    const id = randomUUID();
    server.org.insert(entity, { ...server.org.get("systemuser", USER.maria)!, systemuserid: id, fullname, internalemailaddress: null, domainname: null });
    return id;
  }
  const found = async (rawFilter: string) => {
    const r = await get<Collection>(server, `systemusers?$select=fullname&$filter=${rawFilter}`);
    return { status: r.status, ids: r.body.value?.map((u) => u.systemuserid) };
  };

  it("a raw '&' ends the option: the literal is cut and the query refused", async () => {
    const id = addUser("Q&Z bot");
    expect((await found("contains(fullname,'Q&Z')")).status).toBe(400);
    expect(await found("contains(fullname,'Q%26Z')")).toEqual({ status: 200, ids: [id] });
  });

  it("a raw '+' is a space", async () => {
    const plus = addUser("a+b");
    const space = addUser("a b");
    expect(await found("fullname eq 'a+b'")).toEqual({ status: 200, ids: [space] });
    expect(await found("fullname eq 'a%2Bb'")).toEqual({ status: 200, ids: [plus] });
  });

  it("a raw '#' in a $batch part starts the fragment: the rest of the query is lost", async () => {
    addUser("No #1");
    const client = new DataverseClient({ orgUrl: server.url, maxRetries: 0 });
    const [raw, encoded] = await client.batchGet([`systemusers?$select=fullname&$filter=contains(fullname,'No #1')`, `systemusers?$select=fullname&$filter=contains(fullname,'No %231')`]);
    expect(raw.ok).toBe(false);
    expect(raw.status).toBe(400);
    expect(encoded.ok).toBe(true);
    expect((encoded.data as Collection).value).toHaveLength(1);
  });
});

describe("writes", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it('"nav@odata.bind": null in a PATCH clears a single-valued lookup', async () => {
    const record = () => server.org.get("mkto_marketoconfig", CONFIG.defaultRecord)!;
    await call(server, "PATCH", `mkto_marketoconfigs(${CONFIG.defaultRecord})`, { "mkto_marketouserid@odata.bind": `/systemusers(${USER.marketoSync})` }, { "If-Match": "*" });
    expect(record()._mkto_marketouserid_value).toBe(USER.marketoSync);
    const before = Number(record().versionnumber);
    const cleared = await call(server, "PATCH", `mkto_marketoconfigs(${CONFIG.defaultRecord})`, { "mkto_marketouserid@odata.bind": null }, { "If-Match": "*" });
    expect(cleared.status).toBe(204);
    expect(record()._mkto_marketouserid_value).toBeNull();
    expect(Number(record().versionnumber)).toBeGreaterThan(before);
    const notAUri = await call(server, "PATCH", `mkto_marketoconfigs(${CONFIG.defaultRecord})`, { "mkto_marketouserid@odata.bind": 42 });
    expect(notAUri.status).toBe(400);
  });
});
