import { describe, expect, it } from "vitest";
import { mergeByScenario } from "../../bench/results-merge.js";

const older = { date: "2026-12-01" };
const newer = { date: "2026-12-03" };
const file = {
  machine: older,
  command: "npm run bench",
  results: [
    { scenario: "raw spawn", p50Ms: 3 },
    { scenario: "dev", p50Ms: 9 },
    { scenario: "nats", p50Ms: 12 },
  ],
};

describe("mergeByScenario (a partial benchmark run into its results file)", () => {
  it("replaces the scenarios measured now in place, keeps the others with their own machine, appends new ones", () => {
    const merged = mergeByScenario(file, {
      machine: newer,
      command: "BENCH=launch LAUNCH_SCENARIOS=raw-spawn,checkpoint npm run bench",
      results: [
        { scenario: "raw spawn", p50Ms: 2 },
        { scenario: "checkpoint", p50Ms: 5 },
      ],
    });
    expect(merged).toEqual({
      machine: newer,
      command: "BENCH=launch LAUNCH_SCENARIOS=raw-spawn,checkpoint npm run bench",
      results: [
        { scenario: "raw spawn", p50Ms: 2, machine: newer },
        { scenario: "dev", p50Ms: 9, machine: older },
        { scenario: "nats", p50Ms: 12, machine: older },
        { scenario: "checkpoint", p50Ms: 5, machine: newer },
      ],
    });
  });

  it("writes the run alone over anything that is not a results file", () => {
    const run = { machine: newer, command: "c", results: [{ scenario: "dev", p50Ms: 1 }] };
    const alone = { ...run, results: [{ scenario: "dev", p50Ms: 1, machine: newer }] };
    expect(mergeByScenario(undefined, run)).toEqual(alone);
    expect(mergeByScenario({ results: [{ p50Ms: 1 }] }, run)).toEqual(alone);
    expect(mergeByScenario("torn", run)).toEqual(alone);
  });
});
