/**
 * Dataverse runs `contains`, `startswith` and `endswith` as SQL LIKE, case-insensitive: `%` and `_`
 * are wildcards, `[...]` is a character class, and `[%]`, `[_]`, `[[]` match those characters
 * (powerapps-docs/developer/data-platform/webapi/query/filter-rows.md, "Use wildcard characters").
 * This turns such a pattern into a RegExp so the devserver answers the same rows.
 */
export function likeToRegExp(pattern: string, mode: "contains" | "startswith" | "endswith" | "exact"): RegExp {
  let body = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "%") body += "[\\s\\S]*";
    else if (c === "_") body += "[\\s\\S]";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close < 0) {
        // An unclosed bracket has nothing to close it: read it as the character itself.
        body += "\\[";
        continue;
      }
      let cls = pattern.slice(i + 1, close);
      let negate = false;
      if (cls.startsWith("^")) {
        negate = true;
        cls = cls.slice(1);
      }
      // Inside a SQL class only '-' (range) is special; escape the rest for the RegExp class.
      const escaped = cls.replace(/[\\\]^[]/g, (m) => `\\${m}`);
      body += `[${negate ? "^" : ""}${escaped}]`;
      i = close;
    } else body += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  const prefix = mode === "contains" || mode === "endswith" ? "[\\s\\S]*" : "";
  const suffix = mode === "contains" || mode === "startswith" ? "[\\s\\S]*" : "";
  return new RegExp(`^${prefix}${body}${suffix}$`, "i");
}
