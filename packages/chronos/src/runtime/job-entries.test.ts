import { InProcessBus, ManualClock, MemoryStateStore } from "@agora/transport";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { JobText } from "../http/job-json.js";
import { DEFAULT_JOB_RESOURCES, JobDefinition } from "../model/job.js";
import { FakeMaster } from "../test-support/fake-master.js";
import { ChronosRuntime } from "./runtime.js";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function started(): Promise<ChronosRuntime> {
  const bus = new InProcessBus();
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00.000Z"));
  const master = new FakeMaster(bus, clock, "entries").start();
  const runtime = new ChronosRuntime({
    bus,
    store: new MemoryStateStore(),
    clock,
    cluster: "entries",
    logger: pino({ level: "silent" }),
  });
  stops.push(async () => {
    await runtime.stop();
    master.stop();
    await bus.close();
  });
  await runtime.start();
  return runtime;
}

const job = (name: string) =>
  JobDefinition.parse({ name, command: "true", schedule: "R/2027-01-01T00:00:00Z/P1D" });

describe("job entries (what GET /jobs and /jobs/search read)", () => {
  it("are the same array until a job or its counters change, and GET /jobs' bytes with them", async () => {
    const runtime = await started();
    const text = new JobText(DEFAULT_JOB_RESOURCES);
    await runtime.putJob(job("b"));
    const first = runtime.entries();
    expect(runtime.entries()).toBe(first);
    const bytes = text.all(first);
    expect(text.all(runtime.entries())).toBe(bytes);

    await runtime.putJob(job("a"));
    const second = runtime.entries();
    expect(second).not.toBe(first);
    expect(second.map((e) => e.definition.name)).toEqual(["a", "b"]);

    await runtime.markSuccess("b");
    const third = runtime.entries();
    expect(third).not.toBe(second);
    expect(third[1]?.stats.successCount).toBe(1);
    const after = JSON.parse(text.all(third).toString()) as { name: string; successCount: number }[];
    expect(after.map((j) => [j.name, j.successCount])).toEqual([
      ["a", 0],
      ["b", 1],
    ]);

    await runtime.deleteJob("a");
    expect(runtime.entries().map((e) => e.definition.name)).toEqual(["b"]);
  });
});
