import { describe, expect, it } from "vitest";
import { type ChronosRunRecord, checkChronosRuns, planChronosJobs } from "./chronos-load.js";

const start = new Date("2026-12-03T10:00:00.000Z");
const input = { jobs: 10, repeats: 3, intervalMs: 5000, dependents: 0.3, seed: 1, start };

const at = (s: number) => new Date(start.getTime() + s * 1000).toISOString();

function run(o: Partial<ChronosRunRecord> & { id: string; jobName: string }): ChronosRunRecord {
  return { trigger: "scheduled", status: "SUCCESS", createdAt: at(0), attempts: [], ...o };
}

describe("planChronosJobs", () => {
  it("schedules the jobs on one ISO 8601 schedule and hangs the dependents under scheduled ones", () => {
    const plan = planChronosJobs(input);
    expect(plan).toHaveLength(10);
    const scheduled = plan.filter((j) => j.parent === undefined);
    const dependents = plan.filter((j) => j.parent !== undefined);
    expect(dependents).toHaveLength(3);
    for (const j of scheduled)
      expect(j.body).toMatchObject({ name: j.name, schedule: "R3/2026-12-03T10:00:00.000Z/PT5S" });
    const names = new Set(scheduled.map((j) => j.name));
    for (const j of dependents) {
      expect(names.has(j.parent!)).toBe(true);
      expect(j.body).toMatchObject({ name: j.name, parents: [j.parent] });
      expect(j.body).not.toHaveProperty("schedule");
    }
    expect(new Set(plan.map((j) => j.name)).size).toBe(10);
  });

  it("is deterministic in its seed and keeps at least one job scheduled", () => {
    expect(planChronosJobs(input)).toEqual(planChronosJobs(input));
    const all = planChronosJobs({ ...input, dependents: 1 });
    expect(all.filter((j) => j.parent === undefined)).toHaveLength(1);
    expect(planChronosJobs({ ...input, dependents: 0 }).every((j) => j.parent === undefined)).toBe(true);
  });
});

describe("checkChronosRuns", () => {
  const plan = [
    { name: "a", body: {} },
    { name: "b", parent: "a", body: {} },
  ];

  it("counts nothing wrong in runs that ran in order, and measures slot → RUNNING", () => {
    const runs = [
      run({
        id: "a1",
        jobName: "a",
        scheduledAt: at(0),
        finishedAt: at(1),
        attempts: [{ startedAt: at(0.2) }],
      }),
      run({
        id: "a2",
        jobName: "a",
        scheduledAt: at(5),
        finishedAt: at(6),
        attempts: [{ startedAt: at(5.1) }],
      }),
      run({ id: "b1", jobName: "b", trigger: "dependency", createdAt: at(1), finishedAt: at(2) }),
      run({ id: "b2", jobName: "b", trigger: "dependency", createdAt: at(6.5), finishedAt: at(7) }),
    ];
    const check = checkChronosRuns(runs, plan, 2);
    expect(check).toMatchObject({ runsStuck: 0, slotsCollapsed: 0, slotsRunTwice: 0, dependentRunsEarly: 0 });
    expect(check.startJitterMs).toEqual([200, 100]);
  });

  it("finds runs stuck, slots without a run, a slot run twice, a dependent run before its parent", () => {
    const runs = [
      run({ id: "a1", jobName: "a", scheduledAt: at(0), finishedAt: at(3) }),
      run({ id: "a1-again", jobName: "a", scheduledAt: at(0), status: "ACTIVE" }),
      // Created before a1 ended, and a second run with no second parent success at all.
      run({ id: "b1", jobName: "b", trigger: "dependency", createdAt: at(2), finishedAt: at(4) }),
      run({ id: "b2", jobName: "b", trigger: "dependency", createdAt: at(5), finishedAt: at(6) }),
    ];
    // Three slots planned, one ran (twice): two collapsed.
    expect(checkChronosRuns(runs, plan, 3)).toMatchObject({
      runsStuck: 1,
      slotsCollapsed: 2,
      slotsRunTwice: 1,
      dependentRunsEarly: 2,
      startJitterMs: [],
    });
  });
});
