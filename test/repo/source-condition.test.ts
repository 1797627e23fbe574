import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Unit tests run against the workspace packages' sources: vitest resolves `@agora/*` through the
 * "source" export condition (vitest.config.ts), not through the built `dist/`, so a change is
 * tested without a build and a class has one identity whether imported by package or by file.
 */
const root = path.resolve(import.meta.dirname, "../..");

describe("workspace packages resolve to their sources in unit tests", () => {
  it("@agora/protocol is its src/index.ts", () => {
    expect(import.meta.resolve("@agora/protocol")).toBe(`file://${root}/packages/protocol/src/index.ts`);
  });

  it("a class imported by package name is the one its source file defines", async () => {
    const byName = await import("@agora/protocol");
    const byFile = await import("../../packages/protocol/src/agora-error.js");
    expect(byName.AgoraError).toBe(byFile.AgoraError);
  });

  it("a package's own imports of a sibling resolve to the sibling's sources too", async () => {
    // Marathon's errors extend protocol's AgoraError: the same class only if both come from src/.
    const { MarathonError } = await import("@agora/marathon");
    const { AgoraError } = await import("../../packages/protocol/src/agora-error.js");
    expect(new MarathonError("INVALID_JSON", "x")).toBeInstanceOf(AgoraError);
  });
});
