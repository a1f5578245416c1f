import * as React from "react";
import { DefaultButton, mergeStyles, Spinner, SpinnerSize, Stack, Text, TextField, Toggle } from "@fluentui/react";
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
}

const list = mergeStyles({ listStyle: "none", margin: 0, padding: 0, border: "1px solid #c8c6c4", maxHeight: 320, overflowY: "auto", background: "#fff" });
const option = mergeStyles({ padding: "6px 8px", cursor: "pointer", borderBottom: "1px solid #edebe9" });
const active = mergeStyles({ background: "#deecf9", outline: "2px solid #0078d4", outlineOffset: "-2px" });
const meta = mergeStyles({ color: "#605e5c", fontSize: 12 });

/**
 * A combobox searching users on the server. Arrow keys move through the results, Enter picks,
 * Escape closes; the choice goes to the form, whose own save stores it.
 */
export const UserPicker: React.FC<UserPickerProps> = ({ service, t, roleName, value, readOnly, onChange, onBrowse, focusRef }) => {
  const [text, setText] = React.useState<string | null>(null);
  const [includeAll, setIncludeAll] = React.useState(false);
  const [activeIndex, setActiveIndex] = React.useState(-1);
  const inputRef = React.useRef<{ focus: () => void } | null>(null);
  const search = useUserSearch(service, text, roleName, includeAll);
  const listId = "mss-user-results";
  const open = text !== null;

  React.useEffect(() => {
    if (focusRef) focusRef.current = () => inputRef.current?.focus();
  }, [focusRef]);
  // New results put the first one under the arrow keys (set while rendering, as React advises
  // for state that follows other state, so no frame shows the old index).
  const [resultsSeen, setResultsSeen] = React.useState(search.results);
  if (resultsSeen !== search.results) {
    setResultsSeen(search.results);
    setActiveIndex(search.results.length ? 0 : -1);
  }

  const pick = (u: UserSearchResult) => {
    onChange({ id: u.id, name: u.fullName });
    setText(null);
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      setText(null);
      return;
    }
    if (!open) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = search.results.length;
      // React 16 reuses its events: read the key now, not inside the deferred updater.
      const step = e.key === "ArrowDown" ? 1 : -1;
      if (n) setActiveIndex((i) => (i + step + n) % n);
    } else if (e.key === "Enter" && activeIndex >= 0 && search.results[activeIndex]) {
      e.preventDefault();
      pick(search.results[activeIndex]);
    }
  };

  if (readOnly) {
    return (
      <Stack tokens={{ childrenGap: 4 }}>
        <Text variant="mediumPlus">{value ? value.name : t("Picker_NoUser")}</Text>
      </Stack>
    );
  }

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
        value={text ?? ""}
        autoComplete="off"
        onFocus={() => text === null && setText("")}
        onChange={(_e, v) => setText(v ?? "")}
        onKeyDown={onKeyDown}
        role="combobox"
        aria-expanded={open && search.results.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && activeIndex >= 0 && search.results[activeIndex] ? `${listId}-${activeIndex}` : undefined}
      />
      <Toggle label={t("Picker_IncludeAll")} inlineLabel checked={includeAll} onChange={(_e, v) => setIncludeAll(!!v)} />
      {open && search.searching && <Spinner size={SpinnerSize.small} label={t("Picker_Searching")} />}
      {open && search.error && <ErrorNotice error={search.error} t={t} />}
      {open && !search.searching && search.searchedFor !== undefined && search.results.length === 0 && !search.error && <Text>{t("Picker_NoResults")}</Text>}
      {open && search.results.length > 0 && (
        <ul id={listId} role="listbox" aria-label={t("Picker_Results")} className={list}>
          {search.results.map((u, i) => (
            <li
              key={u.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === activeIndex}
              className={`${option} ${i === activeIndex ? active : ""}`}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(u)}
            >
              <Text block styles={{ root: { fontWeight: 600 } }}>
                {u.fullName}
                {u.hasRole ? ` · ${t("Picker_HasRole", { role: roleName })}` : ""}
              </Text>
              <Text block className={meta}>
                {[u.email, u.applicationId ? t("Picker_ClientId", { clientId: u.applicationId }) : t("Picker_NotApplication"), u.businessUnitName].filter(Boolean).join(" · ")}
              </Text>
            </li>
          ))}
        </ul>
      )}
    </Stack>
  );
};
