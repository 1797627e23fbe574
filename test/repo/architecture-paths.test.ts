import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * docs/architecture.md walks one offer from agent to task file by file, and describes the master's
 * layers by file: a file renamed or split must not leave the page pointing at nothing. Paths there are
 * written from a package's `src/` (`agents/register.ts`, or `agent/src/master-link.ts` on first
 * mention), so each must be the tail of a source file's path, or a path from the repository root.
 */
const root = path.resolve(import.meta.dirname, "../..");

function sourceFiles(): string[] {
  const out: string[] = [];
  for (const pkg of readdirSync(path.join(root, "packages"))) {
    const src = path.join(root, "packages", pkg, "src");
    if (!existsSync(src)) continue;
    for (const f of readdirSync(src, { recursive: true, encoding: "utf8" }))
      out.push(`packages/${pkg}/src/${f.split(path.sep).join("/")}`);
  }
  return out;
}

describe("docs/architecture.md", () => {
  it("names only files that exist", () => {
    const doc = readFileSync(path.join(root, "docs/architecture.md"), "utf8");
    const files = sourceFiles();
    const named = new Set([...doc.matchAll(/`([\w./-]+\.tsx?)`/g)].map((m) => m[1]!));
    expect(named.size).toBeGreaterThan(40);
    const missing = [...named].filter((p) => {
      if (existsSync(path.join(root, p))) return false;
      const tail = p.replace(/^(\w[\w-]*)\/src\//, "packages/$1/src/");
      return !files.some((f) => f === tail || f.endsWith(`/${p}`));
    });
    expect(missing).toEqual([]);
  });
});
