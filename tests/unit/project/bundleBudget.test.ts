/**
 * The size of the control's bundle.js: the budget verdict scripts/build.mjs acts on
 * (scripts/bundle-report.mjs, run in a child Node as it is an ES module), and the compiler
 * settings that keep TypeScript and Babel from down-levelling modern syntax into helpers
 * repeated in every module (what made bundle.js 72 KB).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { transformSync } from "@babel/core";
import ts from "typescript";

const root = path.join(__dirname, "..", "..", "..");

/** Runs budgetFailure(code, { budget, analyze }) with a fake module analysis; returns its verdict and whether it analysed. */
function verdict(code: string, budget: { minified: number; gzip: number }): { failure: string | null; analysed: boolean } {
  const script = `
    import { budgetFailure } from ${JSON.stringify(path.join(root, "scripts", "bundle-report.mjs"))};
    let analysed = false;
    const analyze = async () => { analysed = true; return { modules: [
      { name: "core/setup/evaluate.ts", bytes: 7000 }, { name: "core/dataverse/client.ts", bytes: 6000 }, { name: "tiny.ts", bytes: 10 } ] }; };
    const failure = await budgetFailure(process.env.CODE, { budget: JSON.parse(process.env.BUDGET), analyze, top: 2 });
    process.stdout.write(JSON.stringify({ failure: failure ?? null, analysed }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, CODE: code, BUDGET: JSON.stringify(budget) } });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

describe("bundle budget (scripts/bundle-report.mjs)", () => {
  it("passes a bundle within both limits without bundling again", () => {
    expect(verdict("x".repeat(1000), { minified: 1000, gzip: 1000 })).toEqual({ failure: null, analysed: false });
  });

  it("fails a bundle over the minified limit and names the biggest modules", () => {
    const { failure, analysed } = verdict("x".repeat(2048), { minified: 1024, gzip: 1024 });
    expect(analysed).toBe(true);
    expect(failure).toContain("2.0 KiB minified exceeds 1.0 KiB");
    expect(failure).toContain("core/setup/evaluate.ts (6.8 KiB), core/dataverse/client.ts (5.9 KiB)");
    expect(failure).not.toContain("tiny.ts");
    expect(failure).not.toContain("gzip exceeds");
  });

  it("fails a bundle within the minified limit but over the gzip limit", () => {
    const incompressible = randomBytes(1500).toString("base64");
    const { failure } = verdict(incompressible, { minified: 4096, gzip: 1024 });
    expect(failure).toMatch(/gzip exceeds 1\.0 KiB/);
    expect(failure).not.toContain("minified exceeds");
  });
});

describe("compiler settings of the control build", () => {
  const sample = "export async function f(o) { const [a, ...rest] = o?.list ?? []; return { ...rest, a: await a }; }";

  it("TypeScript (tsconfig.json) keeps async, destructuring, spread, ?. and ?? for Babel to judge", () => {
    const config = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const out = ts.transpileModule(sample, { compilerOptions: { ...options, noEmit: false } }).outputText;
    expect(out).not.toContain("__awaiter");
    expect(out).toContain("?.");
    expect(out).toContain("??");
  });

  it("Babel, with pcfconfig.json's browser targets, adds no helpers for that syntax", () => {
    // pcf-scripts passes pcfconfig.json's `targets` to @babel/preset-env (else { esmodules: true }).
    const { targets } = JSON.parse(readFileSync(path.join(root, "pcfconfig.json"), "utf8"));
    expect(targets).toBeDefined();
    const out = transformSync(sample, { configFile: false, babelrc: false, presets: [[require.resolve("@babel/preset-env"), { targets, modules: false }]] })?.code ?? "";
    expect(out).not.toMatch(/_slicedToArray|_toArray|_objectSpread|asyncToGenerator|regenerator/);
    expect(out).toContain("async function");
    expect(out).toContain("?.");
  });
});
