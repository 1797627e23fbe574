import { type CallOf, principalToken } from "@agora/protocol";
import type { MasterContext } from "../context.js";
import type { FrameworkEntry } from "../registry/entries.js";

/**
 * The principal token a call's subject names (`master.call.<principal>`), or undefined for the plain
 * `master.call`. With `agora nats-config`, nats-server lets a principal's NATS user publish only on
 * its own token, so the token says who sent the call.
 */
function senderToken(ctx: MasterContext, subject: string): string | undefined {
  return subject === ctx.subjects.masterCall ? undefined : subject.slice(subject.lastIndexOf(".") + 1);
}

/**
 * A subscribe is admitted when its principal is the one its subject names (if any), its secret is
 * right (or not required), and it does not take over a framework registered by another principal:
 * as in Mesos, a framework's principal never changes. Refusals are `SecurityError` `UNAUTHENTICATED`.
 */
export function authenticateSubscribe(
  ctx: MasterContext,
  subject: string,
  call: CallOf<"subscribe">,
  existing: FrameworkEntry | undefined,
): void {
  const auth = ctx.authentication;
  const { principal } = call.frameworkInfo;
  const token = senderToken(ctx, subject);
  if (token !== undefined && (principal === undefined || principalToken(principal) !== token))
    auth.refuse(
      "framework",
      principal,
      "wrong_subject",
      `principal '${principal ?? ""}' subscribed on principal '${named(token)}''s subject`,
      "frameworkInfo.principal",
    );
  auth.check(
    "framework",
    { principal, secret: call.secret },
    {
      principal: "frameworkInfo.principal",
      secret: "secret",
    },
  );
  if (existing && existing.info.principal !== principal)
    auth.refuse(
      "framework",
      principal,
      "wrong_principal",
      `framework ${existing.info.id} is registered by principal '${existing.info.principal ?? ""}', not '${principal ?? ""}'`,
      "frameworkInfo.principal",
    );
}

/**
 * Whether a refused subscribe's `error` event may go to the events subject it names: not for a known
 * framework (a stranger's subscribe with its id must not disturb its stream) nor for a principal other
 * than the sender's (only the asker hears of its refusal; the call's reply tells it in any case).
 */
export function mayTellRefusal(ctx: MasterContext, subject: string, call: CallOf<"subscribe">): boolean {
  const { id, principal } = call.frameworkInfo;
  if (id === undefined || ctx.state.frameworks.has(id)) return false;
  const token = senderToken(ctx, subject);
  return token === undefined || (principal !== undefined && principalToken(principal) === token);
}

/** Any other call on a principal's subject must be for one of that principal's frameworks. */
export function authenticateCaller(ctx: MasterContext, subject: string, framework: FrameworkEntry): void {
  const token = senderToken(ctx, subject);
  const principal = framework.info.principal;
  if (token === undefined || (principal !== undefined && principalToken(principal) === token)) return;
  ctx.authentication.refuse(
    "framework",
    named(token),
    "wrong_subject",
    `framework ${framework.info.id} is not a framework of principal '${named(token)}'`,
    "frameworkId",
  );
}

/** A token as the principal it encodes (for messages); a malformed encoding is shown as it came. */
function named(token: string): string {
  try {
    return decodeURIComponent(token);
  } catch {
    return token;
  }
}
