/**
 * The harness's React choice, seen from HTTP (no browser): which scripts the page is told to load,
 * that they are the React asked for, and that nothing else is offered.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { DECLARED_REACT, REACT_VERSIONS, RUNTIME_REACT, reactVersion } from "../../devserver/harness/react";
import { ROOT, startHarness, type Harness } from "../../devserver/harness/server";

const pageConfig = async (h: Harness) => {
  const html = await (await fetch(`${h.url}/`)).text();
  const json = /<script id="harness-config" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
  return JSON.parse(json!) as { react: { version: string; scripts: string[] } };
};

it("runs on the React model-driven apps load (17.0.2) unless told otherwise, pinned in package.json", async () => {
  expect(RUNTIME_REACT).toBe("17.0.2");
  expect(reactVersion(undefined)).toBe(RUNTIME_REACT);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  expect(pkg.devDependencies["react-runtime"]).toBe(`npm:react@${RUNTIME_REACT}`);
  expect(pkg.devDependencies["react-dom-runtime"]).toBe(`npm:react-dom@${RUNTIME_REACT}`);
  expect(() => reactVersion("18.3.1", "--react")).toThrow(/--react: React 18.3.1 is not offered. Choose 17.0.2 .* or 16.14.0/);
});

it.each(REACT_VERSIONS)("serves React %s and only it", async (version) => {
  const h = await startHarness({ port: 0, react: version, controlDir: process.env.MSS_E2E_CONTROL_DIR });
  try {
    expect(h.react).toBe(version);
    const { react } = await pageConfig(h);
    expect(react.version).toBe(version);
    expect(react.scripts.length).toBeGreaterThan(0);
    for (const src of react.scripts) {
      const r = await fetch(h.url + src);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/javascript/);
      expect(await r.text()).toContain(`@license React v${version}`);
    }
    // The other version's files are not served by this harness: a page cannot mix two Reacts.
    const other = REACT_VERSIONS.find((v) => v !== version)!;
    const file = other === DECLARED_REACT ? "react_16_14_0.js" : "react.production.min.js";
    expect((await fetch(`${h.url}/harness/react/${other}/${file}`)).status).toBe(404);
  } finally {
    await h.close();
  }
});

it("refuses a React it does not have, naming the choices", async () => {
  await expect(startHarness({ port: 0, react: "18.3.1", controlDir: process.env.MSS_E2E_CONTROL_DIR })).rejects.toThrow(/React 18.3.1 is not offered/);
});
