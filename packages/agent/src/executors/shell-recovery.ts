import { readFile } from "node:fs/promises";
import { constants } from "node:os";
import path from "node:path";
import type { Clock, TimerHandle } from "@agora/transport";
import type { TaskCgroup } from "../cgroups/cgroups.js";
import { processStartTime } from "../checkpoint.js";
import type { ExecutorHandle, RecoverContext, TaskExit, TaskUsage } from "../executor.js";
import { processGroupUsage } from "../usage/proc-usage.js";
import { GracefulKill } from "./graceful-kill.js";

/** Where a shell task's wrapper writes its command's exit status, in the task's sandbox. */
export const EXIT_STATUS_FILE = ".agora-exit-status";

/**
 * Runs the task's command (`"$@"`) without exec'ing it, so the wrapper outlives it to write its
 * exit status where a later agent process can read it (a process that is not our child cannot be
 * waited for). A command killed by a signal shows as 128+n in `$?`; the wrapper re-raises that
 * signal on itself, so a watching agent sees the same signal it would have seen from the command.
 */
export const RECORD_EXIT_STATUS = `f=$AGORA_EXIT_FILE; unset AGORA_EXIT_FILE; "$@"; s=$?; echo $s > "$f"; if [ $s -gt 128 ]; then kill -$((s - 128)) $$; fi; exit $s`;

/** How a task ended that the kernel's OOM killer killed in its cgroup. */
export const OUT_OF_MEMORY_EXIT: TaskExit = {
  kind: "limited",
  reason: "REASON_CONTAINER_LIMITATION_MEMORY",
  message: "Task exceeded its memory limit and was killed (out of memory)",
};

/** How a recovered task's process ended: from its exit status file, else unknown. */
export async function recordedExit(sandbox: string): Promise<TaskExit> {
  const text = await readFile(path.join(sandbox, EXIT_STATUS_FILE), "utf8").catch(() => undefined);
  const status = text === undefined ? Number.NaN : Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(status)) return { kind: "unknown" };
  if (status > 128) {
    const signal = Object.entries(constants.signals).find(([, n]) => n === status - 128)?.[0];
    if (signal) return { kind: "signaled", signal: signal as NodeJS.Signals };
  }
  return { kind: "exited", exitCode: status };
}

/** Signals a whole process group, ignoring a group that is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

/**
 * Takes over a shell task a previous agent process launched. The task's process group leader is
 * found by pid *and* start time: a pid the kernel gave to another process since is not ours, and
 * that process is never signalled. The leader is not our child, so its end is noticed by polling
 * /proc; its exit status comes from the file the launch wrapper wrote. Its cgroup, when the launch
 * made one, measures it, tells an OOM kill apart, and is removed once it ended. Resolves undefined
 * when the checkpoint names no process.
 */
export async function recoverShellTask(
  ctx: RecoverContext,
  clock: Clock,
  pollMs: number,
  cgroup?: TaskCgroup,
): Promise<ExecutorHandle | undefined> {
  const { pid, startTime } = ctx.run;
  if (pid === undefined || startTime === undefined) return undefined;
  const alive = processStartTime(pid, { live: true }) === startTime;
  return new RecoveredShellHandle(pid, startTime, alive, ctx, clock, pollMs, cgroup);
}

class RecoveredShellHandle implements ExecutorHandle {
  private released = false;
  private done = false;
  private pollTimer: TimerHandle | undefined;
  private readonly killer: GracefulKill;
  private resolveExited!: () => void;
  private readonly exited = new Promise<void>((resolve) => {
    this.resolveExited = resolve;
  });

  constructor(
    readonly pid: number,
    private readonly startTime: number,
    alive: boolean,
    private readonly ctx: RecoverContext,
    private readonly clock: Clock,
    private readonly pollMs: number,
    private readonly cgroup: TaskCgroup | undefined,
  ) {
    this.killer = new GracefulKill(clock, (signal) => signalGroup(pid, signal));
    // A task that ended while no agent watched reports its exit once the agent has taken it over.
    if (alive) this.schedulePoll();
    else this.pollTimer = this.clock.setTimeout(() => void this.ended(false), 0);
  }

  usage(): Promise<TaskUsage> {
    return this.cgroup ? this.cgroup.usage() : processGroupUsage(this.pid);
  }

  kill(gracePeriodMs: number): Promise<void> {
    if (!this.done) this.killer.start(gracePeriodMs);
    return this.exited;
  }

  release(): void {
    this.released = true;
    if (this.pollTimer) this.clock.clear(this.pollTimer);
    this.killer.cancel();
  }

  private schedulePoll(): void {
    this.pollTimer = this.clock.setTimeout(() => void this.poll(), this.pollMs);
  }

  private async poll(): Promise<void> {
    if (this.released) return;
    if (processStartTime(this.pid, { live: true }) === this.startTime) return this.schedulePoll();
    await this.ended(true);
  }

  private async ended(watched: boolean): Promise<void> {
    if (this.released || this.done) return;
    this.done = true;
    this.killer.cancel();
    // The group was ours while we watched its leader: what the task left behind goes with it.
    if (watched) signalGroup(this.pid, "SIGKILL");
    // As a launched task's: a kill asked for is a kill, the OOM killer's is the memory limit's.
    const oom = (await this.cgroup?.oomKilled()) ?? false;
    const exit: TaskExit = this.killer.requested
      ? { kind: "killed" }
      : oom
        ? OUT_OF_MEMORY_EXIT
        : await recordedExit(this.ctx.sandbox);
    this.ctx.onExit(exit);
    // As a launched task's: a kill (an agent stopping with its tasks) settles once the cgroup is gone.
    await this.cgroup?.remove();
    this.resolveExited();
  }
}
