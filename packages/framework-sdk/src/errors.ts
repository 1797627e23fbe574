import { AgoraError } from "@agora/protocol";

/**
 * Error codes of the framework SDK. Codes are stable: never reuse a retired one.
 * `errors.test.ts` checks that every code is documented in this package's README.
 */
export const schedulerErrorCodes = {
  SUBSCRIBE_FAILED: "The master refused the subscribe call (see masterCode and field)",
  CALL_FAILED: "The master answered a call with ok:false (see masterCode and field)",
  CLOSED: "The scheduler (or its bus) was used after close() or teardown()",
  TIMEOUT: "The master did not answer a call, or subscribe did not complete, in time",
  NO_MASTER: "A call found no master listening on the bus",
  NOT_SUBSCRIBED: "A call that names the framework was made before subscribe()",
  INVALID_REPLY: "The master's reply is not a valid CallReply",
  INVALID_OPTIONS: "The Scheduler options (e.g. the framework info) are invalid (see field)",
  INVALID_TASK: "A TaskSpec cannot become a valid TaskInfo (see field)",
  MASTER_ERROR: "The master sent an `error` event: the framework cannot go on as it is",
} as const;

export type SchedulerErrorCode = keyof typeof schedulerErrorCodes;

export interface SchedulerErrorOptions {
  /** The master's own error code (e.g. `INVALID_CALL`, `INVALID_OFFERS`) when the master refused. */
  masterCode?: string;
  /** The field (dotted path) the error is about, when there is one. */
  field?: string;
  cause?: unknown;
}

/**
 * Every failure the SDK reports: rejected call promises, the `error` event, thrown validation.
 *
 * @example
 * ```ts
 * try {
 *   await scheduler.launch(offer, tasks);
 * } catch (e) {
 *   if (isSchedulerError(e, "CALL_FAILED")) console.error(e.masterCode, e.field, e.message);
 * }
 * ```
 */
export class SchedulerError extends AgoraError<SchedulerErrorCode> {
  override readonly name = "SchedulerError";
  readonly masterCode: string | undefined;

  constructor(code: SchedulerErrorCode, message: string, options: SchedulerErrorOptions = {}) {
    super(code, message, options);
    this.masterCode = options.masterCode;
  }
}

/**
 * Narrows `e` to a `SchedulerError`, optionally of one code.
 *
 * @example
 * ```ts
 * scheduler.subscribe().catch((e) => {
 *   if (isSchedulerError(e, "CLOSED")) return; // we closed it ourselves
 *   throw e;
 * });
 * ```
 */
export function isSchedulerError(e: unknown, code?: SchedulerErrorCode): e is SchedulerError {
  return e instanceof SchedulerError && (code === undefined || e.code === code);
}
