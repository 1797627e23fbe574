import { InProcessBus } from "./in-process-bus.js";
import { describeBusConformance } from "./testing/bus-conformance.js";

describeBusConformance("InProcessBus", async () => {
  const bus = new InProcessBus();
  return { a: bus, b: bus, teardown: () => bus.close() };
});
