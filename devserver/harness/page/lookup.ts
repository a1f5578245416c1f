/**
 * `context.utils.lookupObjects`: a simple version of the platform's lookup dialog. It lists enabled
 * users (searching by name or email), single-select. Picking resolves with one LookupValue (id in
 * braces and upper case, as Xrm returns it); Cancel or Escape resolves with [].
 */
import type { ChromeStrings } from "./chrome";
import { pattern } from "../../../core/dataverse/odata";
import { api, entitySetOf } from "./webapi";
import { h } from "./dom";

interface UserRow {
  systemuserid: string;
  fullname: string;
  internalemailaddress?: string | null;
  applicationid?: string | null;
}

export function openLookupDialog(options: ComponentFramework.UtilityApi.LookupOptions, s: ChromeStrings): Promise<ComponentFramework.LookupValue[]> {
  const entityType = options.defaultEntityType ?? options.entityTypes?.[0] ?? "systemuser";
  const opener = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    const title = h("h2", { id: "lookup-title", class: "lookup-title" }, s.lookupTitle);
    const search = h("input", { id: "lookup-search", type: "search", autocomplete: "off" }) as HTMLInputElement;
    const status = h("p", { class: "lookup-status", role: "status" });
    const list = h("ul", { class: "lookup-results", "aria-label": s.lookupResults });
    const cancel = h("button", { type: "button", class: "button" }, s.cancel);
    const dialog = h(
      "div",
      { class: "lookup-dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "lookup-title" },
      title,
      h("label", { for: "lookup-search", class: "field-label" }, s.lookupSearch),
      search,
      status,
      list,
      h("div", { class: "lookup-buttons" }, cancel),
    );
    const overlay = h("div", { class: "lookup-overlay" }, dialog);

    const close = (result: ComponentFramework.LookupValue[]) => {
      overlay.remove();
      document.removeEventListener("keydown", onKey, true);
      opener?.focus();
      resolve(result);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        close([]);
      } else if (e.key === "Tab") {
        // Keep the focus in the dialog.
        const focusable = Array.from(dialog.querySelectorAll<HTMLElement>("input, button"));
        const first = focusable[0];
        const last = focusable[focusable.length - 1];
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }
    };

    let seq = 0;
    const load = async (text: string) => {
      const mine = ++seq;
      status.textContent = s.lookupLoading;
      try {
        const set = await entitySetOf(entityType);
        const filter = ["isdisabled eq false", text ? `(${pattern("contains", "fullname", text)} or ${pattern("contains", "internalemailaddress", text)})` : ""].filter(Boolean).join(" and ");
        const rows = await api<{ value: UserRow[] }>(`${set}?$select=fullname,internalemailaddress,applicationid&$filter=${encodeURIComponent(filter)}&$orderby=fullname&$top=50`);
        if (mine !== seq) return;
        list.replaceChildren(
          ...rows.value.map((u) => {
            const button = h(
              "button",
              { type: "button", class: "lookup-row", "data-user-id": u.systemuserid },
              h("span", { class: "lookup-name" }, u.fullname),
              h("span", { class: "lookup-meta" }, u.internalemailaddress ?? ""),
            );
            button.addEventListener("click", () => close([{ id: `{${u.systemuserid.toUpperCase()}}`, name: u.fullname, entityType }]));
            return h("li", {}, button);
          }),
        );
        status.textContent = rows.value.length ? "" : s.lookupNoResults;
      } catch (e) {
        if (mine === seq) status.textContent = s.lookupFailed((e as Error).message);
      }
    };

    let timer: number | undefined;
    search.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void load(search.value.trim()), 250);
    });
    cancel.addEventListener("click", () => close([]));
    overlay.addEventListener("mousedown", (e) => e.target === overlay && close([]));
    document.addEventListener("keydown", onKey, true);
    document.body.append(overlay);
    search.focus();
    void load("");
  });
}
