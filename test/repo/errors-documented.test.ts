import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Every package's error codes (its `errors.ts` table) appear in docs/errors.md, so operators can look them up. */
const root = path.resolve(import.meta.dirname, "../..");
const docs = readFileSync(path.join(root, "docs/errors.md"), "utf8");

describe("error codes", () => {
  for (const pkg of readdirSync(path.join(root, "packages"))) {
    const file = path.join(root, "packages", pkg, "src/errors.ts");
    if (!existsSync(file)) continue;
    it(`@agora/${pkg}'s codes are documented`, () => {
      const table = /ErrorCodes\s*=\s*\{([\s\S]*?)\}\s*as const/.exec(readFileSync(file, "utf8"));
      expect(table, `${pkg}/src/errors.ts has no '...ErrorCodes = { … } as const' table`).not.toBeNull();
      const codes = [...table![1]!.matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*:/gm)].map((m) => m[1]!);
      expect(codes.length).toBeGreaterThan(0);
      for (const code of codes) expect(docs, `docs/errors.md lacks ${pkg} ${code}`).toContain(`\`${code}\``);
    });
  }
});
