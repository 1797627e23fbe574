/**
 * For benchmarks and sibling packages only, not an operator's or framework author's API: the pure
 * allocator and the snapshot it allocates from (bench/allocator.bench.ts drives it directly), the
 * master's books with the function that snapshots them for a cycle (the benchmark times that too), and
 * `/master/state`'s renderer with the functions that copy its pieces out (bench/master-state.bench.ts).
 */
export { cycleSnapshot } from "./allocation.js";
export {
  type AllocationSnapshot,
  type AllocatorAgent,
  type AllocatorFramework,
  DrfAllocator,
  type OfferPlan,
} from "./allocator/drf-allocator.js";
export { DeclineFilterIndex } from "./allocator/filter-index.js";
export { jsonSize, MesosStateRenderer, writeJson } from "./http/mesos-state.js";
export { MasterState } from "./registry/master-state.js";
