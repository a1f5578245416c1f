/** The structural comparison the devserver shape tests rely on: it must see the drifts it exists for. */
import { contextFragment, multipartSkeleton, protocolShape, shapeDiff } from "./shape";
import { batchContinuedResponse, batchResponse, batchStoppedResponse, changeSetResponse, whoAmI } from "./examples";

const who = JSON.parse(whoAmI.body);

describe("shapeDiff", () => {
  it("accepts other values of the same types", () => {
    expect(shapeDiff(who, { ...who, UserId: "a0000000-0000-0000-0000-000000000001" })).toEqual([]);
  });

  it("names missing, extra and retyped properties", () => {
    const { BusinessUnitId: _dropped, ...rest } = who;
    expect(shapeDiff(who, { ...rest, UserId: null, Extra: 1 })).toEqual(["$.BusinessUnitId: missing", "$.UserId: string in the example, null here", "$.Extra: not in the example"]);
    expect(shapeDiff(who, { ...who, Extra: 1 }, ["Extra"])).toEqual([]);
  });

  it("holds every array item to the example's first", () => {
    expect(shapeDiff({ a: [{ x: "s" }] }, { a: [{ x: "t" }, { x: 2 }] })).toEqual(["$.a[1].x: string in the example, number here"]);
  });

  it("contextFragment keeps what follows $metadata#", () => {
    expect(contextFragment(who)).toBe("$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse");
  });

  it("protocolShape keeps annotations, value and error only", () => {
    expect(protocolShape({ "@odata.context": "x", value: [{ "@odata.etag": "e", name: "n" }] })).toEqual({ "@odata.context": "string", value: [{ "@odata.etag": "string" }] });
  });
});

describe("multipartSkeleton", () => {
  const skeleton = (e: typeof batchResponse, body = e.body) => multipartSkeleton(e.headers["Content-Type"], body);

  it("is the same for two responses that differ only in boundaries, ids and values", () => {
    const other = batchResponse.body.replace(/01346794-f2e2-4d45-8cc2-f97e09fe8916/g, "9f0e1d2c-3b4a-5968-8776-a5b4c3d2e1f0").replace(/Task 1/g, "Other");
    expect(multipartSkeleton(batchResponse.headers["Content-Type"].replace("01346794-f2e2-4d45-8cc2-f97e09fe8916", "9f0e1d2c-3b4a-5968-8776-a5b4c3d2e1f0"), other)).toEqual(skeleton(batchResponse));
  });

  it("sees a change set, a missing header, another content type, a lost blank line and bare LFs", () => {
    const base = skeleton(batchResponse);
    expect(skeleton(changeSetResponse)).not.toEqual(base);
    expect(skeleton(batchResponse, batchResponse.body.replace(/OData-EntityId: [^\r]*\r\n/, ""))).not.toEqual(base);
    expect(skeleton(batchResponse, batchResponse.body.replace("; odata.streaming=true", ""))).not.toEqual(base);
    expect(skeleton(batchResponse, batchResponse.body.replace("\r\n\r\n\r\n--batchresponse", "\r\n\r\n--batchresponse"))).not.toEqual(base);
    expect(skeleton(batchResponse, batchResponse.body.replace(/\r\n/g, "\n"))).not.toEqual(base);
  });

  it("tells an error part (REQ_ID, no streaming) from a result part", () => {
    const [error] = skeleton(batchStoppedResponse).filter((t) => t.startsWith("headers"));
    expect(error).toBe("headers content-type=application/json; odata.metadata=minimal | odata-version=4.0 | req_id");
    expect(skeleton(batchContinuedResponse).filter((t) => t.startsWith("HTTP/1.1"))).toEqual(["HTTP/1.1 400 Bad Request", "HTTP/1.1 204 No Content"]);
  });
});
