import { readFileSync } from "node:fs";
import { join } from "node:path";
import { reliabilityTable } from "../../integration/faults/scenarios";

const readme = readFileSync(join(__dirname, "..", "..", "..", "README.md"), "utf8");

describe("README", () => {
  it("gives the test command", () => {
    expect(readme).toContain("npm test");
  });

  it("lists exactly the fault scenarios the reliability suite runs", () => {
    // The table is reliabilityTable()'s output: paste it into the README's Reliability section.
    expect(readme).toContain(reliabilityTable());
  });
});
