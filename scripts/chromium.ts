/**
 * The Chromium that the e2e tests and the benchmarks drive, looked for in this order:
 *   1. CHROMIUM_PATH, when set (it must exist: a wrong path is an error, not a fallback);
 *   2. the system's: /usr/bin/chromium (Debian's), else `chromium` on PATH — skipped when
 *      MSS_CHROMIUM=npm, to exercise the third on a machine that has the first two;
 *   3. the one the devDependency @sparticuz/chromium ships (Linux x64 only), unpacked once per
 *      version into node_modules/.cache/mss-chromium/<version>/, so that `npm ci && npm test`
 *      needs nothing but Node and npm.
 *
 * We unpack it ourselves rather than through the package's executablePath(): that one unpacks
 * into /tmp (and its fonts.conf points fontconfig's cache there), and `npm test` leaves /tmp as it
 * found it. Importing the package is avoided too: on Amazon Linux it rewrites process.env at load.
 * We launch it with our flags only, never the package's Lambda flags (--single-process,
 * --disable-web-security…): the tests must see the browser behave as a browser.
 */
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { brotliDecompressSync, createBrotliDecompress } from "node:zlib";

const ROOT = path.resolve(__dirname, "..");
const PACKAGE = "@sparticuz/chromium";
export const CACHE_ROOT = path.join(ROOT, "node_modules", ".cache", "mss-chromium");

/** Flags of every launch, whichever browser it is. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"];

export type ChromiumSource = { kind: "CHROMIUM_PATH" | "system"; executablePath: string } | { kind: "npm"; packageDir: string; version: string };

/** What findChromium looks at, injectable so that the order can be tested without a browser. */
export interface ChromiumLookup {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch: string;
  exists(file: string): boolean;
  /** The folder of the installed @sparticuz/chromium and its version, or undefined when it is not installed. */
  npmPackage(): { dir: string; version: string } | undefined;
}

const INSTALL_HINT = "Install one: on Debian or Ubuntu `apt-get update && apt-get install -y chromium`; elsewhere set CHROMIUM_PATH to a Chromium or Chrome executable.";

export function findChromium(lookup: ChromiumLookup): ChromiumSource {
  const { env } = lookup;
  if (env.CHROMIUM_PATH) {
    if (!lookup.exists(env.CHROMIUM_PATH))
      throw new Error(`CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which does not exist. Point it at a Chromium executable, or unset it to use the system's or the npm one.`);
    return { kind: "CHROMIUM_PATH", executablePath: env.CHROMIUM_PATH };
  }
  const mode = env.MSS_CHROMIUM ?? "";
  if (mode !== "" && mode !== "npm") throw new Error(`MSS_CHROMIUM is "${mode}": the only value it takes is "npm" (use the Chromium of ${PACKAGE} even when the system has one). Unset it otherwise.`);
  if (mode !== "npm") {
    const onPath = (env.PATH ?? "")
      .split(path.delimiter)
      .filter(Boolean)
      .map((dir) => path.join(dir, "chromium"));
    const system = ["/usr/bin/chromium", ...onPath].find((file) => lookup.exists(file));
    if (system) return { kind: "system", executablePath: system };
  }
  const lookedAt = mode === "npm" ? "MSS_CHROMIUM=npm skips the system's" : "no /usr/bin/chromium nor `chromium` on PATH";
  // The package ships an x64 Linux build only (its bin/ holds chromium.br for x64; arm64 is a separate download).
  if (lookup.platform !== "linux" || lookup.arch !== "x64") {
    throw new Error(
      `No Chromium for the end-to-end tests: CHROMIUM_PATH is not set, ${lookedAt}, and the Chromium that ${PACKAGE} ships runs on Linux x64 only (this is ${lookup.platform} ${lookup.arch}). ${INSTALL_HINT}`,
    );
  }
  const npm = lookup.npmPackage();
  if (!npm) throw new Error(`No Chromium for the end-to-end tests: CHROMIUM_PATH is not set, ${lookedAt}, and ${PACKAGE} is not installed. Run \`npm ci\` (it is a devDependency). ${INSTALL_HINT}`);
  return { kind: "npm", packageDir: npm.dir, version: npm.version };
}

function installedPackage(): { dir: string; version: string } | undefined {
  // Its package.json is not in its "exports": read it from the folder npm installs a direct dependency to.
  const dir = path.join(ROOT, "node_modules", ...PACKAGE.split("/"));
  const manifest = path.join(dir, "package.json");
  if (!existsSync(manifest)) return undefined;
  return { dir, version: (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version };
}

export const systemLookup = (): ChromiumLookup => ({ env: process.env, platform: process.platform, arch: process.arch, exists: existsSync, npmPackage: installedPackage });

// ---- Unpacking the npm one ------------------------------------------------------------------------

/**
 * Reads an uncompressed POSIX (ustar) tar into `into`. The package's archives hold plain files
 * and folders only; anything else (links, long-name extensions) is refused rather than guessed at.
 */
export function extractTar(tar: Buffer, into: string): void {
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join("/");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const mode = parseInt(field(100, 8).trim() || "644", 8) & 0o777;
    const type = field(156, 1) || "0";
    const target = path.resolve(into, name);
    if (path.isAbsolute(name) || !target.startsWith(path.resolve(into) + path.sep)) throw new Error(`tar entry "${name}" points outside the folder it is unpacked into`);
    if (type === "5") mkdirSync(target, { recursive: true });
    else if (type === "0") {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, tar.subarray(offset + 512, offset + 512 + size), { mode });
    } else throw new Error(`tar entry "${name}" has type "${type}"; only files and folders are expected`);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Unpacks the package's bin/ into `dir`, for use once renamed to `finalDir`. */
async function unpackInto(binDir: string, dir: string, finalDir: string): Promise<void> {
  await pipeline(createReadStream(path.join(binDir, "chromium.br")), createBrotliDecompress(), createWriteStream(path.join(dir, "chromium"), { mode: 0o755 }));
  // SwiftShader's libEGL/libGLESv2 go next to the binary, where Chromium looks for them.
  extractTar(brotliDecompressSync(readFileSync(path.join(binDir, "swiftshader.tar.br"))), dir);
  // NSS, NSPR and expat, which the binary links against: a bare system may lack them (LD_LIBRARY_PATH, see chromiumLaunchOptions).
  extractTar(brotliDecompressSync(readFileSync(path.join(binDir, "al2023.tar.br"))), dir);
  extractTar(brotliDecompressSync(readFileSync(path.join(binDir, "fonts.tar.br"))), dir);
  // Our own fonts.conf: the shipped one names /tmp/fonts and a cache in /tmp. The system's fonts
  // come first when there are any; the shipped Open Sans makes sure a bare machine has one.
  writeFileSync(
    path.join(dir, "fonts.conf"),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <cachedir>${xml(path.join(finalDir, "fonts-cache"))}</cachedir>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${xml(path.join(finalDir, "fonts"))}</dir>\n</fontconfig>\n`,
  );
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * The folder holding the unpacked browser of the package at `packageDir`, unpacking it first if
 * needed. It is written in a temporary sibling folder and renamed into place: a process that sees
 * `<version>/` sees a complete browser, and of two processes unpacking at once the second to
 * finish finds the folder there and drops its own copy.
 */
export async function unpackChromium(source: { packageDir: string; version: string }, cacheRoot = CACHE_ROOT): Promise<string> {
  const dir = path.join(cacheRoot, source.version);
  if (existsSync(path.join(dir, "chromium"))) return dir;
  mkdirSync(cacheRoot, { recursive: true });
  const temp = mkdtempSync(path.join(cacheRoot, `.partial-${process.pid}-${source.version}-`));
  try {
    await unpackInto(path.join(source.packageDir, "bin"), temp, dir);
    chmodSync(temp, 0o755);
    try {
      renameSync(temp, dir);
    } catch (e) {
      if (!existsSync(path.join(dir, "chromium"))) throw e;
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  // Other versions' browsers (~250 MB each) and copies left by an interrupted unpack.
  for (const entry of readdirSync(cacheRoot)) {
    const partial = /^\.partial-(\d+)-/.exec(entry);
    if (entry !== source.version && (partial ? !alive(Number(partial[1])) : statSync(path.join(cacheRoot, entry)).isDirectory())) {
      rmSync(path.join(cacheRoot, entry), { recursive: true, force: true });
    }
  }
  return dir;
}

export interface ChromiumLaunch {
  executablePath: string;
  args: string[];
  /** The browser's environment (only the npm browser needs additions). */
  env?: Record<string, string>;
  /** Where the browser comes from, for messages. */
  description: string;
}

/** How to launch the Chromium found by findChromium, unpacking the npm one when that is the one. */
export async function chromiumLaunchOptions(lookup: ChromiumLookup = systemLookup()): Promise<ChromiumLaunch> {
  const source = findChromium(lookup);
  if (source.kind !== "npm") return { executablePath: source.executablePath, args: CHROMIUM_ARGS, description: `${source.executablePath} (${source.kind})` };
  const dir = await unpackChromium(source);
  const env = Object.fromEntries(Object.entries(lookup.env).filter((e): e is [string, string] => e[1] !== undefined));
  env.LD_LIBRARY_PATH = [path.join(dir, "lib"), env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter);
  env.FONTCONFIG_FILE = path.join(dir, "fonts.conf");
  return { executablePath: path.join(dir, "chromium"), args: CHROMIUM_ARGS, env, description: `${PACKAGE} ${source.version} (${dir})` };
}
