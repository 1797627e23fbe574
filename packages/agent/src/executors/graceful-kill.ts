import type { Clock, TimerHandle } from "@agora/transport";

/** The two signals of a graceful kill. */
export type KillSignal = "SIGTERM" | "SIGKILL";

/**
 * A task's graceful kill, as Mesos' command executor and `docker stop` do it: SIGTERM now, SIGKILL
 * once the grace period has passed unless the task ended first. One piece for every executor's
 * handle; each says how a signal reaches its task (a process group, a container, a custom
 * executor's SHUTDOWN event in place of SIGTERM).
 *
 * @example
 * const killer = new GracefulKill(clock, (s) => signalGroup(pid, s));
 * killer.start(3000); // SIGTERM, and SIGKILL in 3 s
 * child.once("exit", () => killer.cancel());
 */
export class GracefulKill {
  private started = false;
  private forceTimer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly signal: (signal: KillSignal) => void,
  ) {}

  /** True once `start` was called: an end after it is the kill's doing (TASK_KILLED). */
  get requested(): boolean {
    return this.started;
  }

  /** Sends SIGTERM and arms the SIGKILL; does nothing when the kill is under way already. */
  start(gracePeriodMs: number): void {
    if (this.started) return;
    this.started = true;
    this.signal("SIGTERM");
    this.forceTimer = this.clock.setTimeout(() => {
      this.forceTimer = undefined;
      this.signal("SIGKILL");
    }, gracePeriodMs);
  }

  /** The task ended, or is no longer watched: no SIGKILL follows. */
  cancel(): void {
    if (this.forceTimer) this.clock.clear(this.forceTimer);
    this.forceTimer = undefined;
  }
}
