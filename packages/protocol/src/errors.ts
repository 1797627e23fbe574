import { AgoraError } from "./agora-error.js";

/**
 * Error codes of the protocol package. Codes are stable: never reuse a retired one.
 * `errors.test.ts` checks that every code is documented in docs/errors.md.
 */
export const protocolErrorCodes = {
  INVALID_RESOURCES: "A resources or attributes string or object is malformed",
  INVALID_MESSAGE: "A bus message is not JSON or does not match its schema",
  INVALID_TRANSITION: "A task state change the task state machine does not allow",
} as const;

export type ProtocolErrorCode = keyof typeof protocolErrorCodes;

export class ProtocolError extends AgoraError<ProtocolErrorCode> {
  override readonly name = "ProtocolError";
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
