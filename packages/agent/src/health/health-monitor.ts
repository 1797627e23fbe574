import type { HealthCheck } from "@agora/protocol";
import type { Clock, TimerHandle } from "@agora/transport";
import { HealthPolicy, type HealthVerdict } from "./health-policy.js";
import type { HealthProbe } from "./probes.js";

export interface HealthMonitorOptions {
  check: HealthCheck;
  probe: HealthProbe;
  clock: Clock;
  /** Called after each check; a verdict with `kill` is the last one. */
  onVerdict(verdict: HealthVerdict): void;
}

/**
 * Checks one task's health: the first check `delaySeconds` after start, then one every
 * `intervalSeconds` after the previous one ended, each failing after `timeoutSeconds`; results go
 * through the `HealthPolicy`. Stops by itself after a kill verdict.
 */
export class HealthMonitor {
  private readonly policy: HealthPolicy;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly options: HealthMonitorOptions) {
    this.policy = new HealthPolicy(options.check, options.clock.now());
  }

  get healthy(): boolean | undefined {
    return this.policy.current;
  }

  start(): this {
    this.schedule(this.options.check.delaySeconds * 1000);
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.options.clock.clear(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimeout(() => void this.runCheck(), ms);
  }

  private async runCheck(): Promise<void> {
    const { check, clock, probe } = this.options;
    const timeoutMs = check.timeoutSeconds * 1000;
    let timeout: TimerHandle | undefined;
    const ok = await Promise.race([
      probe(timeoutMs).catch(() => false),
      new Promise<boolean>((resolve) => {
        timeout = clock.setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    if (timeout) clock.clear(timeout);
    if (this.stopped) return;
    const verdict = this.policy.record(ok, clock.now());
    this.options.onVerdict(verdict);
    if (verdict.kill) this.stop();
    else this.schedule(check.intervalSeconds * 1000);
  }
}
