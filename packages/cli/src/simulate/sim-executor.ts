import type { Executor, ExecutorHandle, LaunchContext } from "@agora/agent";
import type { TaskInfo } from "@agora/protocol";
import { type Clock, systemClock, type TimerHandle } from "@agora/transport";
import { SIM_LABELS } from "./workload.js";

/**
 * Task ends fall due on ticks of this many ms. A worker runs thousands of agents; with a timer per
 * task, nearly every end had a turn of the event loop to itself, hence its own status update
 * message and its own socket write (the worker's writes were 18 % of its busy time). On a tick, the
 * ends of the same 10 ms leave together, a delay that is noise beside synthetic run times of seconds.
 */
export const END_TICK_MS = 10;

/**
 * The simulated agents' executor: no process, like `NoopExecutor`, but each task runs for the time
 * and ends with the outcome its labels say (drawn by the seeded workload planner), so a run is
 * replayable and the agent does nothing random itself. A task without the labels finishes at once.
 * One instance serves every agent of a worker, so the ends it groups on a tick span agents.
 */
export class SimExecutor implements Executor {
  /** The ends due on each tick (its time, ms since the epoch), with the one timer that fires them. */
  private readonly ticks = new Map<number, Set<() => void>>();

  constructor(private readonly clock: Clock = systemClock) {}

  async launch(task: TaskInfo, ctx: LaunchContext): Promise<ExecutorHandle> {
    const runMs = Number(task.labels?.[SIM_LABELS.runMs] ?? 0);
    const fail = task.labels?.[SIM_LABELS.fail] === "true";
    let done = false;
    let deferred: TimerHandle | undefined;
    let due: Set<() => void> | undefined;
    const cancel = () => {
      done = true;
      if (deferred) this.clock.clear(deferred);
      due?.delete(exited);
    };
    const exited = () => {
      if (done) return;
      done = true;
      ctx.onExit({ kind: "exited", exitCode: fail ? 1 : 0 });
    };
    // A macrotask at the least, so the agent has reported RUNNING before the task ends.
    if (runMs > 0) due = this.onTick(runMs, exited);
    else deferred = this.clock.defer(exited);
    return {
      kill: async () => {
        if (done) return;
        cancel();
        ctx.onExit({ kind: "killed" });
      },
      release: cancel,
    };
  }

  /** Schedules `end` on the first tick at least `ms` from now; returns that tick's set of ends. */
  private onTick(ms: number, end: () => void): Set<() => void> {
    const now = this.clock.now();
    const at = Math.ceil((now + ms) / END_TICK_MS) * END_TICK_MS;
    let ends = this.ticks.get(at);
    if (!ends) {
      const created = new Set<() => void>();
      ends = created;
      this.ticks.set(at, created);
      this.clock.setTimeout(() => {
        this.ticks.delete(at);
        for (const fire of created) fire();
      }, at - now);
    }
    ends.add(end);
    return ends;
  }
}
