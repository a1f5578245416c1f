import { DEFAULT_ROLE_NAME, DEFAULT_SOLUTION_NAME } from "../core/setup/defaults";

/** Names from ControlManifest.Input.xml, in one place so code and manifest cannot drift apart. */
export const ManifestProperties = {
  marketoUser: "marketoUser",
  roleName: "roleName",
  solutionName: "solutionName",
} as const;

export const ManifestDefaults = {
  roleName: DEFAULT_ROLE_NAME,
  solutionName: DEFAULT_SOLUTION_NAME,
} as const;
