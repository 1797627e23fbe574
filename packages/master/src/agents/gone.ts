import { type AgentId, type FrameworkId, isTerminalState } from "@agora/protocol";
import type { MasterContext } from "../context.js";
import { MasterError } from "../errors.js";
import { rescindAllOffers } from "../offers.js";
import { persist, unpersist } from "../persistence.js";
import { registryKeys } from "../registry/records.js";
import { masterStatus, sendUpdate } from "../task-status.js";

/** Who decided the agent is gone: the operator, or `agentGoneTimeoutMs` (a policy the operator set). */
export type GoneCause = "operator" | "timeout";

const goneMessages: Record<GoneCause, string> = {
  operator: "The operator marked the agent gone",
  timeout: "The agent was unreachable for longer than the agent gone timeout",
};

/**
 * Mesos' MARK_AGENT_GONE: the operator says an agent will never come back (its machine is gone). Its
 * tasks become `TASK_GONE_BY_OPERATOR` for their frameworks, the agent is told to shut its frameworks
 * down should it still listen, and its id is refused from now on (persisted, so a new leader refuses it
 * too); reconciliation answers `TASK_GONE_BY_OPERATOR` for its tasks. `NOT_FOUND` for an agent this
 * master does not know; marking a gone agent again changes nothing.
 */
export async function markAgentGone(
  ctx: MasterContext,
  id: AgentId,
  cause: GoneCause = "operator",
): Promise<void> {
  if (ctx.state.goneAgents.has(id)) return;
  if (
    !ctx.state.agents.has(id) &&
    !ctx.state.unreachableAgents.has(id) &&
    !ctx.state.recoveringAgents.has(id)
  ) {
    throw new MasterError("NOT_FOUND", `no agent ${id} is known to this master`, { field: "agentId" });
  }
  const now = ctx.now();
  await persist(ctx, registryKeys.gone(id), { goneAt: now });
  // Another mark (the operator's, the timeout's) may have finished while this one was writing.
  if (ctx.state.goneAgents.has(id)) return;
  const agent = ctx.state.agents.get(id);
  ctx.state.goneAgents.set(id, { goneAt: now });
  ctx.state.unreachableAgents.delete(id);
  ctx.state.recoveringAgents.delete(id);
  const frameworks = new Set<FrameworkId>();
  if (agent) {
    rescindAllOffers(ctx, agent.offers);
    ctx.state.removeAgent(agent);
  }
  // Its tasks, wherever the master still books them (an unreachable agent's tasks stay with their frameworks).
  for (const framework of ctx.state.frameworks.values()) {
    for (const task of [...framework.tasks.values()]) {
      if (task.agentId !== id || isTerminalState(task.state)) continue;
      frameworks.add(framework.id);
      const status = masterStatus(
        ctx,
        task.task.taskId,
        id,
        "TASK_GONE_BY_OPERATOR",
        "REASON_AGENT_REMOVED_BY_OPERATOR",
        goneMessages[cause],
      );
      ctx.state.applyStatus(task, status);
      sendUpdate(ctx, framework.id, status);
    }
  }
  for (const frameworkId of frameworks) ctx.out.toAgent(id, { type: "shutdownFramework", frameworkId });
  unpersist(ctx, registryKeys.agent(id));
  unpersist(ctx, registryKeys.unreachable(id));
  ctx.options.logger.warn({ agentId: id, cause }, goneMessages[cause]);
  ctx.requestAllocation();
}
