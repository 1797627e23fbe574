import type { AgentId } from "@agora/protocol";
import { markUnreachable } from "../agents/unreachable.js";
import type { MasterContext } from "../context.js";
import { records, recordsById } from "./recovery.js";

/**
 * What a master loads when it becomes the leader, beyond role settings: agents marked gone or
 * unreachable (reconciliation answers for their tasks), the agents admitted by
 * earlier leaders (awaited until they reregister: their tasks are known only from them) and the
 * frameworks (disconnected until they re-subscribe, torn down at their failover deadline, which
 * is never sooner than one framework timeout from now so each has time to come back).
 */
export async function loadAdmitted(ctx: MasterContext): Promise<{ agents: number; frameworks: number }> {
  const now = ctx.now();
  for (const [id, gone] of await recordsById(ctx, "gone.")) ctx.state.goneAgents.set(id as AgentId, gone);
  for (const { info, unreachableAt } of await records(ctx, "unreachable.")) {
    if (!ctx.state.agents.has(info.id) && !ctx.state.goneAgents.has(info.id))
      ctx.state.unreachableAgents.set(info.id, { info, unreachableAt });
  }
  for (const agent of await records(ctx, "agents.")) {
    if (ctx.state.agents.has(agent.id) || ctx.state.goneAgents.has(agent.id)) continue;
    // Admitted wins over unreachable: a leader died between writing the one and deleting the other.
    ctx.state.unreachableAgents.delete(agent.id);
    ctx.state.recoveringAgents.set(agent.id, { info: agent, since: now });
  }
  const deadlines = await recordsById(ctx, "failovers.");
  let frameworks = 0;
  for (const info of await records(ctx, "frameworks.")) {
    if (ctx.state.frameworks.has(info.id) || ctx.state.isCompletedFramework(info.id)) continue;
    const framework = ctx.state.addFramework(info, now, false);
    const persisted = deadlines.get(info.id)?.deadline;
    framework.failoverDeadline =
      persisted === undefined ? undefined : Math.max(persisted, now + ctx.options.frameworkTimeoutMs);
    frameworks++;
  }
  return { agents: ctx.state.recoveringAgents.size, frameworks };
}

/**
 * Tells every awaited agent to reregister and every known framework that a new leader speaks
 * (a heartbeat of the new epoch: the SDK re-subscribes when it sees a higher epoch than the one it
 * subscribed with), so neither waits for its own silence timeout.
 */
export function announceLeadership(ctx: MasterContext): void {
  for (const id of ctx.state.recoveringAgents.keys()) ctx.out.toAgent(id, { type: "reregisterRequested" });
  for (const id of ctx.state.frameworks.keys()) ctx.out.toFramework(id, { type: "heartbeat" });
}

/** Agents that did not reregister within `agentReregisterTimeoutMs` of the takeover become unreachable. */
export function expireRecoveringAgents(ctx: MasterContext): void {
  const now = ctx.now();
  for (const [id, agent] of [...ctx.state.recoveringAgents]) {
    if (now - agent.since < ctx.options.agentReregisterTimeoutMs) continue;
    ctx.state.recoveringAgents.delete(id);
    markUnreachable(ctx, { ...agent.info, id }, now);
    ctx.options.logger.warn(
      { agentId: id, hostname: agent.info.hostname },
      "agent did not reregister after the master failover: unreachable",
    );
  }
}
