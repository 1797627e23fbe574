import { describe, expect, it } from "vitest";
import { isChronosError } from "../errors.js";
import { JobDefinition, type JobDefinitionInput } from "../model/job.js";
import { checkJob, childrenOf, type Jobs, rewireChildren } from "./job-graph.js";

const now = new Date("2026-01-01T00:00:00Z");
const job = (j: JobDefinitionInput) => JobDefinition.parse(j);
const table = (...js: JobDefinitionInput[]): Jobs => new Map(js.map((j) => [j.name, job(j)]));
const daily = "R/2026-01-01T03:00:00Z/P1D";

function codeOf(f: () => void): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (isChronosError(e)) return `${e.code} ${e.details?.[0]?.path}`;
    throw e;
  }
}

describe("checkJob", () => {
  const jobs = table(
    { name: "a", schedule: daily },
    { name: "b", parents: ["a"] },
    { name: "c", parents: ["b"] },
  );

  it("accepts a scheduled job and a dependent job with known parents", () => {
    expect(codeOf(() => checkJob(job({ name: "x", schedule: daily }), jobs, now))).toBeUndefined();
    expect(codeOf(() => checkJob(job({ name: "x", parents: ["a", "c"] }), jobs, now))).toBeUndefined();
  });

  it("refuses an unknown parent, naming its index", () => {
    expect(codeOf(() => checkJob(job({ name: "x", parents: ["a", "nope"] }), jobs, now))).toBe(
      "UNKNOWN_PARENT /parents/1",
    );
  });

  it("refuses a self-parent and a cycle through the graph", () => {
    expect(codeOf(() => checkJob(job({ name: "x", parents: ["x"] }), jobs, now))).toBe(
      "DEPENDENCY_CYCLE /parents/0",
    );
    // b → c exists; making b depend on c closes the loop.
    expect(codeOf(() => checkJob(job({ name: "b", parents: ["c"] }), jobs, now))).toBe(
      "DEPENDENCY_CYCLE /parents",
    );
  });

  it("refuses a schedule or a zone that does not parse, naming the field", () => {
    expect(codeOf(() => checkJob(job({ name: "x", schedule: "every day" }), jobs, now))).toBe(
      "INVALID_SCHEDULE /schedule",
    );
    expect(
      codeOf(() =>
        checkJob(job({ name: "x", schedule: daily, scheduleTimeZone: "Mars/Olympus" }), jobs, now),
      ),
    ).toBe("INVALID_SCHEDULE /scheduleTimeZone");
  });
});

describe("rewireChildren", () => {
  it("gives the children of a deleted dependent job its parents", () => {
    const jobs = table(
      { name: "a", schedule: daily },
      { name: "b", parents: ["a"] },
      { name: "c", parents: ["b"] },
    );
    expect(rewireChildren("b", jobs).map((j) => [j.name, j.parents])).toEqual([["c", ["a"]]]);
  });

  it("makes the only child of a deleted scheduled job scheduled, and drops it from other children", () => {
    const jobs = table(
      { name: "a", schedule: daily, scheduleTimeZone: "Europe/Berlin" },
      { name: "z", schedule: daily },
      { name: "only", parents: ["a"] },
      { name: "both", parents: ["a", "z"] },
    );
    const rewired = rewireChildren("a", jobs);
    expect(rewired.find((j) => j.name === "only")).toMatchObject({
      schedule: daily,
      scheduleTimeZone: "Europe/Berlin",
    });
    expect(rewired.find((j) => j.name === "only")?.parents).toBeUndefined();
    expect(rewired.find((j) => j.name === "both")?.parents).toEqual(["z"]);
  });

  it("leaves unrelated jobs alone", () => {
    const jobs = table({ name: "a", schedule: daily }, { name: "b", schedule: daily });
    expect(rewireChildren("a", jobs)).toEqual([]);
    expect(childrenOf("a", jobs)).toEqual([]);
  });
});
