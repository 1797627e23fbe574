import type { MasterContext } from "../context.js";
import { markAgentGone } from "./gone.js";

/**
 * Marks gone, as the operator's MARK_AGENT_GONE does, every agent unreachable for `agentGoneTimeoutMs`
 * or longer (off when undefined). Mesos prunes such agents from its registry after
 * `registry_max_agent_age`; Agora goes one step further, as issue 4 asks: their tasks become GONE, so
 * frameworks stop waiting for them, and the agent's id is refused should it ever return.
 */
export async function expireUnreachableAgents(ctx: MasterContext): Promise<void> {
  const timeout = ctx.options.agentGoneTimeoutMs;
  if (timeout === undefined) return;
  const now = ctx.now();
  const expired = [...ctx.state.unreachableAgents].filter(([, a]) => now - a.unreachableAt >= timeout);
  for (const [id] of expired) {
    await markAgentGone(ctx, id, "timeout").catch((err: unknown) =>
      ctx.options.logger.warn({ err, agentId: id }, "could not mark an expired unreachable agent gone"),
    );
  }
}
