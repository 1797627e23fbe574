import { HealthCheck, type HealthCheckInput } from "@agora/protocol";
import type { FakeMaster } from "./fake-master.js";

export { freePort } from "../../../../test/harness/ports.js";

/** Fast checks for tests: every 50 ms, no delay or grace period, killed after 2 failures; `check` overrides. */
export function fastHealthCheck(check: HealthCheckInput): HealthCheck {
  return HealthCheck.parse({
    delaySeconds: 0,
    intervalSeconds: 0.05,
    timeoutSeconds: 1,
    gracePeriodSeconds: 0,
    consecutiveFailures: 2,
    ...check,
  });
}

/** The `healthy` values the agent reported for a task, oldest first. */
export function healthOf(master: FakeMaster, taskId: string): Array<boolean | undefined> {
  return master.updates
    .filter((u) => u.status.taskId === taskId && u.status.healthy !== undefined)
    .map((u) => u.status.healthy);
}
