/** Names from ControlManifest.Input.xml, in one place so code and manifest cannot drift apart. */
export const ManifestProperties = {
  marketoUser: "marketoUser",
  roleName: "roleName",
  solutionName: "solutionName",
} as const;

export const ManifestDefaults = {
  roleName: "Marketo Sync User",
  solutionName: "Marketo Lead Management",
} as const;
