/**
 * @agora/marathon — long-running services with Marathon's REST v2 API, built only on
 * @agora/framework-sdk; it never imports master or agent code. Its runtime and model, for
 * benchmarks and the CLI's simulations, are in "./internal".
 */
export {
  type ErrorDetail,
  isMarathonError,
  MarathonError,
  type MarathonErrorCode,
  marathonErrorCodes,
} from "./errors.js";
export type { MarathonEvent, MarathonEventType } from "./events.js";
export { createMarathonHttp, type MarathonHttpOptions } from "./http/server.js";
export { type MarathonOptions, type RunningMarathon, startMarathon } from "./marathon.js";
export type { MarathonInfo, MarathonService } from "./service.js";
