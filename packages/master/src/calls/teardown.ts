import type { AgentId } from "@agora/protocol";
import type { MasterContext } from "../context.js";
import { rescindAllOffers } from "../offers.js";
import { unpersist } from "../persistence.js";
import type { FrameworkEntry } from "../registry/entries.js";
import { registryKeys } from "../registry/records.js";
import { masterStatus } from "../task-status.js";

/**
 * Teardown: the framework's offers are withdrawn, its agents told to shut its tasks down, its
 * tasks booked as KILLED (resources back to the pool), and it moves to the completed frameworks.
 */
export function teardown(ctx: MasterContext, framework: FrameworkEntry): void {
  rescindAllOffers(ctx, framework.offers);
  // Agents that ran any of its tasks, finished ones included, so they retire the framework too.
  const agents = new Set<AgentId>();
  for (const task of framework.completedTasks.values())
    if (ctx.state.agents.has(task.agentId)) agents.add(task.agentId);
  for (const task of [...framework.tasks.values()]) {
    if (ctx.state.agents.has(task.agentId)) agents.add(task.agentId);
    const status = masterStatus(
      ctx,
      task.task.taskId,
      task.agentId,
      "TASK_KILLED",
      "REASON_FRAMEWORK_REMOVED",
      "Framework was torn down",
    );
    ctx.state.applyStatus(task, status);
  }
  for (const agentId of agents)
    ctx.out.toAgent(agentId, { type: "shutdownFramework", frameworkId: framework.id });
  ctx.state.completeFramework(framework, ctx.now());
  unpersist(ctx, registryKeys.framework(framework.id));
  if (framework.failoverDeadline !== undefined) unpersist(ctx, registryKeys.failover(framework.id));
  ctx.options.logger.info({ frameworkId: framework.id }, "framework torn down");
  ctx.requestAllocation();
}
