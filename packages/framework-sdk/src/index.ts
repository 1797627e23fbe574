export type {
  CommandInfoInput,
  ContainerInfoInput,
  HealthCheckInput,
  OperationInput,
  TaskInfoInput,
} from "@agora/protocol";
export { isSchedulerError, SchedulerError, type SchedulerErrorCode, schedulerErrorCodes } from "./errors.js";
export type { SchedulerOptions, StreamOptions } from "./options.js";
export { schedulerDefaults } from "./options.js";
export {
  type Launch,
  offerHas,
  type PackOptions,
  type PackResult,
  packTasks,
  scalarIn,
  type TaskResources,
  type TaskSpec,
} from "./packing.js";
export { Scheduler } from "./scheduler.js";
export type {
  FailureInfo,
  FrameworkMessage,
  SchedulerEventMap,
  SchedulerEventType,
  SchedulerStats,
  SubscribedInfo,
} from "./scheduler-events.js";
export type { Handler } from "./typed-emitter.js";
