/**
 * @agora/marathon — long-running services with Marathon's REST v2 API, built only on
 * @agora/framework-sdk; it never imports master or agent code.
 */

export * from "./deployment/planner.js";
export * from "./deployment/rollback.js";
export * from "./deployment/step-controller.js";
export * from "./errors.js";
export type { MarathonEvent, MarathonEventType } from "./events.js";
export { createMarathonHttp, type MarathonHttpOptions } from "./http/server.js";
export * from "./launch/constraints.js";
export * from "./launch/launch-queue.js";
export * from "./launch/offer-matcher.js";
export { type MarathonOptions, type RunningMarathon, startMarathon } from "./marathon.js";
export * from "./model/app-definition.js";
export * from "./model/group.js";
export * from "./model/instance.js";
export * from "./model/path-id.js";
export { MarathonRuntime, type MarathonRuntimeOptions } from "./runtime/runtime.js";
export type * from "./service.js";
