import type { Executor, ExecutorHandle, LaunchContext } from "@agora/agent";
import type { TaskInfo } from "@agora/protocol";
import { type Clock, systemClock, type TimerHandle } from "@agora/transport";
import { SIM_LABELS } from "./workload.js";

/**
 * The simulated agents' executor: no process, like `NoopExecutor`, but each task runs for the time
 * and ends with the outcome its labels say (drawn by the seeded workload planner), so a run is
 * replayable and the agent does nothing random itself. A task without the labels finishes at once.
 */
export class SimExecutor implements Executor {
  constructor(private readonly clock: Clock = systemClock) {}

  async launch(task: TaskInfo, ctx: LaunchContext): Promise<ExecutorHandle> {
    const runMs = Number(task.labels?.[SIM_LABELS.runMs] ?? 0);
    const fail = task.labels?.[SIM_LABELS.fail] === "true";
    let done = false;
    let timer: TimerHandle | undefined;
    const finish = (kind: "exited" | "killed") => {
      if (done) return;
      done = true;
      if (timer) this.clock.clear(timer);
      ctx.onExit(kind === "killed" ? { kind } : { kind, exitCode: fail ? 1 : 0 });
    };
    // A macrotask at the least, so the agent has reported RUNNING before the task ends.
    if (runMs > 0) timer = this.clock.setTimeout(() => finish("exited"), runMs);
    else timer = this.clock.defer(() => finish("exited"));
    return {
      kill: async () => finish("killed"),
      release: () => {
        done = true;
        if (timer) this.clock.clear(timer);
      },
    };
  }
}
