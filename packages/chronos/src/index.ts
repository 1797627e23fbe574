/**
 * @agora/chronos — scheduled and dependent jobs with Chronos' API (and Metronome's `/v1/jobs`),
 * built only on @agora/framework-sdk; it never imports master or agent code. Its API, by name
 * (pinned by test/repo/public-surfaces.test.ts): start a Chronos, and the types its handle, its
 * jobs, runs and events are read through. No sibling needs more, so there is no "./internal".
 */
export { type ChronosOptions, type RunningChronos, startChronos } from "./chronos.js";
export {
  ChronosError,
  type ChronosErrorCode,
  chronosErrorCodes,
  type ErrorDetail,
  isChronosError,
} from "./errors.js";
export {
  DEFAULT_JOB_RESOURCES,
  type JobDefaults,
  JobDefinition,
  type JobDefinitionInput,
} from "./model/job.js";
export type { JobRun } from "./model/run.js";
export type { ChronosRuntime } from "./runtime/runtime.js";
export type { ChronosEvent, ChronosEventType, ChronosService, JobView } from "./service.js";
