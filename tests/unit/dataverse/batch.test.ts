import { decodeBatch, encodeBatch } from "../../../core/dataverse/batch";

describe("encodeBatch", () => {
  it("writes one application/http part per GET, CRLF line endings, closing delimiter", () => {
    const text = encodeBatch([{ path: "WhoAmI()", headers: { Accept: "application/json" } }, { path: "roles?$select=name" }], "batch_abc", "https://org.crm.dynamics.com/api/data/v9.2/");
    expect(text).toBe(
      [
        "--batch_abc",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "",
        "GET https://org.crm.dynamics.com/api/data/v9.2/WhoAmI() HTTP/1.1",
        "Accept: application/json",
        "",
        "--batch_abc",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "",
        "GET https://org.crm.dynamics.com/api/data/v9.2/roles?$select=name HTTP/1.1",
        "",
        "--batch_abc--",
        "",
      ].join("\r\n"),
    );
  });
});

/** Response shape as in the Dataverse docs ("Execute batch operations using the Web API"). */
const response = [
  "--batchresponse_c1bd45c1-dd81-470d-b897-e965846aad2f",
  "Content-Type: application/http",
  "Content-Transfer-Encoding: binary",
  "",
  "HTTP/1.1 200 OK",
  "Content-Type: application/json; odata.metadata=minimal",
  "OData-Version: 4.0",
  "",
  '{"@odata.context":"https://org/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse","UserId":"u1"}',
  "--batchresponse_c1bd45c1-dd81-470d-b897-e965846aad2f",
  "Content-Type: application/http",
  "Content-Transfer-Encoding: binary",
  "",
  "HTTP/1.1 404 Not Found",
  "Content-Type: application/json; odata.metadata=minimal",
  "",
  '{"error":{"code":"0x80040217","message":"Not found"}}',
  "--batchresponse_c1bd45c1-dd81-470d-b897-e965846aad2f--",
  "",
].join("\r\n");

describe("decodeBatch", () => {
  it("returns each part's status, headers and body in order", () => {
    const parts = decodeBatch("multipart/mixed; boundary=batchresponse_c1bd45c1-dd81-470d-b897-e965846aad2f", response);
    expect(parts).toHaveLength(2);
    expect(parts[0].status).toBe(200);
    expect(parts[0].headers["odata-version"]).toBe("4.0");
    expect(JSON.parse(parts[0].body).UserId).toBe("u1");
    expect(parts[1].status).toBe(404);
    expect(JSON.parse(parts[1].body).error.code).toBe("0x80040217");
  });

  it("accepts a quoted boundary and LF-only line endings", () => {
    const parts = decodeBatch('multipart/mixed; boundary="batchresponse_c1bd45c1-dd81-470d-b897-e965846aad2f"', response.replace(/\r\n/g, "\n"));
    expect(parts.map((p) => p.status)).toEqual([200, 404]);
  });

  it("flattens a change set response", () => {
    const text = [
      "--batchresponse_1",
      "Content-Type: multipart/mixed; boundary=changesetresponse_2",
      "",
      "--changesetresponse_2",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "Content-ID: 1",
      "",
      "HTTP/1.1 204 No Content",
      "",
      "",
      "--changesetresponse_2--",
      "--batchresponse_1--",
      "",
    ].join("\r\n");
    expect(decodeBatch("multipart/mixed; boundary=batchresponse_1", text).map((p) => p.status)).toEqual([204]);
  });

  it("refuses a response without a boundary", () => {
    expect(() => decodeBatch("application/json", "{}")).toThrow(/boundary/);
  });
});
