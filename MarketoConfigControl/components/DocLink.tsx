import * as React from "react";
import { hiddenContentStyle, Link, mergeStyles } from "@fluentui/react";
import { checkDocUrl } from "../../core/setup/docLinks";
import type { CheckId, CheckStatus } from "../../core/setup/types";
import type { Translate } from "../i18n";

const hidden = mergeStyles(hiddenContentStyle);

/**
 * A link away from the form: a new tab, so the admin keeps the form and its unsaved state; the opened
 * page gets no handle on this one (noopener) and no referrer (the organisation URL stays private).
 */
export const NewTabLink: React.FC<{ href: string; t: Translate; "data-link"?: string }> = ({ href, t, children, ...rest }) => (
  <Link href={href} target="_blank" rel="noopener noreferrer" {...rest}>
    {children}
    <span className={hidden}> {t("Link_NewTab")}</span>
  </Link>
);

/** Adobe's page for a check that failed or warns; nothing for the others. */
export const DocLink: React.FC<{ checkId: CheckId; status: CheckStatus; t: Translate }> = ({ checkId, status, t }) => {
  if (status !== "fail" && status !== "warn") return null;
  // The resx says which language of Adobe's site suits the admin's language ("en", "fr").
  const href = checkDocUrl(checkId, t("DocLink_Language"));
  return href ? (
    <NewTabLink href={href} t={t} data-link="doc">
      {t("DocLink_Text")}
    </NewTabLink>
  ) : null;
};
