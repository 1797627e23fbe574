import { InProcessBus, ManualClock } from "@agora/transport";
import { onTestFinished } from "vitest";
import type { SchedulerOptions } from "../options.js";
import { Scheduler } from "../scheduler.js";
import { FakeMaster } from "./fake-master.js";

/**
 * A real in-process bus, a fake master on it, a manual clock and a scheduler using all three;
 * closed when the calling test finishes.
 */
export function harness(options: Partial<SchedulerOptions> = {}) {
  const bus = new InProcessBus();
  const clock = new ManualClock();
  const master = new FakeMaster(bus).start();
  const scheduler = new Scheduler({ bus, clock, framework: { name: "test-framework" }, ...options });
  const h = {
    bus,
    clock,
    master,
    scheduler,
    async close() {
      await scheduler.close();
      await bus.close();
    },
  };
  onTestFinished(() => h.close());
  return h;
}

export type Harness = ReturnType<typeof harness>;

/**
 * A harness whose scheduler has subscribed. `prepare` runs before subscribing (e.g. to set the
 * fake master's heartbeat interval); `barrier` is a request/reply round trip, so every call
 * published before it has reached the master once it resolves.
 */
export async function subscribed(options: Partial<SchedulerOptions> = {}, prepare?: (h: Harness) => void) {
  const h = harness(options);
  prepare?.(h);
  const id = await h.scheduler.subscribe();
  return { ...h, id, barrier: () => h.scheduler.revive() };
}
