import { InProcessBus, ManualClock } from "@agora/transport";
import type { SchedulerOptions } from "../options.js";
import { Scheduler } from "../scheduler.js";
import { FakeMaster } from "./fake-master.js";

/** A real in-process bus, a fake master on it, a manual clock and a scheduler using all three. */
export function harness(options: Partial<SchedulerOptions> = {}) {
  const bus = new InProcessBus();
  const clock = new ManualClock();
  const master = new FakeMaster(bus).start();
  const scheduler = new Scheduler({ bus, clock, framework: { name: "test-framework" }, ...options });
  return {
    bus,
    clock,
    master,
    scheduler,
    async close() {
      await scheduler.close();
      await bus.close();
    },
  };
}
