/**
 * The organisations `npm start` can show (`?fixture=…`): the demo org and variants derived from it,
 * so a newcomer can see the control on a setup that is wrong, right, old or incomplete.
 */
import type { Fixture } from "../fixture";
import type { FixtureChoice } from "../server";
import { loadFixture } from "../server";

/** Removes the Marketo solution and its components: the org before Marketo's step 1. */
function withoutSolution(fixture: Fixture): Fixture {
  const f = structuredClone(fixture);
  const solutionId = f.marketo?.solutionId;
  if (!solutionId) throw new Error(`Fixture '${f.name}' has no "marketo" section: cannot remove its solution`);
  f.records.solution = (f.records.solution ?? []).filter((s) => s.solutionid !== solutionId);
  f.records.solutioncomponent = (f.records.solutioncomponent ?? []).filter((c) => c._solutionid_value !== solutionId);
  f.name += "-no-solution";
  return f;
}

export const FIXTURES: Record<string, { description: string; choice: () => FixtureChoice }> = {
  demo: { description: "the demo org: nothing set up yet", choice: () => ({ fixture: "demo-org" }) },
  "all-correct": { description: "the demo org with everything already right", choice: () => ({ fixture: "demo-org", allCorrect: true }) },
  "solution-4.0.0.13": { description: "Marketo solution 4.0.0.13 (every user needs the role)", choice: () => ({ fixture: "demo-org", solutionVersion: "4.0.0.13" }) },
  "no-solution": { description: "the Marketo solution is not installed", choice: () => ({ fixture: withoutSolution(loadFixture("demo-org")) }) },
  "other-names": { description: "another publisher's Marketo Config table and lookup names", choice: () => ({ fixture: "other-names-org" }) },
};

export const FIXTURE_NAMES = Object.keys(FIXTURES);
