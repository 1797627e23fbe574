import { AgoraError } from "@agora/protocol";

/**
 * Error codes of Marathon, with the HTTP status each maps to (Marathon's own statuses). Codes are
 * stable: never reuse a retired one. docs/errors.md lists every one (a repo test checks).
 */
export const marathonErrorCodes = {
  INVALID_JSON: { status: 400, description: "A request body is not JSON" },
  INVALID_DEFINITION: {
    status: 422,
    description: "An app or group definition breaks Marathon's rules (see details)",
  },
  INVALID_REQUEST: { status: 400, description: "A query parameter or a combination of them is invalid" },
  APP_NOT_FOUND: { status: 404, description: "No app has the id in the request" },
  GROUP_NOT_FOUND: { status: 404, description: "No group has the id in the request" },
  TASK_NOT_FOUND: { status: 404, description: "No task has the id in the request" },
  VERSION_NOT_FOUND: { status: 404, description: "The app or group has no such version" },
  DEPLOYMENT_NOT_FOUND: { status: 404, description: "No running deployment has the id in the request" },
  ALREADY_EXISTS: { status: 409, description: "A POST names an app or group that exists already" },
  APP_LOCKED: {
    status: 409,
    description: "An app is in a running deployment; retry with ?force=true to cancel that deployment",
  },
  TOO_MANY_DEPLOYMENTS: {
    status: 403,
    description: "As many deployments as `--max-running-deployments` run already; wait or cancel one",
  },
  NO_LEADER: { status: 404, description: "No Marathon leads right now (`GET /v2/leader`)" },
  NOT_LEADER: { status: 503, description: "This Marathon is a standby and no leader is known to forward to" },
  STORE_FAILED: { status: 503, description: "The state store did not accept a write; nothing changed" },
  STORED_STATE_INVALID: {
    status: 500,
    description:
      "A record in the state store does not match its schema (the key is named); Marathon does not lead on it",
  },
  INTERNAL: { status: 500, description: "An unexpected failure inside Marathon (a bug)" },
} as const satisfies Record<string, { status: number; description: string }>;

export type MarathonErrorCode = keyof typeof marathonErrorCodes;

/** Marathon's error body `details` entry: a JSON path and its messages. */
export interface ErrorDetail {
  path: string;
  errors: string[];
}

/** A failure with a stable code; `details` carries Marathon-shaped validation details, `deployments` the locks. */
export class MarathonError extends AgoraError<MarathonErrorCode> {
  override readonly name = "MarathonError";
  readonly details: ErrorDetail[] | undefined;
  readonly deployments: { id: string }[] | undefined;

  constructor(
    code: MarathonErrorCode,
    message: string,
    options: { details?: ErrorDetail[]; deployments?: { id: string }[]; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.details = options.details;
    this.deployments = options.deployments;
  }

  get status(): number {
    return marathonErrorCodes[this.code].status;
  }
}

export function isMarathonError(e: unknown, code?: MarathonErrorCode): e is MarathonError {
  return e instanceof MarathonError && (code === undefined || e.code === code);
}
