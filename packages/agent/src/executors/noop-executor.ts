import type { TaskInfo } from "@agora/protocol";
import { type Clock, systemClock, type TimerHandle } from "@agora/transport";
import type { Executor, ExecutorHandle, LaunchContext } from "../executor.js";

export interface NoopExecutorOptions {
  /** How long each task "runs" before it finishes; 0 (the default) finishes right after RUNNING. */
  runMs?: number;
  clock?: Clock;
}

/**
 * Runs no process at all (like Mesos' test executor): a task is RUNNING at once and FINISHED after
 * `runMs`, or KILLED when killed first. For launch benchmarks, where the path through master,
 * bus and agent is what is measured, not `fork()`.
 */
export class NoopExecutor implements Executor {
  private readonly runMs: number;
  private readonly clock: Clock;

  constructor(options: NoopExecutorOptions = {}) {
    this.runMs = options.runMs ?? 0;
    this.clock = options.clock ?? systemClock;
  }

  async launch(_task: TaskInfo, ctx: LaunchContext): Promise<ExecutorHandle> {
    let done = false;
    let timer: TimerHandle | undefined;
    const finish = (kind: "exited" | "killed") => {
      if (done) return;
      done = true;
      if (timer) this.clock.clear(timer);
      ctx.onExit(kind === "exited" ? { kind, exitCode: 0 } : { kind });
    };
    // A macrotask at the least, so the agent has reported RUNNING before the task ends.
    if (this.runMs > 0) timer = this.clock.setTimeout(() => finish("exited"), this.runMs);
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
