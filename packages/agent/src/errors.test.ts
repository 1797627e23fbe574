import { describe, expect, it } from "vitest";
import { AgentError, agentErrorCodes, isAgentError } from "./errors.js";

describe("agent errors", () => {
  it("documents every code with an HTTP status", () => {
    for (const [code, { status, description }] of Object.entries(agentErrorCodes)) {
      expect(description.length, code).toBeGreaterThan(10);
      expect(status, code).toBeGreaterThanOrEqual(400);
    }
  });

  it("carries its code, status, field and reason, and is recognised by its guard", () => {
    const e = new AgentError("PATH_FORBIDDEN", "nope", { field: "path" });
    expect(e).toMatchObject({ name: "AgentError", code: "PATH_FORBIDDEN", status: 403, field: "path" });
    expect(isAgentError(e, "PATH_FORBIDDEN")).toBe(true);
    expect(isAgentError(e, "FILE_NOT_FOUND")).toBe(false);
    expect(isAgentError(new Error("x"))).toBe(false);
    const launch = new AgentError("LAUNCH_FAILED", "no", { reason: "REASON_COMMAND_EXECUTOR_FAILED" });
    expect(launch.reason).toBe("REASON_COMMAND_EXECUTOR_FAILED");
  });
});
