/** What every Agora error may say beyond its message: the input field it is about, and its cause. */
export interface AgoraErrorOptions {
  /** The input field (dotted path: `resources.0.scalar`) the error is about, when there is one. */
  field?: string;
  cause?: unknown;
}

/**
 * The one base of every package's typed errors. Each package keeps its own table of stable codes
 * (its `errors.ts`, checked against docs/errors.md) and its own subclass, which sets `name`, narrows
 * `code` to its table and adds what only it knows (an HTTP status, Marathon's `details`…); the code,
 * the field and the cause are carried the same way everywhere.
 *
 * @example
 * export class AgentError extends AgoraError<AgentErrorCode> {
 *   override readonly name = "AgentError";
 * }
 */
export abstract class AgoraError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly field: string | undefined;

  constructor(code: Code, message: string, options: AgoraErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }
}

/** True for an error of any Agora package. */
export function isAgoraError(e: unknown): e is AgoraError {
  return e instanceof AgoraError;
}
