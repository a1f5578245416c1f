/**
 * Five kinds of tests, run together by `npm test`: unit (no I/O), integration (against the
 * devserver on 127.0.0.1), component (the real control in jsdom, talking to the devserver),
 * build (runs the real production build), e2e (the production build in Chromium).
 * Type-checking is `npm run typecheck`; jest only transpiles, to stay fast.
 */
const transform = { "^.+\\.tsx?$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }] };
// Jest's cache lives with the dependencies, not in /tmp: `npm test` leaves /tmp as it found it.
const common = { cacheDirectory: "<rootDir>/node_modules/.cache/jest", transform, moduleFileExtensions: ["ts", "tsx", "js", "json"], testEnvironment: "node" };

module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts?(x)"] },
    { ...common, displayName: "integration", testMatch: ["<rootDir>/tests/integration/**/*.test.ts?(x)"] },
    {
      ...common,
      displayName: "component",
      testEnvironment: "<rootDir>/tests/helpers/jsdomWithFetch.js",
      // The CommonJS builds: sinon's "browser" build (used by the PCF mock) is ESM only.
      testEnvironmentOptions: { customExportConditions: ["node", "require", "default"] },
      testMatch: ["<rootDir>/tests/component/**/*.test.tsx"],
    },
    { ...common, displayName: "build", testMatch: ["<rootDir>/tests/build/**/*.test.ts"] },
    {
      // Chromium (Debian's /usr/bin/chromium) driving the production bundle.js on the `npm start` page.
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/tests/e2e/globalSetup.js",
      globalTeardown: "<rootDir>/tests/e2e/globalTeardown.js",
    },
  ],
};
