/**
 * A Mesos v1 request to the agent that cannot be served: `message` is worded as Mesos words it
 * (`Failed to validate Executor::Call: Expecting 'uuid' to be present`), `field` names the Mesos
 * field when one is at fault. The HTTP edge answers it as plain text with `status` (400 by default).
 */
export class MesosAgentApiError extends Error {
  override readonly name = "MesosAgentApiError";

  constructor(
    message: string,
    readonly status = 400,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function isMesosAgentApiError(e: unknown): e is MesosAgentApiError {
  return e instanceof MesosAgentApiError;
}
