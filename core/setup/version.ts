/** Dataverse solution versions: `major.minor.build.revision`, compared numerically part by part. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((p) => parseInt(p, 10) || 0);
  const pb = b.split(".").map((p) => parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** From this Marketo solution version on, only the sync user may hold the role (Adobe, step 2 of 3). */
export const EXCLUSIVE_ROLE_FROM_VERSION = "4.0.0.14";

export function roleMustBeExclusive(solutionVersion: string): boolean {
  return compareVersions(solutionVersion, EXCLUSIVE_ROLE_FROM_VERSION) >= 0;
}
