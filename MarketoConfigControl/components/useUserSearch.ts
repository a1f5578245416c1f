import * as React from "react";
import { describeError, type ErrorMessage } from "../../core/setup/messages";
import type { UserSearchResult } from "../../core/setup/search";
import type { SetupService } from "../../core/setup/service";

export const SEARCH_DELAY_MS = 300;
export const SEARCH_TOP = 25;

export interface SearchView {
  results: UserSearchResult[];
  searching: boolean;
  error?: ErrorMessage;
  /** The text the results are for (undefined before the first search). */
  searchedFor?: string;
}

/**
 * One request per pause in typing: each keystroke restarts the timer and cancels the request
 * still under way, so results never arrive out of order.
 */
export function useUserSearch(service: SetupService, text: string | null, roleName: string, includeAllUsers: boolean): SearchView {
  const [view, setView] = React.useState<SearchView>({ results: [], searching: false });

  // A new search (or none) shows at once, while rendering: React's way for state that follows props.
  const request = text === null ? null : JSON.stringify([text, roleName, includeAllUsers]);
  const [lastRequest, setLastRequest] = React.useState<{ service: SetupService; request: string | null }>({ service, request: null });
  if (lastRequest.service !== service || lastRequest.request !== request) {
    setLastRequest({ service, request });
    // Closing the list keeps a failed or empty search's outcome, so its message stays readable
    // (and its "Show details" reachable) after the box loses focus.
    setView(
      request === null ? (v) => ({ results: [], searching: false, error: v.error, searchedFor: v.results.length ? undefined : v.searchedFor }) : (v) => ({ ...v, searching: true, error: undefined }),
    );
  }

  React.useEffect(() => {
    if (text === null) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      service.searchUsers({ text, roleName, includeAllUsers, top: SEARCH_TOP }, controller.signal).then(
        (results) => !controller.signal.aborted && setView({ results, searching: false, searchedFor: text }),
        (e) => !controller.signal.aborted && setView({ results: [], searching: false, error: describeError(e, "search"), searchedFor: text }),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [service, text, roleName, includeAllUsers]);

  return view;
}
