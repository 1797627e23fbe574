import { describe, expect, it } from "vitest";
import { JobStats } from "../model/job.js";
import { countFailure, countSuccess, newRunId, phaseOf, shouldRetry } from "./run-outcome.js";

describe("Chronos' counters", () => {
  const at = new Date("2026-03-01T10:00:00Z");

  it("counts a failure once per run and resets errorsSinceLastSuccess on a success", () => {
    let s = JobStats.parse({});
    s = countFailure(s, at);
    s = countFailure(s, at);
    expect(s).toMatchObject({
      errorCount: 2,
      errorsSinceLastSuccess: 2,
      lastError: "2026-03-01T10:00:00.000Z",
    });
    s = countSuccess(s, new Date("2026-03-01T11:00:00Z"));
    expect(s).toEqual({
      successCount: 1,
      errorCount: 2,
      lastSuccess: "2026-03-01T11:00:00.000Z",
      lastError: "2026-03-01T10:00:00.000Z",
      errorsSinceLastSuccess: 0,
    });
  });
});

describe("retries and phases", () => {
  it("retries until `retries` attempts are spent, never after a stop", () => {
    expect(shouldRetry({ attempt: 0, retries: 2, stopped: false })).toBe(true);
    expect(shouldRetry({ attempt: 1, retries: 2, stopped: false })).toBe(true);
    expect(shouldRetry({ attempt: 2, retries: 2, stopped: false })).toBe(false);
    expect(shouldRetry({ attempt: 0, retries: 2, stopped: true })).toBe(false);
  });

  it("reads a task state as its attempt's phase; out of reach is not over", () => {
    expect(phaseOf("TASK_FINISHED")).toBe("succeeded");
    expect(phaseOf("TASK_KILLED")).toBe("failed");
    expect(phaseOf("TASK_GONE")).toBe("failed");
    expect(phaseOf("TASK_UNREACHABLE")).toBe("waiting");
    expect(phaseOf("TASK_RUNNING")).toBe("running");
    expect(phaseOf("TASK_STAGING")).toBe("launched");
  });

  it("mints Metronome-style run ids", () => {
    expect(newRunId(new Date("2026-03-01T10:20:30.400Z"), () => 0)).toBe("20260301102030aaaaa");
    expect(newRunId(new Date(), Math.random)).toMatch(/^\d{14}[a-z0-9]{5}$/);
  });
});
