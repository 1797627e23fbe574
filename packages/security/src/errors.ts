import { AgoraError, type AgoraErrorOptions } from "@agora/protocol";

/**
 * Error codes of the security package, with the HTTP status each maps to. Codes are stable: never
 * reuse a retired one. Every code is documented in docs/errors.md.
 */
export const securityErrorCodes = {
  INVALID_SECURITY_CONFIG: {
    status: 400,
    description: "A credentials or ACL file (or inline JSON) cannot be read or does not match Mesos' format",
  },
  UNAUTHENTICATED: {
    status: 401,
    description: "A request or subscription without credentials, or with a wrong principal or secret",
  },
  FORBIDDEN: { status: 403, description: "The ACLs do not allow this principal the action on the object" },
} as const satisfies Record<string, { status: number; description: string }>;

export type SecurityErrorCode = keyof typeof securityErrorCodes;

/** A failure with a stable code; `field` names the offending entry (dotted path) when there is one. */
export class SecurityError extends AgoraError<SecurityErrorCode> {
  override readonly name = "SecurityError";
}

/** A configuration file that cannot be used, named with the offending entry. */
export function configError(source: string, message: string, options: AgoraErrorOptions = {}): SecurityError {
  const where = options.field ? `${source}: ${options.field}` : source;
  return new SecurityError("INVALID_SECURITY_CONFIG", `${where}: ${message}`, options);
}

export const isSecurityError = (e: unknown): e is SecurityError => e instanceof SecurityError;
