import { type ChildProcess, spawn } from "node:child_process";
import { open } from "node:fs/promises";
import path from "node:path";
import type { TaskInfo } from "@agora/protocol";
import { type Clock, systemClock, type TimerHandle } from "@agora/transport";
import { AgentError } from "../errors.js";
import type { Executor, ExecutorHandle, LaunchContext, TaskExit } from "../executor.js";

export interface ShellExecutorOptions {
  /** PATH given to tasks; defaults to the agent's own. */
  path?: string;
  /** Times the kill grace period. */
  clock?: Clock;
}

/**
 * Runs a task's command as a local process: `/bin/sh -c value` (or `value` with `arguments` as its
 * argv, `arguments[0]` being argv[0] as in Mesos), detached into its own process group, in its
 * sandbox, with stdout and stderr written by the process itself to `stdout`/`stderr` files there.
 */
export class ShellExecutor implements Executor {
  private readonly path: string;
  private readonly clock: Clock;

  constructor(options: ShellExecutorOptions = {}) {
    this.path = options.path ?? process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
    this.clock = options.clock ?? systemClock;
  }

  async launch(task: TaskInfo, ctx: LaunchContext): Promise<ExecutorHandle> {
    const command = task.command;
    if (!command) {
      throw new AgentError("LAUNCH_FAILED", "the shell executor needs a command", {
        reason: "REASON_COMMAND_EXECUTOR_FAILED",
      });
    }
    const [file, args, argv0] = command.shell
      ? ["/bin/sh", ["-c", command.value ?? ""], undefined]
      : [command.value ?? command.arguments![0]!, command.arguments?.slice(1) ?? [], command.arguments?.[0]];

    const stdout = await open(path.join(ctx.sandbox, "stdout"), "a");
    const stderr = await open(path.join(ctx.sandbox, "stderr"), "a").catch(async (e: unknown) => {
      await stdout.close();
      throw e;
    });
    try {
      const child = spawn(file, args, {
        cwd: ctx.sandbox,
        env: { PATH: this.path, ...ctx.env },
        // Its own process group, so a kill reaches everything the task started.
        detached: true,
        stdio: ["ignore", stdout.fd, stderr.fd],
        ...(argv0 === undefined ? {} : { argv0 }),
      });
      await spawned(child);
      return new ShellTaskHandle(child, ctx, this.clock);
    } catch (cause) {
      throw new AgentError("LAUNCH_FAILED", `could not start '${file}': ${(cause as Error).message}`, {
        reason: "REASON_COMMAND_EXECUTOR_FAILED",
        cause,
      });
    } finally {
      // The child holds its own copies of the descriptors.
      await Promise.all([stdout.close(), stderr.close()]);
    }
  }
}

function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
}

/** Signals a whole process group, ignoring a group that is already gone. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

class ShellTaskHandle implements ExecutorHandle {
  readonly pid: number;
  private killRequested = false;
  private released = false;
  private forceTimer: TimerHandle | undefined;
  private readonly exited: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    ctx: LaunchContext,
    private readonly clock: Clock,
  ) {
    this.pid = child.pid!;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        if (this.forceTimer) this.clock.clear(this.forceTimer);
        if (!this.released) {
          // Whatever the main process left behind (`sleep 100 &`) goes with it, so nothing is orphaned.
          signalGroup(this.pid, "SIGKILL");
          ctx.onExit(this.exitOf(code, signal));
        }
        resolve();
      });
    });
  }

  kill(gracePeriodMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.killRequested)
      return this.exited;
    this.killRequested = true;
    signalGroup(this.pid, "SIGTERM");
    this.forceTimer = this.clock.setTimeout(() => signalGroup(this.pid, "SIGKILL"), gracePeriodMs);
    return this.exited;
  }

  release(): void {
    this.released = true;
    this.child.unref();
  }

  private exitOf(code: number | null, signal: NodeJS.Signals | null): TaskExit {
    if (this.killRequested) return { kind: "killed" };
    if (signal) return { kind: "signaled", signal };
    return { kind: "exited", exitCode: code ?? 0 };
  }
}
