/** --dry-run's request list: what is held back, and how a body is summarised (never a long value). */
import { DryRun, summariseBody } from "../../../cli/dryRun";
import { translator } from "../../../cli/strings";

const API = "https://contoso.crm.dynamics.com/api/data/v9.2/";

describe("DryRun.intercept", () => {
  it("holds back changes to the Web API, answers 204, lists them", () => {
    const plan = new DryRun();
    const answer = plan.intercept("PATCH", `${API}accounts(1)`, JSON.stringify({ name: "x" }));
    expect(answer?.status).toBe(204);
    expect(plan.requests).toEqual([{ method: "PATCH", url: `${API}accounts(1)`, summary: "name=x" }]);
  });

  it("lets reads through: GET, $batch of GETs, and the sign-in (not the Web API)", () => {
    const plan = new DryRun();
    expect(plan.intercept("GET", `${API}accounts`, undefined)).toBeUndefined();
    expect(plan.intercept("POST", `${API}$batch`, "--batch_1")).toBeUndefined();
    expect(plan.intercept("POST", "https://login.microsoftonline.com/t/oauth2/v2.0/token", "client_secret=s3cret")).toBeUndefined();
    expect(plan.requests).toEqual([]);
  });
});

describe("summariseBody", () => {
  it("gives field names and short values; a long value only as its size", () => {
    expect(summariseBody(JSON.stringify({ CustomizationFile: "A".repeat(500), PublishWorkflows: true }))).toBe("CustomizationFile=<500 chars>, PublishWorkflows=true");
    expect(summariseBody("")).toBe("");
    expect(summariseBody("not json")).toBe("<8 chars>");
  });
});

describe("DryRun.text", () => {
  it("says when nothing would be sent, in English and French", () => {
    expect(new DryRun().text(translator("1033"))).toBe("Dry run: nothing would be changed, no request would be sent.\n");
    const plan = new DryRun();
    plan.add("POST", `${API}PublishAllXmlAsync`);
    expect(plan.text(translator("1036"))).toBe(`Simulation : rien n’a été modifié. Cette requête serait envoyée :\n  POST ${API}PublishAllXmlAsync\n`);
  });
});
