/**
 * @agora/master — the Mesos-style master: registries, offers, the DRF allocator, status relay,
 * failure detection, leader election and its HTTP API. Allocator internals for benchmarks and
 * sibling packages are in "./internal".
 */
export type { Allocator } from "./allocator/drf-allocator.js";
export type { AuthenticationOptions } from "./authentication.js";
export { isMasterError, MasterError, type MasterErrorCode, masterErrorCodes } from "./errors.js";
export { buildMasterHttp, type MasterHttpOptions } from "./http/app.js";
export { Master } from "./master.js";
export type { MasterMetrics } from "./metrics.js";
export type { MasterOptions } from "./options.js";
export type { MasterView } from "./view.js";
