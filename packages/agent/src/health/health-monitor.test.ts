import { HealthCheck } from "@agora/protocol";
import { systemClock } from "@agora/transport";
import { describe, expect, it } from "vitest";
import { HealthMonitor } from "./health-monitor.js";
import type { HealthVerdict } from "./health-policy.js";

function check(overrides: Record<string, unknown>) {
  return HealthCheck.parse({
    type: "TCP",
    tcp: { port: 1 },
    delaySeconds: 0,
    intervalSeconds: 0.01,
    timeoutSeconds: 1,
    gracePeriodSeconds: 0,
    consecutiveFailures: 3,
    ...overrides,
  });
}

function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (condition() ? resolve() : setTimeout(poll, 5));
    poll();
  });
}

describe("HealthMonitor", () => {
  it("reports nothing for failures inside the grace period", async () => {
    let probes = 0;
    const verdicts: HealthVerdict[] = [];
    const m = new HealthMonitor({
      check: check({ gracePeriodSeconds: 3600 }),
      probe: async () => {
        probes++;
        return false;
      },
      clock: systemClock,
      onVerdict: (v) => verdicts.push(v),
    }).start();
    await until(() => probes >= 10);
    m.stop();
    expect(verdicts.every((v) => v.healthy === undefined && !v.kill)).toBe(true);
  });

  it("counts a probe that outlives its timeout as a failure, and stops after the kill verdict", async () => {
    let probes = 0;
    const verdicts: HealthVerdict[] = [];
    new HealthMonitor({
      check: check({ timeoutSeconds: 0.01, consecutiveFailures: 2 }),
      probe: () => {
        probes++;
        return new Promise<boolean>(() => {});
      },
      clock: systemClock,
      onVerdict: (v) => verdicts.push(v),
    }).start();
    await until(() => verdicts.some((v) => v.kill));
    expect(verdicts).toEqual([
      { healthy: false, kill: false, consecutiveFailures: 1 },
      { kill: true, consecutiveFailures: 2 },
    ]);
    expect(probes).toBe(2);
  });
});
