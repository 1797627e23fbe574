import type { AgentId, AgentInfo } from "@agora/protocol";
import type { MasterContext } from "../context.js";
import { persist, unpersist } from "../persistence.js";
import { registryKeys } from "../registry/records.js";
import { markAgentGone } from "./gone.js";

/**
 * Books an agent as unreachable, in memory and in the registry, where Mesos moves it from the admitted
 * list to the unreachable one: later leaders then answer `TASK_UNREACHABLE` for its tasks (not
 * `TASK_UNKNOWN`) and keep counting its time towards `agentGoneTimeoutMs`. The unreachable record is
 * written before the admitted one is deleted, so a takeover in between finds it admitted and waits for
 * it again; the admitted record stays should the agent have reregistered meanwhile.
 */
export function markUnreachable(
  ctx: MasterContext,
  info: AgentInfo & { id: AgentId },
  unreachableAt: number,
): void {
  ctx.state.unreachableAgents.set(info.id, { info, unreachableAt });
  persist(ctx, registryKeys.unreachable(info.id), { info, unreachableAt }).then(
    () => {
      if (ctx.state.unreachableAgents.has(info.id)) unpersist(ctx, registryKeys.agent(info.id));
    },
    () => undefined, // persist logged it; the admitted record stays, and a new leader waits for the agent
  );
}

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
