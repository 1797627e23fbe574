import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Every package's error codes (the `…ErrorCodes` table in its `errors.ts`) appear in docs/errors.md. */
const root = path.resolve(import.meta.dirname, "../..");
const docs = readFileSync(path.join(root, "docs/errors.md"), "utf8");

describe("error codes", () => {
  for (const pkg of readdirSync(path.join(root, "packages"))) {
    const file = path.join(root, "packages", pkg, "src/errors.ts");
    if (!existsSync(file)) continue;
    it(`@agora/${pkg}'s codes are documented`, async () => {
      const mod: Record<string, unknown> = await import(file);
      const tables = Object.entries(mod).filter(([name]) => name.endsWith("ErrorCodes"));
      expect(tables, `${pkg}/src/errors.ts exports no …ErrorCodes table`).toHaveLength(1);
      const codes = Object.keys(tables[0]![1] as object);
      expect(codes.length).toBeGreaterThan(0);
      const section = docs.split(/^## /m).find((s) => s.startsWith(`@agora/${pkg}`)) ?? "";
      for (const code of codes)
        expect(section, `docs/errors.md lacks @agora/${pkg} ${code}`).toContain(`\`${code}\``);
    });
  }
});
