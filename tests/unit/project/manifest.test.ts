import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_ROLE_NAME, DEFAULT_SOLUTION_NAME } from "../../../core/setup/defaults";
import { ManifestProperties } from "../../../MarketoConfigControl/manifest";

const xml = readFileSync(join(__dirname, "..", "..", "..", "MarketoConfigControl", "ControlManifest.Input.xml"), "utf8");
const defaultOf = (name: string) => new RegExp(`<property name="${name}"[^>]*default-value="([^"]*)"`).exec(xml)?.[1];

describe("ControlManifest.Input.xml and the code agree", () => {
  it("on the property names", () => {
    for (const name of Object.values(ManifestProperties)) expect(xml).toContain(`<property name="${name}"`);
  });

  it("on the default role and solution names the CLI uses too", () => {
    expect(defaultOf(ManifestProperties.roleName)).toBe(DEFAULT_ROLE_NAME);
    expect(defaultOf(ManifestProperties.solutionName)).toBe(DEFAULT_SOLUTION_NAME);
  });
});
