import type { AgentId, FrameworkId, TaskId, TaskStatus } from "@agora/protocol";
import { InProcessBus, ManualClock, MemoryStateStore, type TimerHandle } from "@agora/transport";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { JobDefinition } from "../model/job.js";
import type { JobRun } from "../model/run.js";
import { FakeMaster } from "../test-support/fake-master.js";
import { ChronosRepository } from "./repository.js";
import { ChronosRuntime, type ChronosRuntimeOptions } from "./runtime.js";

const silent = pino({ level: "silent" });
const cluster = "slots";
const T0 = Date.parse("2026-03-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

/** A runtime on an in-process bus with a fake master, a memory store and a clock that moves when told. */
function rig(
  store = new MemoryStateStore(),
  clock = new ManualClock(T0),
  options: Partial<ChronosRuntimeOptions> = {},
) {
  const bus = new InProcessBus();
  const master = new FakeMaster(bus, clock, cluster).start();
  const runtime = new ChronosRuntime({
    bus,
    store,
    clock,
    cluster,
    logger: silent,
    prepareAheadMs: 1000,
    ...options,
  });
  stops.push(async () => {
    await runtime.stop();
    master.stop();
    await bus.close();
  });
  return { bus, clock, master, runtime, store };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** Lets promises and bus deliveries settle without moving the clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe("launching a slot's run", () => {
  it("takes the slot a second early (run stored, offers revived and held) and sends the accept at the slot", async () => {
    const { clock, master, runtime, store } = rig();
    await runtime.start();
    const slot = T0 + 10_000;
    await runtime.putJob(
      JobDefinition.parse({ name: "nightly", command: "true", schedule: `R1/${iso(slot)}/PT1H` }),
    );

    clock.advance(8_999);
    await settle();
    expect(runtime.activeRuns("nightly")).toEqual([]);

    clock.advance(1);
    await settle();
    const [run] = runtime.activeRuns("nightly");
    expect(run).toMatchObject({ status: "INITIAL", scheduledAt: iso(slot) });
    // Written before the slot, so the slot is taken for any later leader too.
    const stored = await store.list("chronos.runs.");
    expect(stored).toHaveLength(1);
    const revives = master.callsOf("revive");
    expect(revives.at(-1)?.at).toBe(slot - 1000);

    const frameworkId = runtime.info().frameworkId as FrameworkId;
    master.offer(frameworkId);
    await settle();
    clock.advance(500);
    await settle();
    // Held, not declined and not launched early.
    expect(master.callsOf("decline")).toEqual([]);
    expect(master.launched()).toEqual([]);

    clock.advance(500);
    await settle();
    const accepts = master.callsOf("accept");
    expect(accepts.map((a) => a.at)).toEqual([slot]);
    expect(master.launched()).toEqual([`ct:${slot}:0:nightly:${run!.id}`]);
    expect(runtime.activeRuns("nightly")[0]).toMatchObject({ status: "STARTING" });
  });

  it("takes slots earlier while run writes are slow, so the run is written before its slot", async () => {
    const clock = new ManualClock(T0);
    // A store whose run writes take 3 s (a file store's fsync on a busy disk).
    const store = new MemoryStateStore();
    const put = store.put.bind(store);
    store.put = async (key, value, opts) => {
      if (key.startsWith("chronos.runs."))
        await new Promise((r) => clock.setTimeout(() => r(undefined), 3000));
      return put(key, value, opts);
    };
    const { master, runtime } = rig(store, clock);
    await runtime.start();
    const first = T0 + 10_000;
    await runtime.putJob(
      JobDefinition.parse({
        name: "often",
        command: "true",
        schedule: `R/${iso(first)}/PT1M`,
        concurrent: true,
      }),
    );
    /** Moves the clock in small steps, letting the runtime's passes run in between. */
    const walk = async (ms: number) => {
      for (let left = ms; left > 0; left -= 100) {
        clock.advance(Math.min(100, left));
        await settle();
      }
    };
    await walk(first - 900 - T0);
    master.offer(runtime.info().frameworkId as FrameworkId);
    await walk(first + 3_000 - clock.now());
    // Taken a second ahead, written 3 s later: launched 2 s late.
    expect(master.callsOf("accept").map((a) => a.at)).toEqual([first + 2_000]);

    // The next slot is taken about twice the write's 3 s ahead (the memory of it fading with a
    // one-minute half-life), so its run is written, and launched, by the slot.
    const second = first + 60_000;
    const created: number[] = [];
    runtime.onEvent((e) => {
      if (e.type === "run_created") created.push(clock.now());
    });
    await walk(second - 2_900 - clock.now());
    master.offer(runtime.info().frameworkId as FrameworkId);
    await walk(second - clock.now());
    expect(created).toHaveLength(1);
    expect(created[0]).toBeLessThanOrEqual(second - 3_000);
    expect(master.callsOf("accept").map((a) => a.at)).toEqual([first + 2_000, second]);
    // Lets the slow writes still in flight finish, so the runtime can stop.
    await walk(4_000);
  });

  describe("a new leader that finds a run unlaunched in the store", () => {
    /** The store a leader leaves when it dies after sending its accept, before writing that it did. */
    async function leftBehind(): Promise<{ store: MemoryStateStore; taskId: string }> {
      const store = new MemoryStateStore();
      const repo = new ChronosRepository(store, silent);
      const slot = T0 - 500;
      const job = JobDefinition.parse({ name: "report", command: "true", schedule: `R1/${iso(slot)}/PT1H` });
      const run: JobRun = {
        id: "20260301115959abcde",
        jobName: "report",
        trigger: "scheduled",
        scheduledAt: iso(slot),
        arguments: [],
        status: "INITIAL",
        createdAt: iso(slot - 1000),
        attempts: [{ attempt: 0, taskId: `ct:${slot}:0:report:20260301115959abcde` }],
      };
      await repo.saveJob(job);
      await repo.saveRun(run);
      await repo.saveFrameworkId("fw-chronos");
      // The job's state (lastSlot) did not make it: the run alone says the slot was taken.
      return { store, taskId: run.attempts[0]!.taskId };
    }

    const status = (taskId: string, state: TaskStatus["state"]): TaskStatus => ({
      taskId: taskId as TaskId,
      state,
      agentId: "agent-1" as AgentId,
      source: "SOURCE_MASTER",
      reason: "REASON_RECONCILIATION",
      timestamp: T0 / 1000,
    });

    it("asks the master about it and does not launch it again when the master knows the task", async () => {
      const { store, taskId } = await leftBehind();
      const { master, runtime } = rig(store);
      master.onReconcile = (call) =>
        call.tasks.some((t) => t.taskId === taskId) ? [status(taskId, "TASK_RUNNING")] : [];
      await runtime.start();
      await settle();
      master.offer("fw-chronos" as FrameworkId);
      await settle();

      expect(master.callsOf("reconcile").some((c) => c.call.tasks.some((t) => t.taskId === taskId))).toBe(
        true,
      );
      expect(master.launched()).toEqual([]);
      const runs = runtime.activeRuns("report");
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: "ACTIVE" });
      // The slot the run was for is not taken a second time.
      expect(runtime.job("report")?.nextRunAt).toBeUndefined();
    });

    it("launches it, with its own task id, once the master says it never saw the task", async () => {
      const { store, taskId } = await leftBehind();
      const { master, runtime } = rig(store);
      await runtime.start();
      await settle();
      master.offer("fw-chronos" as FrameworkId);
      await settle();
      // Until the master answers, the offer is held and nothing launches.
      expect(master.launched()).toEqual([]);
      expect(master.callsOf("decline")).toEqual([]);

      master.publish("fw-chronos" as FrameworkId, {
        type: "update",
        epoch: 1,
        status: status(taskId, "TASK_UNKNOWN"),
      });
      await vi.waitFor(() => expect(master.launched()).toEqual([taskId]));
      expect(runtime.activeRuns("report")).toHaveLength(1);
    });
  });
});

/**
 * A clock whose timers fire a millisecond before `now()` says they are due, with another
 * millisecond passing while the code they woke runs: Node's timers and `Date.now()` disagree by
 * that much, and a loaded machine moves the clock between any two readings.
 */
class EarlyTimers extends ManualClock {
  override setTimeout(fn: () => void, ms: number): TimerHandle {
    return super.setTimeout(
      () => {
        fn();
        queueMicrotask(() => this.advance(1));
      },
      Math.max(0, ms - 1),
    );
  }
}

describe("retrying a failed attempt", () => {
  it("launches the retry on held offers when its timer fires a little early", async () => {
    const clock = new EarlyTimers(T0);
    const { master, runtime } = rig(new MemoryStateStore(), clock, { failureRetryMs: 300 });
    await runtime.start();
    await runtime.putJob(
      JobDefinition.parse({
        name: "flaky",
        command: "exit 3",
        retries: 1,
        schedule: "R/2099-01-01T00:00:00Z/P1D",
      }),
    );
    const frameworkId = runtime.info().frameworkId as FrameworkId;
    await runtime.runNow("flaky");
    master.offer(frameworkId);
    await settle();
    const [first] = master.launched();
    expect(first).toBeDefined();

    master.publish(frameworkId, {
      type: "update",
      epoch: 1,
      status: {
        taskId: first as TaskId,
        state: "TASK_FAILED",
        agentId: "agent-1" as AgentId,
        source: "SOURCE_EXECUTOR",
        timestamp: clock.now() / 1000,
      },
    });
    await settle();
    expect(runtime.activeRuns("flaky")[0]?.attempts).toHaveLength(2);
    // Offers at hand before the retry is due: held, then used when it is.
    master.offer(frameworkId);
    await settle();
    expect(master.launched()).toHaveLength(1);
    for (let ms = 0; ms < 1_000 && master.launched().length < 2; ms++) {
      clock.advance(1);
      await settle();
    }
    expect(master.launched()).toHaveLength(2);
    expect(clock.now() - T0).toBeLessThan(1_000);
  });
});
