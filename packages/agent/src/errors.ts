import { AgoraError, type TaskStatusReason } from "@agora/protocol";

/**
 * Error codes of the agent package, with the HTTP status each maps to when it reaches the agent's
 * HTTP API. Codes are stable: never reuse a retired one.
 */
export const agentErrorCodes = {
  INVALID_REQUEST: { status: 400, description: "An HTTP query parameter is missing or invalid" },
  NOT_A_DIRECTORY: { status: 400, description: "/files/browse was given a path that is not a directory" },
  NOT_A_FILE: { status: 400, description: "/files/read was given a path that is not a regular file" },
  PATH_FORBIDDEN: {
    status: 403,
    description:
      "A /files path resolves outside the agent's sandboxes directory (.., absolute or symlink escape)",
  },
  FILE_NOT_FOUND: { status: 404, description: "A /files path does not exist" },
  LAUNCH_FAILED: {
    status: 500,
    description: "An executor could not start a task (the task ends TASK_FAILED)",
  },
  FETCH_FAILED: {
    status: 500,
    description:
      "A task's command.uris could not be fetched into its sandbox (the task ends TASK_FAILED, REASON_CONTAINER_LAUNCH_FAILED)",
  },
  ALREADY_STARTED: { status: 409, description: "Agent.start() was called twice" },
  STOPPED: { status: 409, description: "The agent was used after stop()" },
} as const;

export type AgentErrorCode = keyof typeof agentErrorCodes;

/** An agent failure; `field` names the request field (query parameter) when there is one. */
export class AgentError extends AgoraError<AgentErrorCode> {
  override readonly name = "AgentError";
  /** For LAUNCH_FAILED: the reason the task's TASK_FAILED update carries. */
  readonly reason: TaskStatusReason | undefined;

  constructor(
    code: AgentErrorCode,
    message: string,
    options: { field?: string; reason?: TaskStatusReason; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.reason = options.reason;
  }

  /** The HTTP status this error maps to. */
  get status(): number {
    return agentErrorCodes[this.code].status;
  }
}

export function isAgentError(e: unknown, code?: AgentErrorCode): e is AgentError {
  return e instanceof AgentError && (code === undefined || e.code === code);
}
