/**
 * Error codes of the CLI. Codes are stable: never reuse a retired one.
 */
export const cliErrorCodes = {
  USAGE: "A flag, argument or AGORA_* variable is missing or invalid (exit code 2)",
  TASK_FAILED: "`agora execute`: a task ended in a state other than TASK_FINISHED (exit code 1)",
  TIMEOUT: "`agora execute`: tasks could not be placed or finish within --timeout (exit code 3)",
} as const;

export type CliErrorCode = keyof typeof cliErrorCodes;

export const exitCodes: Record<CliErrorCode, number> = { USAGE: 2, TASK_FAILED: 1, TIMEOUT: 3 };

export class CliError extends Error {
  override readonly name = "CliError";
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}

export function isCliError(e: unknown): e is CliError {
  return e instanceof CliError;
}
