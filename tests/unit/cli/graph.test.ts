/**
 * Graph's `$filter` string literals: the app's display name is the admin's text (--app-name), so it
 * is escaped by core's one OData escaping function (core/dataverse/odata.ts `literal()`), not by a
 * copy of it.
 */
import * as odata from "../../../core/dataverse/odata";
import type { FetchLike } from "../../../core/dataverse/client";
import { GraphClient } from "../../../cli/graph";
import type { CommandRuntime } from "../../../cli/network";

const runtime: CommandRuntime = {
  signal: new AbortController().signal,
  abort: () => undefined,
  clock: { now: () => 0, after: () => () => undefined, every: () => () => undefined },
  verbose: false,
};

function client() {
  const urls: string[] = [];
  const fetchImpl: FetchLike = async (url) => {
    urls.push(url);
    return new Response(JSON.stringify({ value: [] }), { status: 200, headers: { "Content-Type": "application/json" } });
  };
  return { graph: new GraphClient("http://127.0.0.1:1/graph/v1.0", async () => "token", fetchImpl, runtime), urls };
}

afterEach(() => jest.restoreAllMocks());

describe("GraphClient $filter literals", () => {
  it("escapes the display name and the app id with core's literal()", async () => {
    const spy = jest.spyOn(odata, "literal");
    const { graph, urls } = client();
    await graph.applicationsNamed("O'Brien & Co #1");
    await graph.servicePrincipalOf("it's");
    expect(spy.mock.calls.map((c) => c[0])).toEqual(["O'Brien & Co #1", "it's"]);
    expect(new URL(urls[0]).searchParams.get("$filter")).toBe("displayName eq 'O''Brien & Co #1'");
    expect(new URL(urls[1]).searchParams.get("$filter")).toBe("appId eq 'it''s'");
  });
});
