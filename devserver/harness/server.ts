/**
 * The `npm start` harness: the devserver (Web API, demo org) and, on the same origin, a page that
 * looks like the "Marketo Config: Default" record form of a model-driven app and hosts the
 * production bundle.js of the control the way Dynamics hosts it.
 *
 *   /                                   the form page (?lang=1036, ?readonly=1, ?fixture=…)
 *   /harness/page.js, /harness/page.css the page's own code (harness/page/, compiled with esbuild)
 *   /harness/lib/<lib>.js               the platform libraries shipped with pcf-start (Fluent)
 *   /harness/react/<version>/<file>.js  the React the page runs the control on (see react.ts)
 *   /harness/fonts/<font>.woff          Fluent UI's icon font (@fluentui/font-icons-mdl2)
 *   /controls/<control>/…               the production build (out/controls/<control>/)
 *   /api/data/v9.2/…, /_devserver/…     the devserver
 */
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { build } from "esbuild";
import type { Fixture } from "../fixture";
import { startDevServer, type DevServer } from "../server";
import { renderPage, type HarnessConfig } from "./html";
import { reactFiles, reactVersion, type ReactVersion } from "./react";
import { FIXTURE_NAMES, FIXTURES } from "./variants";

export const ROOT = path.resolve(__dirname, "..", "..");
export const CONTROL_NAME = "MarketoConfigControl";
export const CONTROL_DIR = path.join(ROOT, "out", "controls", CONTROL_NAME);
/** pcf-start ships the platform libraries as local UMD files (lib/react_16_14_0.js, lib/fluent_8_121_1.js, …). */
export const PLATFORM_LIB_DIR = path.join(path.dirname(require.resolve("pcf-start/package.json")), "lib");
/** Fluent UI's icon font, registered by the page as the platform does (the default is a CDN). */
export const ICON_FONT_DIR = path.join(path.dirname(require.resolve("@fluentui/font-icons-mdl2")), "..", "fonts");

export interface HarnessOptions {
  /** 0 picks a free port. */
  port?: number;
  /** One of FIXTURE_NAMES; "demo" by default. */
  fixture?: string;
  latencyMs?: number;
  publishDurationMs?: number;
  /** The built control (default out/controls/MarketoConfigControl). */
  controlDir?: string;
  /** The React to run the control on: what model-driven apps load (the default) or the manifest's. */
  react?: string;
}

export interface Harness {
  url: string;
  devserver: DevServer;
  /** The React version the page runs the control on. */
  react: ReactVersion;
  /** The fixture name loaded now. */
  fixture(): string;
  /** Loads another fixture (as `?fixture=` does). */
  useFixture(name: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".resx": "application/xml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".woff": "font/woff",
};

function sendText(res: ServerResponse, status: number, body: string | Buffer, type: string): true {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
  res.end(body);
  return true;
}

/** A file under `dir`, or undefined (no escaping the folder with ../). */
function fileUnder(dir: string, relative: string): string | undefined {
  const file = path.resolve(dir, relative);
  if (!file.startsWith(dir + path.sep) || !existsSync(file)) return undefined;
  return file;
}

/** Compiles the page's TypeScript for the browser, in memory. */
export async function buildPage(): Promise<{ js: string; css: string }> {
  const result = await build({
    entryPoints: [path.join(__dirname, "page", "main.ts")],
    bundle: true,
    write: false,
    format: "iife",
    target: "chrome110",
    charset: "utf8",
    logLevel: "silent",
  });
  return { js: result.outputFiles[0].text, css: readFileSync(path.join(__dirname, "page", "page.css"), "utf8") };
}

/** What the page needs to know about the record it shows: the Marketo Config table of the fixture. */
export function formConfig(fixture: Fixture, fixtureName: string, controlName: string, react: HarnessConfig["react"]): HarnessConfig {
  const m = fixture.marketo;
  if (!m) throw new Error(`Fixture '${fixture.name}' has no "marketo" section: the harness does not know which record to show`);
  const entity = fixture.entities?.find((e) => e.logicalName === m.configEntity);
  const attribute = entity?.attributes.find((a) => a.logicalName === m.userAttribute);
  if (!entity || !attribute?.navigationProperty) throw new Error(`Fixture '${fixture.name}': no table ${m.configEntity} with lookup ${m.userAttribute}`);
  const user = fixture.records.systemuser?.find((u) => u.systemuserid === fixture.currentUserId);
  return {
    entity: {
      logicalName: entity.logicalName,
      entitySetName: entity.entitySetName,
      primaryIdAttribute: entity.primaryIdAttribute,
      primaryNameAttribute: entity.primaryNameAttribute,
      displayName: entity.displayName,
    },
    attribute: {
      logicalName: attribute.logicalName,
      displayName: attribute.displayName ?? attribute.logicalName,
      navigationProperty: attribute.navigationProperty,
      targets: attribute.targets ?? ["systemuser"],
    },
    recordId: m.defaultRecordId,
    organizationName: fixture.organization.FriendlyName,
    user: { id: fixture.currentUserId, name: String(user?.fullname ?? "") },
    fixture: fixtureName,
    fixtures: FIXTURE_NAMES,
    controlPath: `/controls/${controlName}/`,
    react,
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const controlDir = path.resolve(options.controlDir ?? CONTROL_DIR);
  if (!existsSync(path.join(controlDir, "bundle.js"))) {
    throw new Error(`The control is not built (${path.relative(ROOT, path.join(controlDir, "bundle.js"))} is missing): run npm run build`);
  }
  const controlName = path.basename(controlDir);
  const react = reactVersion(options.react, "react");
  const reactLib = new Map(reactFiles(react).map((f) => [f.name, f.file]));
  const reactConfig = { version: react, scripts: [...reactLib.keys()].map((name) => `/harness/react/${react}/${name}`) };
  let current = options.fixture ?? "demo";
  if (!FIXTURES[current]) throw new Error(`Unknown fixture '${current}'. Choose one of: ${FIXTURE_NAMES.join(", ")}`);
  const page = await buildPage();
  // The routes are handed to the devserver before it exists; they only run once it does.
  const started: { server?: DevServer } = {};

  const useFixture = (name: string) => {
    if (!FIXTURES[name]) throw new Error(`Unknown fixture '${name}'. Choose one of: ${FIXTURE_NAMES.join(", ")}`);
    started.server!.reset(FIXTURES[name].choice());
    current = name;
  };

  const routes = (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const p = url.pathname;
    if (p === "/" || p === "/index.html") {
      const requested = url.searchParams.get("fixture");
      if (requested && !FIXTURES[requested]) {
        return sendText(res, 400, `Unknown fixture '${requested}'. Choose one of: ${FIXTURE_NAMES.join(", ")}\n`, TYPES[".txt"]);
      }
      // Switching organisation reloads it; opening the page again without ?fixture keeps its state.
      if (requested && requested !== current) useFixture(requested);
      const lang = url.searchParams.get("lang") === "1036" ? 1036 : 1033;
      return sendText(res, 200, renderPage(formConfig(started.server!.org.fixture, current, controlName, reactConfig), lang), TYPES[".html"]);
    }
    if (p === "/harness/page.js") return sendText(res, 200, page.js, TYPES[".js"]);
    if (p === "/harness/page.css") return sendText(res, 200, page.css, TYPES[".css"]);
    if (p === "/favicon.ico") {
      res.writeHead(204).end();
      return true;
    }
    const lib = /^\/harness\/lib\/([a-z0-9_]+\.js)$/.exec(p);
    if (lib) {
      const file = fileUnder(PLATFORM_LIB_DIR, lib[1]);
      return file ? sendText(res, 200, readFileSync(file), TYPES[".js"]) : sendText(res, 404, `No platform library ${lib[1]} in ${PLATFORM_LIB_DIR}\n`, TYPES[".txt"]);
    }
    const reactFile = /^\/harness\/react\/([0-9.]+)\/([a-z0-9_.-]+\.js)$/.exec(p);
    if (reactFile) {
      // Only the React this harness runs: a page cannot mix two.
      const file = reactFile[1] === react ? reactLib.get(reactFile[2]) : undefined;
      return file ? sendText(res, 200, readFileSync(file), TYPES[".js"]) : sendText(res, 404, `This harness runs React ${react}; it has no ${p}\n`, TYPES[".txt"]);
    }
    const font = /^\/harness\/fonts\/([a-z0-9-]+\.woff)$/.exec(p);
    if (font) {
      const file = fileUnder(ICON_FONT_DIR, font[1]);
      return file ? sendText(res, 200, readFileSync(file), TYPES[".woff"]) : sendText(res, 404, `No icon font ${font[1]}\n`, TYPES[".txt"]);
    }
    const prefix = `/controls/${controlName}/`;
    if (p.startsWith(prefix)) {
      const file = fileUnder(controlDir, decodeURIComponent(p.slice(prefix.length)));
      if (!file) return sendText(res, 404, `Not in the build: ${p}\n`, TYPES[".txt"]);
      return sendText(res, 200, readFileSync(file), TYPES[path.extname(file)] ?? "application/octet-stream");
    }
    return false;
  };

  const server = await startDevServer({
    port: options.port ?? 0,
    latencyMs: options.latencyMs,
    publishDurationMs: options.publishDurationMs,
    ...FIXTURES[current].choice(),
    extraRoutes: routes,
  });
  started.server = server;
  return {
    url: server.url,
    devserver: server,
    react,
    fixture: () => current,
    useFixture,
    close: () => server.close(),
  };
}
