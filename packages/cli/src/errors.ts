import { AgoraError } from "@agora/protocol";

/**
 * Error codes of the CLI. Codes are stable: never reuse a retired one.
 */
export const cliErrorCodes = {
  USAGE: "A flag, argument or AGORA_* variable is missing or invalid (exit code 2)",
  TASK_FAILED: "`agora execute`: a task ended in a state other than TASK_FINISHED (exit code 1)",
  TIMEOUT:
    "`agora execute`: tasks could not be placed or finish within --timeout; `agora app`: a deployment did not end within --timeout (exit code 3)",
  UNREACHABLE:
    "A client verb could not reach the master, Marathon or Chronos at the URL it names (exit code 1)",
  REQUEST_FAILED:
    "The master, Marathon or Chronos refused a client verb's request (4xx/5xx, its message shown), or answered with JSON the verb cannot read (exit code 1)",
  NOT_FOUND: "A client verb names an agent, framework, task, app or job that does not exist (exit code 1)",
  DEPLOYMENT_FAILED:
    "`agora app`: the deployment was cancelled, rolled back or replaced before it finished (exit code 1)",
} as const;

export type CliErrorCode = keyof typeof cliErrorCodes;

export const exitCodes: Record<CliErrorCode, number> = {
  USAGE: 2,
  TASK_FAILED: 1,
  TIMEOUT: 3,
  UNREACHABLE: 1,
  REQUEST_FAILED: 1,
  NOT_FOUND: 1,
  DEPLOYMENT_FAILED: 1,
};

export class CliError extends AgoraError<CliErrorCode> {
  override readonly name = "CliError";
}

export function isCliError(e: unknown): e is CliError {
  return e instanceof CliError;
}
