/**
 * Which Chromium the e2e tests and benchmarks drive (scripts/chromium.ts): the lookup order, the
 * error that says what to install, and the unpacking of the npm one — on a small fake package,
 * never the real 60 MB browser.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { brotliCompressSync } from "node:zlib";
import { extractTar, findChromium, unpackChromium, type ChromiumLookup } from "../../../scripts/chromium";

const NPM = { dir: "/repo/node_modules/@sparticuz/chromium", version: "147.0.0" };

function lookup(over: { env?: NodeJS.ProcessEnv; files?: string[]; platform?: NodeJS.Platform; arch?: string; npm?: typeof NPM | null } = {}): ChromiumLookup {
  const files = new Set(over.files ?? []);
  return {
    env: over.env ?? { PATH: "/opt/a:/opt/b" },
    platform: over.platform ?? "linux",
    arch: over.arch ?? "x64",
    exists: (file) => files.has(file),
    npmPackage: () => (over.npm === null ? undefined : (over.npm ?? NPM)),
  };
}

describe("findChromium: the order", () => {
  const everything = ["/custom/chrome", "/usr/bin/chromium", "/opt/a/chromium", "/opt/b/chromium"];

  it("takes CHROMIUM_PATH first", () => {
    expect(findChromium(lookup({ env: { CHROMIUM_PATH: "/custom/chrome", PATH: "/opt/a" }, files: everything }))).toEqual({ kind: "CHROMIUM_PATH", executablePath: "/custom/chrome" });
  });

  it("then Debian's /usr/bin/chromium, before any on PATH", () => {
    expect(findChromium(lookup({ files: everything }))).toEqual({ kind: "system", executablePath: "/usr/bin/chromium" });
  });

  it("then the first `chromium` on PATH", () => {
    expect(findChromium(lookup({ files: ["/opt/b/chromium"] }))).toEqual({ kind: "system", executablePath: "/opt/b/chromium" });
    expect(findChromium(lookup({ files: ["/opt/a/chromium", "/opt/b/chromium"] }))).toEqual({ kind: "system", executablePath: "/opt/a/chromium" });
  });

  it("then the one @sparticuz/chromium ships", () => {
    expect(findChromium(lookup())).toEqual({ kind: "npm", packageDir: NPM.dir, version: NPM.version });
  });

  it("MSS_CHROMIUM=npm skips the system's, not CHROMIUM_PATH", () => {
    expect(findChromium(lookup({ env: { MSS_CHROMIUM: "npm", PATH: "/opt/a" }, files: everything }))).toEqual({ kind: "npm", packageDir: NPM.dir, version: NPM.version });
    expect(findChromium(lookup({ env: { MSS_CHROMIUM: "npm", CHROMIUM_PATH: "/custom/chrome" }, files: everything })).kind).toBe("CHROMIUM_PATH");
  });
});

describe("findChromium: the errors say what to do", () => {
  it("a CHROMIUM_PATH that does not exist is an error, not a fallback", () => {
    expect(() => findChromium(lookup({ env: { CHROMIUM_PATH: "/nope/chrome" }, files: ["/usr/bin/chromium"] }))).toThrow(
      "CHROMIUM_PATH is /nope/chrome, which does not exist. Point it at a Chromium executable, or unset it to use the system's or the npm one.",
    );
  });

  it("an unknown MSS_CHROMIUM is refused", () => {
    expect(() => findChromium(lookup({ env: { MSS_CHROMIUM: "system" } }))).toThrow('MSS_CHROMIUM is "system": the only value it takes is "npm"');
  });

  it.each([
    ["darwin", "arm64"],
    ["linux", "arm64"],
    ["win32", "x64"],
  ] as const)("with no system Chromium on %s %s, names what to install", (platform, arch) => {
    expect(() => findChromium(lookup({ platform, arch }))).toThrow(
      `No Chromium for the end-to-end tests: CHROMIUM_PATH is not set, no /usr/bin/chromium nor \`chromium\` on PATH, and the Chromium that @sparticuz/chromium ships runs on Linux x64 only (this is ${platform} ${arch}). Install one: on Debian or Ubuntu \`apt-get update && apt-get install -y chromium\`; elsewhere set CHROMIUM_PATH to a Chromium or Chrome executable.`,
    );
  });

  it("a system Chromium still works where the npm one cannot run", () => {
    expect(findChromium(lookup({ platform: "darwin", arch: "arm64", files: ["/opt/b/chromium"] }))).toEqual({ kind: "system", executablePath: "/opt/b/chromium" });
  });

  it("says to run npm ci when the package is not installed", () => {
    expect(() => findChromium(lookup({ env: { MSS_CHROMIUM: "npm" }, files: ["/usr/bin/chromium"], npm: null }))).toThrow(
      "No Chromium for the end-to-end tests: CHROMIUM_PATH is not set, MSS_CHROMIUM=npm skips the system's, and @sparticuz/chromium is not installed. Run `npm ci`",
    );
  });
});

// ---- Unpacking ----------------------------------------------------------------------------------

type Entry = { name: string; type?: "0" | "2" | "5"; mode?: number; data?: string };

/** A ustar archive, as the package's *.tar.br hold before compression. */
function tar(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? "");
    const header = Buffer.alloc(512);
    header.write(e.name, 0, 100, "utf8");
    header.write(`${(e.mode ?? 0o644).toString(8).padStart(7, "0")}\0`, 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write("        ", 148);
    header.write(e.type ?? "0", 156);
    header.write("ustar\0" + "00", 257);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "mss-chromium-test-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe("extractTar", () => {
  it("writes the files and folders with their modes", () => {
    const into = path.join(scratch, "out");
    mkdirSync(into);
    extractTar(
      tar([
        { name: "fonts/", type: "5", mode: 0o755 },
        { name: "fonts/a.ttf", data: "font" },
        { name: "libEGL.so", mode: 0o775, data: "x".repeat(700) },
      ]),
      into,
    );
    expect(readFileSync(path.join(into, "fonts", "a.ttf"), "utf8")).toBe("font");
    expect(readFileSync(path.join(into, "libEGL.so"), "utf8")).toBe("x".repeat(700));
    expect(statSync(path.join(into, "libEGL.so")).mode & 0o111).not.toBe(0);
  });

  it("refuses entries outside the folder and links", () => {
    expect(() => extractTar(tar([{ name: "../evil", data: "x" }]), scratch)).toThrow('tar entry "../evil" points outside the folder');
    expect(() => extractTar(tar([{ name: "link", type: "2" }]), scratch)).toThrow('tar entry "link" has type "2"; only files and folders are expected');
    expect(existsSync(path.join(scratch, "..", "evil"))).toBe(false);
  });
});

describe("unpackChromium", () => {
  function fakePackage(): { packageDir: string; version: string } {
    const bin = path.join(scratch, "pkg", "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, "chromium.br"), brotliCompressSync(Buffer.from("#!/bin/sh\necho fake\n")));
    writeFileSync(path.join(bin, "swiftshader.tar.br"), brotliCompressSync(tar([{ name: "libGLESv2.so", mode: 0o775, data: "gles" }])));
    writeFileSync(path.join(bin, "al2023.tar.br"), brotliCompressSync(tar([{ name: "lib/libnss3.so", mode: 0o755, data: "nss" }])));
    writeFileSync(
      path.join(bin, "fonts.tar.br"),
      brotliCompressSync(
        tar([
          { name: "fonts.conf", data: "<dir>/tmp/fonts</dir>" },
          { name: "fonts/", type: "5", mode: 0o755 },
          { name: "fonts/Open.ttf", data: "ttf" },
        ]),
      ),
    );
    return { packageDir: path.join(scratch, "pkg"), version: "147.0.0" };
  }

  it("unpacks once into <version>/, atomically, even when two unpack at the same time", async () => {
    const source = fakePackage();
    const cache = path.join(scratch, "cache");
    mkdirSync(path.join(cache, "146.0.0"), { recursive: true }); // an older version's browser
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    mkdirSync(path.join(cache, `.partial-${deadPid}-147.0.0-abc`)); // left by an interrupted unpack
    mkdirSync(path.join(cache, `.partial-${process.pid}-147.0.0-live`)); // one still being written

    const [a, b] = await Promise.all([unpackChromium(source, cache), unpackChromium(source, cache)]);

    const dir = path.join(cache, "147.0.0");
    expect([a, b]).toEqual([dir, dir]);
    expect(readdirSync(cache).sort()).toEqual([`.partial-${process.pid}-147.0.0-live`, "147.0.0"]);
    expect(readFileSync(path.join(dir, "chromium"), "utf8")).toBe("#!/bin/sh\necho fake\n");
    expect(statSync(path.join(dir, "chromium")).mode & 0o111).not.toBe(0);
    expect(readFileSync(path.join(dir, "libGLESv2.so"), "utf8")).toBe("gles");
    expect(readFileSync(path.join(dir, "lib", "libnss3.so"), "utf8")).toBe("nss");
    expect(readFileSync(path.join(dir, "fonts", "Open.ttf"), "utf8")).toBe("ttf");
    // Fontconfig is pointed at the final folder (not the temporary one, not /tmp).
    const conf = readFileSync(path.join(dir, "fonts.conf"), "utf8");
    expect(conf).toContain(`<dir>${path.join(dir, "fonts")}</dir>`);
    expect(conf).toContain(`<cachedir>${path.join(dir, "fonts-cache")}</cachedir>`);
    expect(conf).not.toMatch(/\/tmp\/fonts|\.partial-/);

    // Once there, it is not unpacked again.
    writeFileSync(path.join(dir, "chromium"), "kept");
    expect(await unpackChromium(source, cache)).toBe(dir);
    expect(readFileSync(path.join(dir, "chromium"), "utf8")).toBe("kept");
  });
});
