/**
 * The repository stands alone: no comment or document may send a reader to a file that is not in
 * it (planning notes kept outside the project, or a path that was renamed). Markdown links to
 * relative paths must resolve too.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(__dirname, "..", "..", "..");
const TEXT = /\.(ts|tsx|js|mjs|cjs|md|xml|resx|json|css|html|cdsproj|pcfproj)$|^\.ci\//;

function trackedTextFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  return out.split("\n").filter((f) => f && TEXT.test(f) && !f.endsWith("package-lock.json") && existsSync(join(root, f)));
}

/** Names of documents that live outside this repository; citing them leaves a reader stranded. */
const OUTSIDE = [/\bFACTS\.md\b/, /\bDESIGN\.md\b/, /\.\.\/shared\//];

describe("references", () => {
  const files = trackedTextFiles();

  it("finds the project's files", () => {
    expect(files).toEqual(expect.arrayContaining(["README.md", "core/setup/evaluate.ts"]));
  });

  it("no file cites a document that is not in the repository", () => {
    const offenders = files.flatMap((f) => {
      if (f === "tests/unit/project/references.test.ts") return [];
      const text = readFileSync(join(root, f), "utf8");
      return OUTSIDE.filter((re) => re.test(text)).map((re) => `${f}: ${re.source}`);
    });
    expect(offenders).toEqual([]);
  });

  it("relative links in Markdown documents resolve", () => {
    const broken = files
      .filter((f) => f.endsWith(".md"))
      .flatMap((f) => {
        const text = readFileSync(join(root, f), "utf8");
        return [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)]
          .map((m) => m[1])
          .filter((target) => !/^[a-z]+:/i.test(target))
          .filter((target) => !existsSync(join(root, dirname(f), decodeURIComponent(target))))
          .map((target) => `${f} → ${target}`);
      });
    expect(broken).toEqual([]);
  });
});
