import type { AgentId, AgentMessageOf, FrameworkId, TaskId, TaskState } from "@agora/protocol";
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
 * How soon after a reregistration answered a launch check the next agents are asked (the check scans
 * every agent's tasks, so the answers of a second share one scan).
 */
export const LAUNCH_CHECK_REFILL_MS = 1_000;

/**
 * The most agents asked about their launches at once (asked, not yet reregistered, within
 * `launchCheckMs`): 1 % of the agents, at least 16.
 */
export function maxLaunchChecks(agentCount: number): number {
  return Math.max(16, Math.ceil(agentCount / 100));
}

/** What the check reads of a task. */
export interface CheckedTask {
  readonly state: TaskState;
  readonly statuses: readonly { readonly timestamp: number }[];
  readonly frameworkId: FrameworkId;
  readonly task: { readonly taskId: TaskId };
}

/** What the check reads of an agent. */
export interface CheckedAgent {
  readonly id: AgentId;
  readonly tasks: ReadonlyMap<string, CheckedTask>;
  readonly launchCheck?: { readonly requestedAt: number; readonly tasks: ReadonlySet<string> } | undefined;
  readonly launchesConfirmedBefore?: number | undefined;
}

/** An agent to ask to reregister, with the tasks it is asked about. */
export interface LaunchCheck<A extends CheckedAgent> {
  readonly agent: A;
  readonly tasks: ReadonlySet<string>;
}

/**
 * Which agents to ask to reregister now, about which tasks (no I/O). A task is suspect when it has
 * been STAGING for `limitMs`, unless its agent answered a check sent after the launch (it reported
 * the task then: a slow launch, such as an image pull, is asked about once). Every agent's tasks
 * turn suspect at once when the master itself falls behind (their updates wait in its inbound
 * queue, not lost), and thousands of reregistrations, each carrying all of an agent's tasks, would
 * put it further behind. So the requests form a window of `maxLaunchChecks` at once: a slot frees
 * when its agent's reregistration has been processed (`dropUnreceivedLaunches`, which asks for the
 * check again within `LAUNCH_CHECK_REFILL_MS`) or after `limitMs` without one. A master that keeps
 * up works through many lost launches at the pace it processes the answers; one that processes none
 * asks no more than the window per `limitMs`. Agents never asked come first (a re-ask waits behind
 * them, so no agent is starved), then the oldest suspect launch, then the agent id.
 */
export function planLaunchChecks<A extends CheckedAgent>(
  agents: Iterable<A>,
  now: number,
  limitMs: number,
): LaunchCheck<A>[] {
  const all = [...agents];
  const asked = (a: A) => a.launchCheck !== undefined && now - a.launchCheck.requestedAt < limitMs;
  const room = maxLaunchChecks(all.length) - all.filter(asked).length;
  if (room <= 0) return [];
  const candidates: { agent: A; tasks: Set<string>; askedAt: number; oldest: number }[] = [];
  for (const agent of all) {
    if (asked(agent)) continue;
    const tasks = new Set<string>();
    let oldest = Number.POSITIVE_INFINITY;
    for (const task of agent.tasks.values()) {
      if (task.state !== "TASK_STAGING") continue;
      const since = (task.statuses[task.statuses.length - 1]?.timestamp ?? 0) * 1000;
      if (now - since < limitMs || since < (agent.launchesConfirmedBefore ?? 0)) continue;
      tasks.add(taskKey(task.frameworkId, task.task.taskId));
      oldest = Math.min(oldest, since);
    }
    if (tasks.size > 0)
      candidates.push({ agent, tasks, askedAt: agent.launchCheck?.requestedAt ?? -1, oldest });
  }
  candidates.sort(
    (a, b) =>
      a.askedAt - b.askedAt ||
      a.oldest - b.oldest ||
      (a.agent.id < b.agent.id ? -1 : a.agent.id > b.agent.id ? 1 : 0),
  );
  return candidates.slice(0, room).map(({ agent, tasks }) => ({ agent, tasks }));
}

/**
 * Asks the agents `planLaunchChecks` picks to reregister, remembering which tasks were suspect;
 * `dropUnreceivedLaunches` settles them when the agent's reregistration arrives.
 */
export function checkLaunches(ctx: MasterContext): void {
  const now = ctx.now();
  const limitMs = launchCheckMs(ctx.options.agentPingTimeoutMs);
  const checks = planLaunchChecks(ctx.state.agents.values(), now, limitMs);
  for (const { agent, tasks } of checks) {
    agent.launchCheck = { requestedAt: now, tasks };
    ctx.options.logger.warn(
      { agentId: agent.id, tasks: tasks.size },
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
  agent.launchesConfirmedBefore = check.requestedAt;
  ctx.requestLaunchCheck();
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
