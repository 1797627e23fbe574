import { type CallReply, decode, encode, type ProtocolError } from "@agora/protocol";
import { isSecurityError, type SecurityErrorCode } from "@agora/security";
import type { BusMessage } from "@agora/transport";
import type { z } from "zod";
import type { MasterContext } from "./context.js";
import { isMasterError, type MasterErrorCode } from "./errors.js";

/**
 * Decodes an inbound message with its schema. What fails is logged (subject and field), counted
 * (`invalid_messages` by subject and kind), answered when it was a request, and dropped.
 */
export function decodeInbound<S extends z.ZodType>(
  ctx: MasterContext,
  schema: S,
  msg: BusMessage,
  invalidCode: MasterErrorCode,
): z.infer<S> | undefined {
  const decoded = decode(schema, msg.data);
  if (decoded.ok) return decoded.value;
  reportInvalid(ctx, msg.subject, decoded.error);
  respond(msg, {
    ok: false,
    epoch: ctx.epoch(),
    error: errorBody(invalidCode, decoded.error.message, decoded.error.field),
  });
  return undefined;
}

export function reportInvalid(ctx: MasterContext, subject: string, error: ProtocolError): void {
  // The codec leaves `field` undefined only when the payload is not JSON at all.
  const kind = error.field === undefined ? "json" : "schema";
  ctx.metrics.invalidMessage(subject, kind);
  ctx.options.logger.warn(
    { subject, field: error.field, kind, reason: error.message },
    "invalid message dropped",
  );
}

/** The reply for a failed request: stable code and, when known, the field. */
export function errorReply(ctx: MasterContext, err: unknown): CallReply {
  if (isMasterError(err))
    return { ok: false, epoch: ctx.epoch(), error: errorBody(err.code, err.message, err.field) };
  // A refusal by the ACLs (FORBIDDEN), already logged and counted where it was decided.
  if (isSecurityError(err))
    return { ok: false, epoch: ctx.epoch(), error: errorBody(err.code, err.message, err.field) };
  ctx.options.logger.error({ err }, "request failed unexpectedly");
  return { ok: false, epoch: ctx.epoch(), error: errorBody("INTERNAL", "internal error") };
}

export function respond(msg: BusMessage, reply: unknown): void {
  if (msg.reply) msg.respond(encode(reply));
}

function errorBody(
  code: MasterErrorCode | SecurityErrorCode,
  message: string,
  field?: string,
): { code: string; message: string; field?: string } {
  return field ? { code, message, field } : { code, message };
}
