import { MemoryStateStore } from "./memory-state-store.js";
import { describeStateStoreConformance } from "./testing/index.js";

describeStateStoreConformance("MemoryStateStore", async () => {
  const store = new MemoryStateStore();
  return { store, teardown: () => store.close() };
});
