import type { AgentMessageOf } from "@agora/protocol";
import type { MasterContext } from "../context.js";
import { type AgentEntry, taskKey } from "../registry/entries.js";
import { masterStatus, sendUpdate } from "../task-status.js";

/**
 * A task STAGING for this long without a word from its agent may never have reached it: core NATS
 * drops messages to a subscriber that is moving to another server. At least 10 s, so that a
 * reregistration the agent built before the task's `runTask` arrived (its requests time out after
 * 5 s) cannot be mistaken for one that omits the task.
 */
export function launchCheckMs(agentPingTimeoutMs: number): number {
  return Math.max(10_000, 2 * agentPingTimeoutMs);
}

/**
 * Asks each agent with tasks STAGING for too long to reregister, remembering which tasks were
 * suspect; `dropUnreceivedLaunches` settles them when the agent's reregistration arrives.
 */
export function checkLaunches(ctx: MasterContext): void {
  const now = ctx.now();
  const limitMs = launchCheckMs(ctx.options.agentPingTimeoutMs);
  for (const agent of ctx.state.agents.values()) {
    if (agent.launchCheck !== undefined && now - agent.launchCheck.requestedAt < limitMs) continue;
    const suspects = new Set<string>();
    for (const task of agent.tasks.values()) {
      const since = (task.statuses[task.statuses.length - 1]?.timestamp ?? 0) * 1000;
      if (task.state === "TASK_STAGING" && now - since >= limitMs)
        suspects.add(taskKey(task.frameworkId, task.task.taskId));
    }
    if (suspects.size === 0) continue;
    agent.launchCheck = { requestedAt: now, tasks: suspects };
    ctx.options.logger.warn(
      { agentId: agent.id, tasks: suspects.size },
      "tasks STAGING too long: asking the agent to reregister",
    );
    ctx.out.toAgent(agent.id, { type: "reregisterRequested" });
  }
}

/**
 * Mesos' reconciliation of a reregistering agent against the master's view, for the launches the
 * master asked about: a suspect task the agent neither reports nor has an update for never reached it,
 * and its framework gets `TASK_DROPPED` (reason `REASON_TASK_UNKNOWN`) so it can launch it again.
 * The caller, the reregistration, requests the allocation that offers the freed resources.
 */
export function dropUnreceivedLaunches(
  ctx: MasterContext,
  agent: AgentEntry,
  m: AgentMessageOf<"reregister">,
): void {
  const check = agent.launchCheck;
  if (check === undefined) return;
  agent.launchCheck = undefined;
  const known = new Set([
    ...m.tasks.map((t) => taskKey(t.frameworkId, t.task.taskId)),
    ...m.updates.map((u) => taskKey(u.frameworkId, u.status.taskId)),
  ]);
  for (const key of check.tasks) {
    const task = agent.tasks.get(key);
    if (task === undefined || known.has(key) || task.state !== "TASK_STAGING") continue;
    const status = masterStatus(
      ctx,
      task.task.taskId,
      agent.id,
      "TASK_DROPPED",
      "REASON_TASK_UNKNOWN",
      "The agent never received the task's launch",
    );
    ctx.state.applyStatus(task, status);
    sendUpdate(ctx, task.frameworkId, status);
    ctx.options.logger.warn(
      { agentId: agent.id, taskId: task.task.taskId },
      "launch never reached the agent: TASK_DROPPED",
    );
  }
}
