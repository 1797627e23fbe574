import { Call, type CallOf, type FrameworkId } from "@agora/protocol";
import { isSecurityError } from "@agora/security";
import type { BusMessage } from "@agora/transport";
import type { MasterContext } from "../context.js";
import { MasterError } from "../errors.js";
import { decodeInbound, errorReply, respond } from "../inbound.js";
import type { FrameworkEntry } from "../registry/entries.js";
import { accept } from "./accept.js";
import { authenticateCaller, authenticateSubscribe, mayTellRefusal } from "./authenticate.js";
import { decline, revive, suppress } from "./offer-calls.js";
import { reconcile } from "./reconcile.js";
import { subscribe } from "./subscribe.js";
import { acknowledge, kill } from "./task-calls.js";
import { teardown } from "./teardown.js";

/**
 * Handles one message on `masterCall`: decode, run the call, reply (only to requests). A failing
 * call never throws out of here: the framework gets `ok:false` with a stable code. Only subscribe and
 * accept may wait (for the registry); every other call is handled before this returns, without a
 * promise, so the bus's dispatcher runs the next message inline instead of queueing it behind one.
 */
export function handleCall(ctx: MasterContext, msg: BusMessage): Promise<void> | undefined {
  const call = decodeInbound(ctx, Call, msg, "INVALID_CALL");
  if (!call) return undefined;
  try {
    const pending = run(ctx, msg.subject, call);
    if (pending)
      return pending.then(
        () => respond(msg, { ok: true, epoch: ctx.epoch() }),
        (err: unknown) => respond(msg, errorReply(ctx, err)),
      );
    respond(msg, { ok: true, epoch: ctx.epoch() });
  } catch (err) {
    respond(msg, errorReply(ctx, err));
  }
  return undefined;
}

/** How our SDK's `acknowledge` and `acknowledgeBatch` calls begin (`JSON.stringify` keeps key order). */
const ACKNOWLEDGEMENT_PREFIX = new TextEncoder().encode('{"type":"acknowledge');

/**
 * Whether a call on `masterCall` is an acknowledgement, read from its first bytes, so it is handled
 * on arrival rather than behind the accepts queued before it. Accepts wait their turn (they may wait
 * for the registry); an acknowledgement changes nothing an accept reads, so its order does not
 * matter. Behind a backlog of accepts at 10,000 agents, acknowledgements took longer than the
 * agents' 10 s retry interval, and each late one came back as a resent update (over 50,000 in 16 of
 * 19 runs of 400,000 tasks, up to 570,000). An acknowledgement encoded with another key order is
 * still handled, in order.
 */
export function overtakesQueuedCalls(data: Uint8Array): boolean {
  if (data.length < ACKNOWLEDGEMENT_PREFIX.length) return false;
  for (let i = 0; i < ACKNOWLEDGEMENT_PREFIX.length; i++)
    if (data[i] !== ACKNOWLEDGEMENT_PREFIX[i]) return false;
  return true;
}

function run(ctx: MasterContext, subject: string, call: Call): Promise<void> | undefined {
  if (call.type === "subscribe") return subscribeAuthenticated(ctx, subject, call);
  const framework = requireFramework(ctx, call.frameworkId);
  authenticateCaller(ctx, subject, framework);
  framework.lastSeenAt = ctx.now();
  switch (call.type) {
    case "accept":
      return accept(ctx, framework, call);
    case "decline":
      decline(ctx, framework, call);
      break;
    case "revive":
      revive(ctx, framework, call);
      break;
    case "suppress":
      suppress(framework, call);
      break;
    case "kill":
      kill(ctx, framework, call);
      break;
    case "acknowledge":
      acknowledge(ctx, framework, call);
      break;
    case "acknowledgeBatch":
      for (const ack of call.acks) acknowledge(ctx, framework, ack);
      break;
    case "reconcile":
      reconcile(ctx, framework, call);
      break;
    case "teardown":
      teardown(ctx, framework);
      break;
    case "message":
      // Best effort, as in Mesos: forwarded to a known agent, otherwise dropped.
      if (ctx.state.agents.has(call.agentId))
        ctx.out.toAgent(call.agentId, {
          type: "frameworkMessage",
          frameworkId: framework.id,
          ...(call.executorId ? { executorId: call.executorId } : {}),
          data: call.data,
        });
      break;
    case "heartbeat":
      break;
  }
  return undefined;
}

/**
 * A subscribe refused for its credentials is answered with the refusal and, when that reaches only
 * the one who asked, also told as an `error` event on its events subject, as Mesos sends the
 * scheduler an error.
 */
async function subscribeAuthenticated(ctx: MasterContext, subject: string, call: CallOf<"subscribe">) {
  const id = call.frameworkInfo.id;
  try {
    authenticateSubscribe(ctx, subject, call, id === undefined ? undefined : ctx.state.frameworks.get(id));
  } catch (err) {
    if (id !== undefined && isSecurityError(err) && mayTellRefusal(ctx, subject, call))
      ctx.out.toFramework(id, { type: "error", message: err.message }, call.frameworkInfo.principal);
    throw err;
  }
  await subscribe(ctx, call);
}

function requireFramework(ctx: MasterContext, id: FrameworkId): FrameworkEntry {
  const framework = ctx.state.frameworks.get(id);
  if (framework?.connected) return framework;
  const why = framework
    ? "is not subscribed"
    : ctx.state.isCompletedFramework(id)
      ? "was torn down"
      : "is not known to this master";
  throw new MasterError("UNKNOWN_FRAMEWORK", `Framework ${id} ${why}`, { field: "frameworkId" });
}
