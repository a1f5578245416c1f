/** The HTML shell of the harness page; the page's script (page/main.ts) builds the form in it. */

/** What the server tells the page about the form it shows (from the fixture, never hard-coded). */
export interface HarnessConfig {
  entity: { logicalName: string; entitySetName: string; primaryIdAttribute: string; primaryNameAttribute: string; displayName: string };
  attribute: { logicalName: string; displayName: string; navigationProperty: string; targets: string[] };
  recordId: string;
  organizationName: string;
  /** The signed-in user (the devserver's session user). */
  user: { id: string; name: string };
  /** The fixture loaded, and the ones `?fixture=` accepts. */
  fixture: string;
  fixtures: string[];
  /** Where the production build is served, ending with "/". */
  controlPath: string;
  /** The React the page loads in place of the manifest's React platform library (harness/react.ts). */
  react: { version: string; scripts: string[] };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderPage(config: HarnessConfig, lang: 1033 | 1036): string {
  const json = JSON.stringify(config).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="${lang === 1036 ? "fr" : "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(config.entity.displayName)} - Dynamics 365 (local harness)</title>
<link rel="stylesheet" href="/harness/page.css">
<script id="harness-config" type="application/json">${json}</script>
</head>
<body>
<div id="harness-root"></div>
<script src="/harness/page.js"></script>
</body>
</html>
`;
}
