/** Which job field a schedule error is about, so the HTTP layer can name it in its 400. */
export type ScheduleField = "schedule" | "scheduleTimeZone";

/** A schedule text or time zone that cannot be used; `message` says what is wrong with it. */
export class ScheduleError extends Error {
  override readonly name = "ScheduleError";
  readonly field: ScheduleField;

  constructor(field: ScheduleField, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.field = field;
  }
}

export function isScheduleError(error: unknown): error is ScheduleError {
  return error instanceof ScheduleError;
}
