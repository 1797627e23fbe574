import { AgoraError } from "@agora/protocol";

/**
 * Error codes of the transport package. Codes are stable: never reuse a retired one.
 */
export const transportErrorCodes = {
  TIMEOUT: "A request got no reply within its timeout",
  NO_RESPONDERS: "A request was sent to a subject nobody subscribes to",
  CLOSED: "The bus or store was used after close()",
  CONNECTION: "The bus or store could not reach its server",
  REVISION_MISMATCH: "A compare-and-set write found another revision than expected",
  INVALID_KEY: "A state store key is not a '.'-separated list of [A-Za-z0-9_=-] tokens",
  PAYLOAD_TOO_LARGE:
    "A message is larger than the bus allows (the NATS server's max_payload, 1 MiB by default)",
  STORE_CORRUPT: "A file store's snapshot is not one (written by hand or by something else)",
  INVALID_SUBJECT: "A message was published to an empty subject or one with whitespace",
} as const;

export type TransportErrorCode = keyof typeof transportErrorCodes;

export class TransportError extends AgoraError<TransportErrorCode> {
  override readonly name = "TransportError";
  /** The subject or key the error is about. */
  readonly target: string | undefined;

  constructor(code: TransportErrorCode, message: string, options: { target?: string; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
    this.target = options.target;
  }
}

export function isTransportError(e: unknown, code?: TransportErrorCode): e is TransportError {
  return e instanceof TransportError && (code === undefined || e.code === code);
}

export function payloadTooLarge(subject: string, size: number, max: number): TransportError {
  return new TransportError(
    "PAYLOAD_TOO_LARGE",
    `a ${size}-byte message to ${subject} exceeds the ${max}-byte limit`,
    {
      target: subject,
    },
  );
}

const WHITESPACE = /\s/;

/** NATS reads a subject up to the next whitespace, so a subject holding one would garble the frame. */
export function assertPublishable(subject: string): void {
  if (subject.length === 0 || WHITESPACE.test(subject))
    throw new TransportError("INVALID_SUBJECT", `cannot publish to ${JSON.stringify(subject)}`, {
      target: subject,
    });
}
