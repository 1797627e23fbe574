import { isSecurityError, type SecurityError, securityErrorCodes } from "@agora/security";
import type { FastifyError, FastifyInstance } from "fastify";
import { isMarathonError, MarathonError } from "../errors.js";

/** Marathon's error body: a message, plus validation `details` or the locking `deployments`. */
export interface MarathonErrorBody {
  message: string;
  details?: { path: string; errors: string[] }[];
  deployments?: { id: string }[];
}

/**
 * Maps every error to Marathon's body in one place: `MarathonError` by its code's status, a body
 * that is not JSON as Marathon's 400 `Invalid JSON`, fastify's other client errors as they are, and
 * anything else as a logged 500 (a bug, never a reaction to bad input).
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | MarathonError | SecurityError, request, reply) => {
    if (isMarathonError(err)) return reply.code(err.status).send(errorBody(err));
    // A refusal by the ACLs: 403 with Marathon's `{message}`, naming the action.
    if (isSecurityError(err))
      return reply.code(securityErrorCodes[err.code].status).send({ message: err.message });
    if (err.code?.startsWith("FST_ERR_CTP_") && err.statusCode === 400) {
      const invalid = new MarathonError("INVALID_JSON", "Invalid JSON", {
        details: [{ path: "/", errors: [err.message] }],
      });
      return reply.code(invalid.status).send(errorBody(invalid));
    }
    const status = err.statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ message: err.message });
    request.log.error({ err }, "request failed");
    return reply.code(500).send({ message: "internal error" });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `No route for ${request.method} ${request.url}` }),
  );
}

export function errorBody(err: MarathonError): MarathonErrorBody {
  return {
    message: err.message,
    ...(err.details ? { details: err.details } : {}),
    ...(err.deployments ? { deployments: err.deployments } : {}),
  };
}
