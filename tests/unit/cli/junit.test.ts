/** The JUnit report stays well-formed XML whatever the texts hold (quotes, markup, control characters). */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { junitXml, xmlEscape } from "../../../cli/junit";
import type { EnvironmentResult } from "../../../cli/environments";

describe("junitXml", () => {
  it("escapes markup and drops characters XML does not allow", () => {
    expect(xmlEscape(`a<b>&"c'\u0001\u0008d`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;d");
    const results: EnvironmentResult[] = [
      {
        environment: { name: `prod "<eu>" & co`, url: "https://contoso.crm4.dynamics.com" },
        exitCode: 1,
        result: {
          checks: [
            { id: "solution.steps", status: "fail", title: "Plugin steps", message: "1 of 6 <disabled> \u0007 & off" },
            { id: "user.saved", status: "pass", title: "Marketo User", message: "ok" },
            { id: "role.held", status: "unknown", title: "Sync role", message: "Choose the Marketo User first." },
            { id: "publish", status: "error", title: "Published", message: "HTTP 500" },
            { id: "filter", status: "warn", title: "Filter", message: "warned ]]>" },
          ],
        },
      },
      { environment: { name: "dev", url: "http://127.0.0.1:1" }, exitCode: 3, error: { key: "Cli_ConnectionRefused", message: "Refused", hint: null, details: "ECONNREFUSED" } },
    ];
    const xml = junitXml("verify", results, Date.parse("2026-12-02T10:00:00Z"));
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    expect(doc.testsuites).toMatchObject({ tests: "6", failures: "1", errors: "2", skipped: "1" });
    expect(doc.testsuites.testsuite[0]).toMatchObject({ name: `prod "<eu>" & co`, tests: "5", failures: "1", errors: "1", skipped: "1" });
    expect(doc.testsuites.testsuite[1].testcase).toMatchObject({ name: "verify", error: { message: "Refused" } });
  });
});
