import * as React from "react";
import { evaluate } from "../../core/setup/evaluate";
import { describeError, type ErrorMessage } from "../../core/setup/messages";
import type { SetupService } from "../../core/setup/service";
import type { CheckItem, SetupInput, SetupState } from "../../core/setup/types";

export interface SetupView {
  state?: SetupState;
  items?: CheckItem[];
  loading: boolean;
  error?: ErrorMessage;
}

/**
 * Loads the setup state whenever the input or `refreshKey` changes. A newer load cancels the
 * older one, so a slow answer never overwrites a fresher one.
 */
export function useSetup(service: SetupService, input: SetupInput | null, refreshKey: number): SetupView & { reload: () => void } {
  const [view, setView] = React.useState<SetupView>({ loading: input !== null });
  const [tick, setTick] = React.useState(0);
  const key = input ? JSON.stringify(input) : "";

  React.useEffect(() => {
    if (!input) {
      setView({ loading: false });
      return undefined;
    }
    const controller = new AbortController();
    setView((v) => ({ ...v, loading: true }));
    service.load(input, controller.signal).then(
      (state) => !controller.signal.aborted && setView({ state, items: evaluate(state), loading: false }),
      (e) => !controller.signal.aborted && setView((v) => ({ ...v, loading: false, error: describeError(e, "load") })),
    );
    return () => controller.abort();
    // `key` stands for `input`: a new object with the same content must not reload.
  }, [service, key, refreshKey, tick]);

  const reload = React.useCallback(() => setTick((t) => t + 1), []);
  return { ...view, reload };
}
