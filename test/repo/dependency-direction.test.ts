import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * ARCHITECTURE.md's one-way package dependencies, enforced: protocol ← transport ← {master, agent,
 * framework-sdk} ← {marathon, chronos} ← cli. The web UI depends on nothing but HTTP.
 */
const allowed: Record<string, string[]> = {
  protocol: [],
  security: ["protocol"],
  transport: ["protocol"],
  master: ["security", "protocol", "transport"],
  agent: ["security", "protocol", "transport"],
  "framework-sdk": ["protocol", "transport"],
  marathon: ["security", "protocol", "transport", "framework-sdk"],
  chronos: ["security", "protocol", "transport", "framework-sdk"],
  webui: [],
  cli: ["protocol", "security", "transport", "master", "agent", "framework-sdk", "marathon", "chronos"],
};

const root = path.resolve(import.meta.dirname, "../..");
const packages = readdirSync(path.join(root, "packages"));

/** The entry points a package declares: the keys of its manifest's "exports". */
function entryPoints(pkg: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(root, "packages", pkg, "package.json"), "utf8"));
  return Object.keys(manifest.exports ?? { ".": {} });
}

function sources(dir: string): string[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|tsx)$/.test(f))
    .map((f) => path.join(dir, f));
}

describe("package dependencies", () => {
  it("every package is known to this test", () => {
    expect(packages.sort()).toEqual(Object.keys(allowed).sort());
  });

  for (const pkg of packages) {
    it(`${pkg} imports only what it may, and only through package entry points`, () => {
      const manifest = JSON.parse(readFileSync(path.join(root, "packages", pkg, "package.json"), "utf8"));
      const declared = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith("@agora/"));
      for (const dep of declared)
        expect(allowed[pkg], `${pkg} declares ${dep}`).toContain(dep.slice("@agora/".length));

      for (const file of sources(path.join(root, "packages", pkg, "src"))) {
        const text = readFileSync(file, "utf8");
        for (const m of text.matchAll(/from\s+["'](@agora\/[^"']+)["']/g)) {
          const spec = m[1]!;
          const [, name, ...deep] = spec.split("/");
          const rel = path.relative(root, file);
          // Only entry points the package declares in its manifest's "exports"; "./testing" (test
          // harnesses) only from tests and their support code.
          const entry = deep.length === 0 ? "." : `./${deep.join("/")}`;
          const isTest = /\.test\.tsx?$|\/(test-support|testing)\//.test(rel);
          expect(entryPoints(name!), `${rel} reaches into ${spec}`).toContain(entry);
          if (entry === "./testing") expect(isTest, `${rel} imports a test harness`).toBe(true);
          if (name !== pkg) expect(declared, `${rel} imports undeclared ${spec}`).toContain(`@agora/${name}`);
        }
      }
    });
  }

  it("the allocator imports neither fastify nor NATS", () => {
    for (const file of sources(path.join(root, "packages/master/src/allocator"))) {
      expect(readFileSync(file, "utf8")).not.toMatch(/from\s+["'](fastify|@nats-io\/[^"']+|nats)["']/);
    }
  });
});
