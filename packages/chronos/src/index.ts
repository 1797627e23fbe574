/**
 * @agora/chronos — scheduled and dependent jobs with Chronos' API (and Metronome's `/v1/jobs`),
 * built only on @agora/framework-sdk; it never imports master or agent code.
 */

export { type ChronosOptions, type RunningChronos, startChronos } from "./chronos.js";
export { ChronosError, type ChronosErrorCode, chronosErrorCodes, isChronosError } from "./errors.js";
export {
  DEFAULT_JOB_RESOURCES,
  type JobDefaults,
  JobDefinition,
  type JobDefinitionInput,
} from "./model/job.js";
export type { JobRun } from "./model/run.js";
export { ChronosRuntime, type ChronosRuntimeOptions } from "./runtime/runtime.js";
export type { ChronosEvent, ChronosService, JobView } from "./service.js";
