import { isSecurityError, type SecurityError, securityErrorCodes } from "@agora/security";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import type { z } from "zod";
import { ChronosError, type ChronosErrorCode, type ErrorDetail, isChronosError } from "../errors.js";
import { zodDetails } from "../model/metronome.js";

/** Chronos' error body: a message, plus `details` naming the fields of a refused body. */
export interface ChronosErrorBody {
  message: string;
  details?: ErrorDetail[];
}

/**
 * Maps every error to Chronos' body in one place: `ChronosError` by its code's status, a body that is
 * not JSON as 400 `INVALID_JSON`, fastify's other client errors as they are, and anything else as a
 * logged 500 (a bug, never a reaction to bad input). The Metronome routes install their own mapping.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ChronosError | SecurityError, request, reply) => {
    if (isSecurityError(err)) return forbiddenReply(reply, err);
    const answer = clientError(err);
    if (answer) return reply.code(answer.status).send(errorBody(answer.error));
    request.log.error({ err }, "request failed");
    return reply.code(500).send({ message: "internal error" });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `No route for ${request.method} ${request.url}` }),
  );
}

/**
 * What a client did wrong, or undefined for a bug: a `ChronosError` with its status, a body fastify
 * could not parse as `INVALID_JSON`, fastify's other 4xx (too large, unsupported) with their status.
 */
export function clientError(
  err: FastifyError | ChronosError,
): { status: number; error: ChronosError } | undefined {
  if (isChronosError(err)) return { status: err.status, error: err };
  if (err.code?.startsWith("FST_ERR_CTP_") && err.statusCode === 400) {
    const error = new ChronosError("INVALID_JSON", `Invalid JSON: ${err.message}`, {
      details: [{ path: "/", errors: [err.message] }],
    });
    return { status: error.status, error };
  }
  const status = err.statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return { status, error: new ChronosError("INVALID_REQUEST", err.message) };
  return undefined;
}

export function errorBody(err: ChronosError): ChronosErrorBody {
  return { message: err.message, ...(err.details ? { details: err.details } : {}) };
}

/** A refused body: `code` with the zod issues as details, the message naming the first field. */
export function invalidBody(code: ChronosErrorCode, what: string, error: z.ZodError): ChronosError {
  const details = zodDetails(error);
  const first = details[0];
  const where = first ? ` ${first.path}: ${first.errors[0]}` : "";
  return new ChronosError(code, `Invalid ${what}:${where}`, { details });
}

/** A refusal by the ACLs: 403 with Chronos' `{message}` naming the action (logged and counted where decided). */
export function forbiddenReply(reply: FastifyReply, err: SecurityError): FastifyReply {
  return reply.code(securityErrorCodes[err.code].status).send({ message: err.message });
}
