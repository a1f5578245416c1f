/**
 * Why a combobox of our own and not Fluent UI's TagPicker / NormalPeoplePicker with itemLimit={1},
 * although the platform library ships them (read in @fluentui/react 8.121.1, pickers/BasePicker.js):
 * - It picks by accident, which is what this control must never do. Every new list of suggestions
 *   selects the first one (BasePicker.updateSuggestions hands index 0 to the suggestions store), and
 *   both Enter and Tab complete the selected suggestion (BasePicker.onKeyDown, `case tab: case enter:`):
 *   Tab out of the box would make the first user the Marketo User. Its Autofill also completes the
 *   box with that name when it starts with what was typed, and aria-activedescendant points at it
 *   although nobody chose it.
 *   Changing that means subclassing BasePicker and overriding members that are not its public API,
 *   in a library the platform upgrades under the control.
 * - With itemLimit={1} the chosen user becomes a tag and the search box goes away until the tag is
 *   removed: replacing the Marketo User would pass through clearing it. Here the value, Clear and
 *   Browse stay as they are while the admin searches.
 * - Its suggestion ids are fixed ("sug-0", "sug-noResultsFound"), not unique on a form, and the list
 *   opens in a Callout layer at the end of the page; ours stays in the form's flow, under the box.
 * - Size: this file and useUserSearch.ts are under 5 KB minified; a TagPicker with those overrides,
 *   our rows (email, Client ID, business unit, role, current) and our messages would save a few
 *   hundred bytes at best, for behaviour we would then have to keep patching.
 */
import * as React from "react";
import { DefaultButton, getTheme, mergeStyles, Spinner, SpinnerSize, Stack, Text, TextField, Toggle } from "@fluentui/react";
import { isGuid } from "../../core/dataverse/odata";
import type { UserSearchResult } from "../../core/setup/search";
import type { SetupService } from "../../core/setup/service";
import type { Translate } from "../i18n";
import { ErrorNotice } from "./ErrorNotice";
import { useUserSearch } from "./useUserSearch";

export interface PickedUser {
  id: string;
  name: string;
}

export interface UserPickerProps {
  service: SetupService;
  t: Translate;
  roleName: string;
  value: PickedUser | null;
  readOnly: boolean;
  onChange: (user: PickedUser | null) => void;
  onBrowse: () => void;
  /** Moves focus into the search box (the "pick a user" fix). */
  focusRef?: React.MutableRefObject<(() => void) | undefined>;
  /** Offered when a Client ID matches nobody: creating its application user (CreateAppUser.tsx). */
  createAppUser?: (clientId: string) => React.ReactNode;
}

const LIST_ID = "mss-user-results";

/** Colours from the form's Fluent theme, so high contrast and dark themes follow. */
function styles() {
  const { semanticColors: c } = getTheme();
  const option = mergeStyles({ padding: "6px 8px", cursor: "pointer", borderBottom: `1px solid ${c.bodyDivider}`, selectors: { ":hover": { background: c.listItemBackgroundHovered } } });
  return {
    list: mergeStyles({ listStyle: "none", margin: 0, padding: 0, border: `1px solid ${c.inputBorder}`, maxHeight: 320, overflowY: "auto", background: c.bodyBackground }),
    option,
    active: mergeStyles({ background: c.listItemBackgroundChecked, outline: `2px solid ${c.focusBorder}`, outlineOffset: "-2px" }),
    meta: mergeStyles({ color: c.bodySubtext, fontSize: 12 }),
  };
}

/**
 * A combobox searching users on the server (WAI-ARIA "combobox with listbox popup"). Typing, a
 * click in the box or an arrow key opens the results; only an arrow key chooses an option, and
 * only a chosen option is picked by Enter. Tab, a click elsewhere or Escape close the list without
 * picking. The choice goes to the form, whose own save stores it.
 */
export const UserPicker: React.FC<UserPickerProps> = ({ service, t, roleName, value, readOnly, onChange, onBrowse, focusRef, createAppUser }) => {
  const [text, setText] = React.useState("");
  const [open, setOpen] = React.useState(false);
  const [includeAll, setIncludeAll] = React.useState(false);
  const [activeIndex, setActiveIndex] = React.useState(-1);
  const inputRef = React.useRef<{ focus: () => void } | null>(null);
  const css = React.useMemo(() => styles(), []);
  const search = useUserSearch(service, open ? text : null, roleName, includeAll);
  const { results } = search;

  React.useEffect(() => {
    if (focusRef) focusRef.current = () => inputRef.current?.focus();
  }, [focusRef]);
  // New results: nothing is chosen until the admin chooses (set while rendering, as React advises
  // for state that follows other state, so no frame shows a choice among rows it was not made in).
  const [resultsSeen, setResultsSeen] = React.useState(results);
  if (resultsSeen !== results) {
    setResultsSeen(results);
    setActiveIndex(-1);
  }
  const activeId = open && results[activeIndex] ? `${LIST_ID}-${activeIndex}` : undefined;
  React.useEffect(() => {
    // jsdom has no scrollIntoView.
    if (activeId) document.getElementById(activeId)?.scrollIntoView?.({ block: "nearest" });
  }, [activeId]);

  const close = () => {
    setOpen(false);
    setActiveIndex(-1);
  };
  const pick = (u: UserSearchResult) => {
    // Picking the user already there changes nothing on the form.
    // (The form's value comes through host.toPickedUser: lower case, no braces, as Dataverse answers.)
    if (value?.id !== u.id) onChange({ id: u.id, name: u.fullName });
    setText("");
    close();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    // React 16 reuses its events: read the key now, not inside a deferred updater.
    const key = e.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      e.preventDefault();
      // Closed, an arrow key only opens the list (Alt+Down included): the choice is the next press.
      if (!open) return setOpen(true);
      const n = results.length;
      if (n) setActiveIndex((i) => (key === "ArrowDown" ? (i + 1) % n : i <= 0 ? n - 1 : i - 1));
    } else if (key === "Enter") {
      if (activeId) {
        e.preventDefault();
        pick(results[activeIndex]);
      }
    } else if (key === "Escape") {
      if (open) close();
      else setText("");
    } else if (key === "Tab") {
      close();
    }
  };

  if (readOnly) {
    return (
      <Stack tokens={{ childrenGap: 4 }}>
        <Text variant="mediumPlus">{value ? value.name : t("Picker_NoUser")}</Text>
      </Stack>
    );
  }

  // A failed or empty search stays on screen while the box keeps its text, open or not.
  const searched = search.searchedFor?.trim();
  const outcomeShown = searched !== undefined && searched === text.trim() && !search.searching;
  const noMatch = outcomeShown && results.length === 0 && !search.error;
  const noResults = isGuid(searched ?? "")
    ? t("Picker_NoResults_ClientId", { clientId: searched })
    : includeAll
      ? t("Picker_NoResults")
      : t("Picker_NoResults_TryAll", { option: t("Picker_IncludeAll") });

  return (
    <Stack tokens={{ childrenGap: 8 }}>
      <Stack horizontal verticalAlign="center" tokens={{ childrenGap: 8 }} wrap>
        <Text variant="mediumPlus" id="mss-current-user">
          {value ? t("Picker_Current", { name: value.name }) : t("Picker_NoUser")}
        </Text>
        {value && <DefaultButton text={t("Button_Clear")} ariaLabel={t("Button_Clear_Label", { name: value.name })} onClick={() => onChange(null)} />}
        <DefaultButton text={t("Button_Browse")} ariaLabel={t("Button_Browse_Label")} onClick={onBrowse} />
      </Stack>
      <TextField
        componentRef={(c) => (inputRef.current = c)}
        label={t("Picker_Label")}
        placeholder={includeAll ? t("Picker_PlaceholderAll") : t("Picker_Placeholder")}
        value={text}
        autoComplete="off"
        onClick={() => setOpen(true)}
        onBlur={close}
        onChange={(_e, v) => {
          setText(v ?? "");
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        role="combobox"
        aria-expanded={open && results.length > 0}
        aria-controls={LIST_ID}
        aria-autocomplete="list"
        aria-activedescendant={activeId}
      />
      <Toggle
        label={t("Picker_IncludeAll")}
        inlineLabel
        checked={includeAll}
        onChange={(_e, v) => {
          setIncludeAll(!!v);
          // The "no matching user" message says that turning this on searches again: back to the box.
          if (noMatch) {
            inputRef.current?.focus();
            setOpen(true);
          }
        }}
      />
      {open && search.searching && <Spinner size={SpinnerSize.small} label={t("Picker_Searching")} />}
      {search.error && (open || outcomeShown) && <ErrorNotice error={search.error} t={t} />}
      {noMatch && <Text role="status">{noResults}</Text>}
      {noMatch && searched && isGuid(searched) && createAppUser?.(searched)}
      {open && results.length > 0 && (
        // tabIndex -1: Chromium makes a scroll container without focusable children a Tab stop
        // (Chrome 130+, "Keyboard focusable scrollers", developer.chrome.com); the options are
        // reached with the arrow keys from the box. mousedown kept off so the box keeps focus.
        <ul id={LIST_ID} role="listbox" tabIndex={-1} aria-label={t("Picker_Results")} className={css.list} onMouseDown={(e) => e.preventDefault()}>
          {results.map((u, i) => {
            const current = value?.id === u.id;
            return (
              <li
                key={u.id}
                id={`${LIST_ID}-${i}`}
                role="option"
                aria-selected={i === activeIndex}

                className={i === activeIndex ? `${css.option} ${css.active}` : css.option}
                onClick={() => pick(u)}
              >
                <Text block styles={{ root: { fontWeight: 600 } }}>
                  {[u.fullName, current && t("Picker_IsCurrent"), u.hasRole && t("Picker_HasRole", { role: roleName })].filter(Boolean).join(" · ")}
                </Text>
                <Text block className={css.meta}>
                  {[u.email, u.applicationId ? t("Picker_ClientId", { clientId: u.applicationId }) : t("Picker_NotApplication"), u.businessUnitName].filter(Boolean).join(" · ")}
                </Text>
              </li>
            );
          })}
        </ul>
      )}
    </Stack>
  );
};
