import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isSchedulerError, SchedulerError, schedulerErrorCodes } from "./errors.js";

describe("SchedulerError", () => {
  it("documents every code in the package README", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const code of Object.keys(schedulerErrorCodes))
      expect(readme).toMatch(new RegExp(`\\| \`${code}\` +\\|`));
  });

  it("carries its code, the master's code, the field and the cause", () => {
    const cause = new Error("root");
    const e = new SchedulerError("CALL_FAILED", "refused", {
      masterCode: "INVALID_CALL",
      field: "offerIds",
      cause,
    });
    expect(e).toMatchObject({
      name: "SchedulerError",
      code: "CALL_FAILED",
      masterCode: "INVALID_CALL",
      field: "offerIds",
    });
    expect(e.cause).toBe(cause);
    expect(isSchedulerError(e)).toBe(true);
    expect(isSchedulerError(e, "CALL_FAILED")).toBe(true);
    expect(isSchedulerError(e, "CLOSED")).toBe(false);
    expect(isSchedulerError(new Error("x"))).toBe(false);
  });
});
