import js from "@eslint/js";
import tseslint from "typescript-eslint";
import powerApps from "@microsoft/eslint-plugin-power-apps";
import globals from "globals";

export default tseslint.config(
  {
    ignores: ["node_modules/", "out/", "dist/", "obj/", "coverage/", "MarketoConfigControl/generated/", "bench/results*"],
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
    // core/ is shared by the control and the CLI: no React, no PCF, no Node built-ins.
    files: ["core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["react", "react-dom", "@fluentui/*", "node:*", "fs", "path", "http", "https"] }],
    },
  },
);
