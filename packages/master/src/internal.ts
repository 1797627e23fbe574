/**
 * For benchmarks and sibling packages only, not an operator's or framework author's API: the pure
 * allocator and the snapshot it allocates from (bench/allocator.bench.ts drives it directly), and the
 * master's books with the function that snapshots them for a cycle (the benchmark times that too).
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
export { MasterState } from "./registry/master-state.js";
