/**
 * Three kinds of tests, run together by `npm test`:
 * unit (no I/O), integration (against the devserver on 127.0.0.1), build (runs the real build).
 * Type-checking is `npm run typecheck`; jest only transpiles, to stay fast.
 */
const transform = { "^.+\\.tsx?$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }] };
const common = { transform, moduleFileExtensions: ["ts", "tsx", "js", "json"], testEnvironment: "node" };

module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts?(x)"] },
    { ...common, displayName: "integration", testMatch: ["<rootDir>/tests/integration/**/*.test.ts?(x)"] },
    { ...common, displayName: "build", testMatch: ["<rootDir>/tests/build/**/*.test.ts"] },
  ],
};
