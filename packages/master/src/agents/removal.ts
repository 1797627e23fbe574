import { canTransition, type TaskState } from "@agora/protocol";
import type { MasterContext } from "../context.js";
import { rescindAllOffers } from "../offers.js";
import { unpersist } from "../persistence.js";
import type { AgentEntry } from "../registry/entries.js";
import { registryKeys } from "../registry/records.js";
import { masterStatus, sendUpdate } from "../task-status.js";
import { markUnreachable } from "./unreachable.js";

/** Why an agent leaves: it stopped answering pings, it said goodbye, or its machine went DOWN for maintenance. */
export type AgentRemoval = "unreachable" | "unregistered" | "machineDown";

const removalMessages: Record<AgentRemoval, string> = {
  unreachable: "Agent stopped answering pings",
  unregistered: "Agent unregistered",
  machineDown: "Agent's machine is DOWN for maintenance",
};

/**
 * Removes an agent: its offers are rescinded, its tasks become UNREACHABLE (it may come back) or
 * GONE (it unregistered or its machine went DOWN), frameworks hear about each task (no uuid) and get a `failure` event.
 */
export function removeAgent(ctx: MasterContext, agent: AgentEntry, how: AgentRemoval): void {
  rescindAllOffers(ctx, agent.offers);
  const tasks = [...agent.tasks.values()];
  ctx.state.removeAgent(agent);
  if (how === "unreachable") markUnreachable(ctx, { ...agent.info, id: agent.id }, ctx.now());
  else unpersist(ctx, registryKeys.agent(agent.id));

  const state: TaskState = how === "unreachable" ? "TASK_UNREACHABLE" : "TASK_GONE";
  const message = removalMessages[how];
  for (const task of tasks) {
    if (!canTransition(task.state, state)) continue;
    const status = masterStatus(ctx, task.task.taskId, agent.id, state, "REASON_AGENT_REMOVED", message);
    ctx.state.applyStatus(task, status);
    sendUpdate(ctx, task.frameworkId, status);
  }
  for (const f of ctx.state.frameworks.values()) {
    if (f.connected) ctx.out.toFramework(f.id, { type: "failure", agentId: agent.id });
  }
  ctx.options.logger.warn(
    { agentId: agent.id, hostname: agent.info.hostname, how, tasks: tasks.length },
    "agent removed",
  );
  ctx.requestAllocation();
}
