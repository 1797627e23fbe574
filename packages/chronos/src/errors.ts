import { AgoraError } from "@agora/protocol";

/**
 * Error codes of Chronos, with the HTTP status each maps to. Chronos itself answered 400 for bad
 * input and 500 with a stack trace for most of the rest; we answer a clear 4xx naming the field.
 * Codes are stable: never reuse a retired one. docs/errors.md lists every one (a repo test checks).
 */
export const chronosErrorCodes = {
  INVALID_JSON: { status: 400, description: "A request body is not JSON" },
  INVALID_JOB: {
    status: 400,
    description: "A job definition breaks Chronos' rules (the message and `details` name the field)",
  },
  INVALID_SCHEDULE: {
    status: 400,
    description:
      "A schedule does not parse (ISO 8601 `R[n]/[start]/period` or 5-field cron) or its time zone is unknown",
  },
  UNKNOWN_PARENT: { status: 400, description: "A dependent job names a parent that does not exist" },
  DEPENDENCY_CYCLE: {
    status: 400,
    description: "A dependent job would make the job graph cyclic (or is its own parent)",
  },
  INVALID_REQUEST: { status: 400, description: "A query parameter or path segment is invalid" },
  JOB_NOT_FOUND: { status: 404, description: "No job has the name in the request" },
  RUN_NOT_FOUND: { status: 404, description: "The job has no run with the id in the request" },
  SCHEDULE_NOT_FOUND: { status: 404, description: "The job has no schedule with the id in the request" },
  ALREADY_EXISTS: {
    status: 409,
    description: "A Metronome-style POST names a job or schedule that exists already",
  },
  JOB_DISABLED: { status: 409, description: "A run was asked of a disabled job" },
  NOT_LEADER: { status: 503, description: "This Chronos is a standby and no leader is known to forward to" },
  STORE_FAILED: { status: 503, description: "The state store did not accept a write; nothing changed" },
  INTERNAL: { status: 500, description: "An unexpected failure inside Chronos (a bug)" },
} as const satisfies Record<string, { status: number; description: string }>;

export type ChronosErrorCode = keyof typeof chronosErrorCodes;

/** One field a request got wrong: its JSON path (`/schedule`, `/parents/0`) and what is wrong with it. */
export interface ErrorDetail {
  path: string;
  errors: string[];
}

/** A failure with a stable code; `details` names the fields of a refused body. */
export class ChronosError extends AgoraError<ChronosErrorCode> {
  override readonly name = "ChronosError";
  readonly details: ErrorDetail[] | undefined;

  constructor(
    code: ChronosErrorCode,
    message: string,
    options: { details?: ErrorDetail[]; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.details = options.details;
  }

  get status(): number {
    return chronosErrorCodes[this.code].status;
  }
}

export function isChronosError(e: unknown, code?: ChronosErrorCode): e is ChronosError {
  return e instanceof ChronosError && (code === undefined || e.code === code);
}
