import { MemoryStateStore } from "@agora/transport";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { JobDefinition } from "../model/job.js";
import { JobState } from "../model/run.js";
import { ChronosRepository } from "./repository.js";

describe("ChronosRepository", () => {
  it("keeps jobs with dotted names, their state and runs, and reads them back through their schemas", async () => {
    const store = new MemoryStateStore();
    const repo = new ChronosRepository(store, pino({ level: "silent" }));
    const job = JobDefinition.parse({ name: "billing.invoices-v2", command: "true", schedule: "R//PT1M" });
    await repo.saveJob(job);
    await repo.saveState(
      job.name,
      JobState.parse({ parentsDone: ["a"], lastSlot: "2026-01-01T00:00:00.000Z" }),
    );
    await repo.saveRun({
      id: "20260101000000abcde",
      jobName: job.name,
      trigger: "scheduled",
      arguments: [],
      status: "SUCCESS",
      createdAt: "2026-01-01T00:00:00.000Z",
      attempts: [],
    });
    await repo.saveFrameworkId("fw-1");
    await repo.flush();
    const loaded = await new ChronosRepository(store, pino({ level: "silent" })).load();
    expect(loaded.frameworkId).toBe("fw-1");
    expect(loaded.jobs).toEqual([job]);
    expect(loaded.states.get(job.name)?.parentsDone).toEqual(["a"]);
    expect(loaded.runs.map((r) => r.id)).toEqual(["20260101000000abcde"]);

    await repo.deleteJob(job.name, ["20260101000000abcde"]);
    const after = await repo.load();
    expect([after.jobs, after.runs, [...after.states.keys()]]).toEqual([[], [], []]);
  });

  it("skips a record that does not decode instead of failing to start", async () => {
    const store = new MemoryStateStore();
    const repo = new ChronosRepository(store, pino({ level: "silent" }));
    await repo.saveJob(JobDefinition.parse({ name: "good", command: "true", schedule: "R//PT1M" }));
    await store.put("chronos.jobs.YmFk", new TextEncoder().encode('{"name": "bad name"}'));
    await store.put("chronos.jobs.bm90anNvbg", new TextEncoder().encode("not json"));
    expect((await repo.load()).jobs.map((j) => j.name)).toEqual(["good"]);
  });
});
