import type { AgentId, FrameworkId, TaskId } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import {
  type CheckedAgent,
  type CheckedTask,
  type LaunchCheck,
  maxLaunchChecks,
  planLaunchChecks,
} from "./agents/launch-check.js";
import { taskKey } from "./registry/entries.js";

const LIMIT_MS = 10_000;

interface Agent extends CheckedAgent {
  launchCheck?: { requestedAt: number; tasks: ReadonlySet<string> } | undefined;
}

/** An agent with one task STAGING since `stagingAt` (ms). */
function agent(n: number, stagingAt: number): Agent {
  const task: CheckedTask = {
    state: "TASK_STAGING",
    statuses: [{ timestamp: stagingAt / 1000 }],
    frameworkId: "fw-1" as FrameworkId,
    task: { taskId: `t${n}` as TaskId },
  };
  const id = `agent-${String(n).padStart(5, "0")}` as AgentId;
  return { id, tasks: new Map([[taskKey(task.frameworkId, task.task.taskId), task]]) };
}

/** What the master does with a plan: remembers each request. */
function ask(checks: LaunchCheck<Agent>[], now: number): string[] {
  for (const c of checks) c.agent.launchCheck = { requestedAt: now, tasks: c.tasks };
  return checks.map((c) => c.agent.id);
}

describe("the launch check's window (a master that falls behind does not ask every agent to reregister)", () => {
  it("asks at most maxLaunchChecks agents at once, and no more while they have not answered", () => {
    // 2,000 agents whose launches all look unconfirmed: the master's own backlog, not 2,000 lost messages.
    const agents = Array.from({ length: 2000 }, (_, n) => agent(n, 0));
    const cap = maxLaunchChecks(agents.length);
    expect(cap).toBe(20);
    expect(ask(planLaunchChecks(agents, LIMIT_MS, LIMIT_MS), LIMIT_MS)).toHaveLength(cap);
    // The next checks, the requests unanswered: nothing more.
    expect(planLaunchChecks(agents, LIMIT_MS + 5_000, LIMIT_MS)).toEqual([]);
    // Two answers processed (a reregistration settles its agent's check): two more are asked.
    agents[0]!.launchCheck = undefined;
    agents[1]!.launchCheck = undefined;
    expect(planLaunchChecks(agents, LIMIT_MS + 6_000, LIMIT_MS)).toHaveLength(2);
  });

  it("asks never-asked agents before asking again those that did not answer in time, oldest launch first", () => {
    const agents = Array.from({ length: 40 }, (_, n) => agent(n, 1_000 * (40 - n)));
    const first = ask(planLaunchChecks(agents, 60_000, LIMIT_MS), 60_000);
    // The oldest launches first: agent 39 launched at 1 s, agent 38 at 2 s, …
    expect(first).toEqual(
      agents
        .slice(24)
        .reverse()
        .map((a) => a.id),
    );
    // None answered within the limit: their slots free, and agents never asked come first.
    const second = ask(planLaunchChecks(agents, 60_000 + LIMIT_MS, LIMIT_MS), 60_000 + LIMIT_MS);
    expect(second).toEqual(
      agents
        .slice(8, 24)
        .reverse()
        .map((a) => a.id),
    );
    // Then the last 8 never asked, then those asked longest ago, oldest launch first.
    const third = ask(planLaunchChecks(agents, 60_000 + 2 * LIMIT_MS, LIMIT_MS), 60_000 + 2 * LIMIT_MS);
    expect(third).toEqual([...agents.slice(0, 8).reverse(), ...agents.slice(32).reverse()].map((a) => a.id));
  });

  it("does not ask again about a launch the agent's last answer covered (it reported the task: a slow launch)", () => {
    const slow = { ...agent(0, 1_000), launchesConfirmedBefore: 2_000 };
    const newer = { ...agent(1, 3_000), launchesConfirmedBefore: 2_000 };
    expect(planLaunchChecks([slow, newer], 60_000, LIMIT_MS).map((c) => c.agent.id)).toEqual([newer.id]);
  });

  it("leaves a task alone until it has been STAGING for the limit", () => {
    const agents = [agent(0, 5_000)];
    expect(planLaunchChecks(agents, 5_000 + LIMIT_MS - 1, LIMIT_MS)).toEqual([]);
    expect(planLaunchChecks(agents, 5_000 + LIMIT_MS, LIMIT_MS).map((c) => [...c.tasks])).toEqual([
      [taskKey("fw-1" as FrameworkId, "t0" as TaskId)],
    ]);
  });
});
