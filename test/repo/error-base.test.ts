import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { AgoraError } from "@agora/protocol";
import { describe, expect, it } from "vitest";

/**
 * One error base: every package's typed error (the class in its `errors.ts`) extends
 * `AgoraError` from @agora/protocol, so code, field and cause travel the same way everywhere.
 */
const root = path.resolve(import.meta.dirname, "../..");

/** Errors that stay outside, and why. Adding one is a decision made here. */
const standalone: Record<string, string> = {
  // Worded as Mesos words them and answered as plain text with a status: they have no code table.
  "packages/agent/src/mesos-v1/errors.ts": "MesosAgentApiError",
  "packages/master/src/mesos-v1/errors.ts": "MesosV1Error",
  // Names a schedule field only; the HTTP layer turns it into a ChronosError with a code.
  "packages/chronos/src/schedule/errors.ts": "ScheduleError",
  // The dashboard depends on nothing but HTTP.
  "packages/webui/src/api/client.ts": "ApiError",
};

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f) && !/\.test(-d)?\.tsx?$/.test(f))
    .map((f) => path.join(dir, f));
}

describe("one error base", () => {
  const packages = readdirSync(path.join(root, "packages"));

  it("no error class but the listed ones extends Error directly", () => {
    const direct: Record<string, string> = {};
    for (const pkg of packages) {
      const src = path.join(root, "packages", pkg, "src");
      if (!existsSync(src)) continue;
      for (const file of sources(src)) {
        for (const m of readFileSync(file, "utf8").matchAll(/class\s+(\w+)\s+extends\s+Error\b/g))
          direct[path.relative(root, file)] = m[1]!;
      }
    }
    expect(direct).toEqual(standalone);
  });

  for (const pkg of packages) {
    const file = path.join(root, "packages", pkg, "src/errors.ts");
    if (!existsSync(file) || standalone[`packages/${pkg}/src/errors.ts`]) continue;
    it(`@agora/${pkg}'s error is an AgoraError carrying its code and cause`, async () => {
      const mod: Record<string, unknown> = await import(file);
      const table = Object.entries(mod).find(([name]) => name.endsWith("ErrorCodes"))![1] as object;
      const [name, ErrorClass] = Object.entries(mod).find(
        ([n, v]) => typeof v === "function" && /^[A-Z]\w*Error$/.test(n),
      ) as [string, new (code: string, message: string, options: object) => Error];
      const code = Object.keys(table)[0]!;
      const cause = new Error("underneath");
      const error = new ErrorClass(code, "what went wrong", { cause });
      expect(error).toBeInstanceOf(AgoraError);
      expect(error).toMatchObject({ name, code, message: "what went wrong", cause });
    });
  }
});
