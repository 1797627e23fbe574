import type { HealthCheck } from "@agora/protocol";

/** What one check result changes: a new health to report, and whether the task must be killed. */
export interface HealthVerdict {
  /** Set when the task's health changed (or was first known): report it on a status update. */
  readonly healthy?: boolean;
  /** The task failed `consecutiveFailures` checks in a row: kill it. */
  readonly kill: boolean;
  readonly consecutiveFailures: number;
}

/**
 * Mesos' and Marathon's health semantics, without timers: failures inside the grace period (from
 * the task's start) are ignored until the task has first been healthy; a success resets the
 * consecutive failures; `consecutiveFailures` failures in a row mean the task is killed. Only
 * changes of health are reported, the first known health included.
 */
export class HealthPolicy {
  private healthy: boolean | undefined;
  private everHealthy = false;
  private failures = 0;

  constructor(
    private readonly check: Pick<HealthCheck, "gracePeriodSeconds" | "consecutiveFailures">,
    private readonly startedAtMs: number,
  ) {}

  get current(): boolean | undefined {
    return this.healthy;
  }

  record(ok: boolean, nowMs: number): HealthVerdict {
    if (ok) {
      this.failures = 0;
      this.everHealthy = true;
      return this.change(true, false);
    }
    const inGrace = !this.everHealthy && nowMs - this.startedAtMs < this.check.gracePeriodSeconds * 1000;
    if (inGrace) return { kill: false, consecutiveFailures: 0 };
    this.failures++;
    return this.change(false, this.failures >= this.check.consecutiveFailures);
  }

  private change(healthy: boolean, kill: boolean): HealthVerdict {
    const changed = this.healthy !== healthy;
    this.healthy = healthy;
    return { ...(changed ? { healthy } : {}), kill, consecutiveFailures: this.failures };
  }
}
