import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isMasterError, MasterError, masterErrorCodes } from "./errors.js";

describe("master errors", () => {
  it("documents every code in the README", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const code of Object.keys(masterErrorCodes)) expect(readme).toContain(`\`${code}\``);
  });

  it("carries code, field, status and cause, and is recognised by its guard", () => {
    const cause = new Error("boom");
    const err = new MasterError("UNKNOWN_OFFER", "gone", { field: "offerIds.0", cause });
    expect(err).toMatchObject({
      name: "MasterError",
      code: "UNKNOWN_OFFER",
      field: "offerIds.0",
      status: 404,
      cause,
    });
    expect(isMasterError(err, "UNKNOWN_OFFER")).toBe(true);
    expect(isMasterError(err, "INVALID_CALL")).toBe(false);
    expect(isMasterError(new Error("x"))).toBe(false);
  });
});
