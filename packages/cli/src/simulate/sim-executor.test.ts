import type { LaunchContext, TaskExit } from "@agora/agent";
import type { TaskInfo } from "@agora/protocol";
import { ManualClock } from "@agora/transport";
import { describe, expect, it } from "vitest";
import { END_TICK_MS, SimExecutor } from "./sim-executor.js";
import { SIM_LABELS } from "./workload.js";

/** A clock that counts the timers it was asked for. */
class CountingClock extends ManualClock {
  armed = 0;
  override setTimeout(fn: () => void, ms: number) {
    this.armed++;
    return super.setTimeout(fn, ms);
  }
}

function task(runMs: number, fail = false): TaskInfo {
  return {
    taskId: `t-${runMs}-${fail}`,
    labels: { [SIM_LABELS.runMs]: String(runMs), [SIM_LABELS.fail]: String(fail) },
  } as unknown as TaskInfo;
}

function context(exits: TaskExit[]): LaunchContext {
  return { onExit: (exit: TaskExit) => exits.push(exit) } as unknown as LaunchContext;
}

describe("SimExecutor", () => {
  it("ends a task no sooner than its run time and within one tick of it, with its labelled outcome", async () => {
    const clock = new CountingClock(1_000_003);
    const executor = new SimExecutor(clock);
    const ok: TaskExit[] = [];
    const failed: TaskExit[] = [];
    await executor.launch(task(2_000), context(ok));
    await executor.launch(task(2_001, true), context(failed));
    clock.advance(1_999);
    expect([...ok, ...failed]).toEqual([]);
    clock.advance(END_TICK_MS + 1);
    expect(ok).toEqual([{ kind: "exited", exitCode: 0 }]);
    expect(failed).toEqual([{ kind: "exited", exitCode: 1 }]);
  });

  it("fires the ends due on the same tick from one timer, whichever agent launched them", async () => {
    const clock = new CountingClock(1_000_000);
    const executor = new SimExecutor(clock);
    const exits: TaskExit[] = [];
    for (let ms = 991; ms <= 1_000; ms++) await executor.launch(task(ms), context(exits));
    expect(clock.armed).toBe(1);
    clock.advance(1_000);
    expect(exits).toHaveLength(10);
  });

  it("reports a killed task once, killed, and a released one never", async () => {
    const clock = new CountingClock(1_000_000);
    const executor = new SimExecutor(clock);
    const killed: TaskExit[] = [];
    const released: TaskExit[] = [];
    const a = await executor.launch(task(500), context(killed));
    const b = await executor.launch(task(500), context(released));
    await a.kill(0);
    await a.kill(0);
    b.release();
    clock.advance(1_000);
    expect(killed).toEqual([{ kind: "killed" }]);
    expect(released).toEqual([]);
  });
});
