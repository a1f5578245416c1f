import * as React from "react";
import { isDataverseError } from "../../core/dataverse/errors";
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
  // The input by content: a new object with the same content must not reload.
  const key = input ? JSON.stringify(input) : null;

  // A new load (or none) shows at once, while rendering: React's way for state that follows props.
  const request = key === null ? null : JSON.stringify([key, refreshKey, tick]);
  const [lastRequest, setLastRequest] = React.useState({ service, request });
  if (lastRequest.service !== service || lastRequest.request !== request) {
    setLastRequest({ service, request });
    setView(request === null ? { loading: false } : (v) => ({ ...v, loading: true }));
  }

  React.useEffect(() => {
    if (key === null) return undefined;
    const controller = new AbortController();
    service.load(JSON.parse(key) as SetupInput, controller.signal).then(
      (state) => !controller.signal.aborted && setView({ state, items: evaluate(state), loading: false }),
      (e) => {
        if (controller.signal.aborted) return;
        // Stopped by the admin (Cancel while Dynamics was busy): the lines read before stay, no error.
        if (isDataverseError(e) && e.kind === "aborted") setView((v) => ({ ...v, loading: false }));
        else setView((v) => ({ ...v, loading: false, error: describeError(e, "load") }));
      },
    );
    return () => controller.abort();
  }, [service, key, refreshKey, tick]);

  const reload = React.useCallback(() => setTick((t) => t + 1), []);
  return { ...view, reload };
}
