import { isSecurityError, type SecurityError, securityErrorCodes } from "@agora/security";
import type { FastifyError, FastifyInstance } from "fastify";
import { isMasterError, MasterError } from "../errors.js";

/** The error body of the master's HTTP API. */
export interface HttpErrorBody {
  message: string;
  field?: string;
}

/**
 * Maps every error to `{message, field?}` in one place: our own errors by their code's status,
 * fastify's client errors (bad JSON, bad content type…) as they are, anything else as a logged
 * 500 (a bug, never a reaction to bad input).
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | MasterError | SecurityError, request, reply) => {
    if (isMasterError(err)) {
      return reply.code(err.status).send(body(err.message, err.field));
    }
    // A refusal by the ACLs: 403 naming the action (logged and counted where it was decided).
    if (isSecurityError(err)) return reply.code(securityErrorCodes[err.code].status).send(body(err.message));
    const status = err.statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send(body(err.message));
    request.log.error({ err }, "request failed");
    return reply.code(500).send(body("internal error"));
  });
  app.setNotFoundHandler((request, reply) => {
    const err = new MasterError("NOT_FOUND", `No route for ${request.method} ${request.url}`);
    return reply.code(err.status).send(body(err.message));
  });
}

function body(message: string, field?: string): HttpErrorBody {
  return field ? { message, field } : { message };
}
