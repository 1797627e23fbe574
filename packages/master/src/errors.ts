import { AgoraError } from "@agora/protocol";

/**
 * Error codes of the master package, with the HTTP status each maps to. Codes are stable: never
 * reuse a retired one. `errors.test.ts` checks that every code is documented in the README.
 */
export const masterErrorCodes = {
  INVALID_CALL: { status: 400, description: "A call is not JSON or does not match the Call schema" },
  INVALID_MESSAGE: { status: 400, description: "An agent message is not JSON or does not match its schema" },
  UNKNOWN_FRAMEWORK: { status: 404, description: "A call names a framework the master does not know" },
  FRAMEWORK_REMOVED: { status: 410, description: "A framework that was torn down tried to subscribe again" },
  UNKNOWN_OFFER: { status: 404, description: "An accept names an offer that is not outstanding" },
  INVALID_OFFERS: {
    status: 400,
    description: "An accept names offers of another framework or offers on several agents",
  },
  NOT_IMPLEMENTED: { status: 501, description: "An operation this master does not support yet" },
  INVALID_OPERATION: {
    status: 400,
    description: "A reserve or unreserve names resources without a role or a reservation that does not exist",
  },
  INSUFFICIENT_RESOURCES: {
    status: 409,
    description: "A reservation asks for more than is unreserved and idle",
  },
  RESERVATION_IN_USE: { status: 409, description: "An unreserve names resources a task or an offer holds" },
  QUOTA_EXCEEDED: { status: 409, description: "A reservation would take a role past its quota limit" },
  INVALID_REQUEST: { status: 400, description: "An operator request body does not match its schema" },
  INVALID_QUERY: { status: 400, description: "An HTTP query string does not match its schema" },
  NOT_FOUND: { status: 404, description: "No HTTP route or resource matches the request" },
  AGENT_GONE: { status: 410, description: "An agent the operator marked gone tried to register again" },
  INVALID_MAINTENANCE: {
    status: 400,
    description:
      "A maintenance request breaks Mesos' rules: a machine scheduled twice, a DOWN machine left out of the schedule, an unscheduled or DOWN machine brought down, or a machine not DOWN brought up",
  },
  MACHINE_DOWN: {
    status: 403,
    description: "An agent on a machine the operator brought down tried to register",
  },
  UPSTREAM_UNAVAILABLE: {
    status: 502,
    description:
      "An agent or framework the master proxies to (sandbox files, `/service/<name>/`) did not answer",
  },
  STORE_FAILED: { status: 503, description: "The state store did not accept a registry write" },
  INTERNAL: { status: 500, description: "An unexpected failure inside the master (a bug)" },
} as const satisfies Record<string, { status: number; description: string }>;

export type MasterErrorCode = keyof typeof masterErrorCodes;

/** A failure with a stable code; `field` names the offending input (dotted path) when there is one. */
export class MasterError extends AgoraError<MasterErrorCode> {
  override readonly name = "MasterError";

  /** The HTTP status this error maps to. */
  get status(): number {
    return masterErrorCodes[this.code].status;
  }
}

export function isMasterError(e: unknown, code?: MasterErrorCode): e is MasterError {
  return e instanceof MasterError && (code === undefined || e.code === code);
}
