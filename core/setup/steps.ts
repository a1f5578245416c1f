/**
 * Which plugin steps may be enabled here. A step of a managed solution whose "Can be customized"
 * managed property is off (`iscustomizable.Value` false) cannot be updated, so not enabled either:
 * only a solution from the same publisher may change it (Power Platform ALM docs, "Use managed
 * properties"; column reference: powerapps-docs reference/entities/sdkmessageprocessingstep.md).
 * Managed properties do not bind unmanaged components. A step whose columns were not read is
 * treated as changeable: trying costs one refused request at worst.
 */
import type { PluginStep } from "./types";

export const isLockedStep = (step: PluginStep): boolean => step.isManaged === true && step.isCustomizable === false;

/** Disabled steps, split into those this tool can enable and those only Marketo's solution can. */
export function disabledSteps(steps: PluginStep[]): { fixable: PluginStep[]; locked: PluginStep[] } {
  const disabled = steps.filter((s) => !s.enabled);
  return { fixable: disabled.filter((s) => !isLockedStep(s)), locked: disabled.filter(isLockedStep) };
}
