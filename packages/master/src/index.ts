export {
  DEFAULT_REFUSE_SECONDS,
  type DeclineFilter,
  MAX_REFUSE_SECONDS,
  refuseDurationMs,
} from "./allocator/decline-filter.js";
export {
  type AllocationSnapshot,
  type Allocator,
  type AllocatorAgent,
  type AllocatorFramework,
  DrfAllocator,
  type OfferPlan,
} from "./allocator/drf-allocator.js";
export { DeclineFilterIndex, NO_FILTERS, type OfferFilters } from "./allocator/filter-index.js";
export { isAllocatable, MIN_ALLOCATABLE } from "./allocator/min-allocatable.js";
export { ancestorRoles, RoleSorter } from "./allocator/role-sorter.js";
export { DrfSorter, type Sorter } from "./allocator/sorter.js";
export { isMasterError, MasterError, type MasterErrorCode, masterErrorCodes } from "./errors.js";
export { buildMasterHttp, type MasterHttpOptions } from "./http/app.js";
export { Master } from "./master.js";
export { MasterMetrics } from "./metrics.js";
export type { MasterOptions } from "./options.js";
export { ResourceLedger } from "./registry/resource-ledger.js";
export type {
  AgentView,
  FrameworkView,
  MasterView,
  OfferView,
  TaskView,
} from "./view.js";
