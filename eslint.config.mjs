import js from "@eslint/js";
import tseslint from "typescript-eslint";
import powerApps from "@microsoft/eslint-plugin-power-apps";
import boundaries from "eslint-plugin-boundaries";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

/**
 * The layers (README.md, "Layout") and who may import whom. Anything else between them is an
 * error; tests, bench and scripts are outside the layers and may import any of them.
 *
 *   core        framework-free, shared by the control and the CLI: imports only core
 *   control     MarketoConfigControl/ outside components/: PCF glue, i18n, host services
 *   component   MarketoConfigControl/components/: React views and their hooks
 *   formats     the file formats of what the solution ships (XML, zip reading, the zip verifier,
 *               resx): the seam that pack (writes zips), cli (deploys them) and devserver (imports
 *               them) share. Not named solution/: Solution/ (the pac project) would clash on
 *               case-insensitive file systems.
 *   cli, pack, devserver   never import each other: what two of them need goes into formats/ or core/
 */
const LAYERS = [
  { type: "component", pattern: "MarketoConfigControl/components", partialMatch: false },
  { type: "control", pattern: "MarketoConfigControl", partialMatch: false },
  { type: "core", pattern: "core", partialMatch: false },
  { type: "formats", pattern: "formats", partialMatch: false },
  { type: "cli", pattern: "cli", partialMatch: false },
  { type: "cli", pattern: "bin", partialMatch: false },
  { type: "pack", pattern: "pack", partialMatch: false },
  { type: "devserver", pattern: "devserver", partialMatch: false },
];

const may = (from, to) => ({ from: { element: { type: from } }, allow: { to: { element: { type: to } } } });

export default tseslint.config(
  {
    ignores: ["node_modules/", "out/", "dist/", "obj/", "coverage/", "MarketoConfigControl/generated/", "bench/results*", ".tmp/"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx,mjs,js}"],
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Jest configuration and environments are CommonJS, as Jest loads them.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The Power Apps checker rules apply to what runs inside Dynamics.
    files: ["MarketoConfigControl/**/*.{ts,tsx}", "core/**/*.ts"],
    plugins: { "@microsoft/power-apps": powerApps },
    rules: powerApps.configs.paCheckerHosted.rules,
  },
  {
    files: ["MarketoConfigControl/**/*.{ts,tsx}", "devserver/harness/page/**/*.ts", "tests/component/**/*.tsx", "tests/helpers/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ["**/*.{ts,tsx,mjs,js}"],
    plugins: { boundaries },
    settings: {
      "boundaries/elements": LAYERS,
      // Imports are written without extensions; Node's resolution with TypeScript's ones finds them.
      "import/resolver": { node: { extensions: [".ts", ".tsx", ".d.ts", ".js", ".mjs", ".json"] } },
    },
    rules: {
      // A layer's import that resolves to no layer (tests/, scripts/, bench/) is refused too.
      "boundaries/no-unknown-dependencies": "error",
      "boundaries/dependencies": [
        "error",
        {
          default: "disallow",
          message: "{{from.type}} may not import {{to.type}} (layers: eslint.config.mjs)",
          policies: [
            may("core", "core"),
            may("component", ["component", "control", "core"]),
            may("control", ["control", "component", "core"]),
            may("formats", "formats"),
            may("cli", ["cli", "core", "formats"]),
            may("pack", ["pack", "core", "formats"]),
            may("devserver", ["devserver", "core", "formats"]),
          ],
        },
      ],
    },
  },
  {
    // core/ runs in the browser and in Node: no React, no PCF, no Node built-ins, no packages.
    // (It is also compiled without the DOM library: tsconfig.core.json.)
    files: ["core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^[^.]", message: "core/ imports only core/ (relative paths)" }] }],
      "no-restricted-syntax": ["error", { selector: "MemberExpression[object.name='ComponentFramework']", message: "core/ knows nothing of PCF" }],
    },
  },
  {
    // Components ask the SetupService; they never talk to the Web API themselves.
    files: ["MarketoConfigControl/components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-globals": [
        "error",
        { name: "fetch", message: "Components ask the SetupService (core/setup/service.ts)." },
        { name: "XMLHttpRequest", message: "Components ask the SetupService (core/setup/service.ts)." },
      ],
      "no-restricted-properties": [
        "error",
        { object: "window", property: "fetch", message: "Components ask the SetupService (core/setup/service.ts)." },
        { object: "globalThis", property: "fetch", message: "Components ask the SetupService (core/setup/service.ts)." },
        { property: "webAPI", message: "Components ask the SetupService (core/setup/service.ts)." },
      ],
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/core/dataverse/client", "**/core/dataverse/webApiClient"], allowTypeImports: true, message: "Components ask the SetupService, not the Web API client." }] },
      ],
    },
  },
);
