import type { AgentId } from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { DEFAULT_AGENT_GONE_TIMEOUT_MS, type MasterOptions, resolveOptions } from "./options.js";
import { type MasterHarness, waitFor } from "./test-support/harness.js";
import { withLaunchedTasks } from "./test-support/launch.js";

const DAY_MS = 24 * 3_600_000;

/** Silences an agent and advances the clock ping by ping until the master books it unreachable. */
async function makeUnreachable(h: MasterHarness, agentId: AgentId): Promise<void> {
  for (let i = 0; i < 20 && !h.master.snapshot().unreachableAgents.has(agentId); i++) {
    const before = h.master.snapshot().agents.get(agentId)?.missedPings ?? 0;
    h.clock.advance(1000);
    await waitFor(
      () =>
        (h.master.snapshot().agents.get(agentId)?.missedPings ?? 0) !== before ||
        !h.master.snapshot().agents.has(agentId),
      "a missed ping",
    );
  }
  expect(h.master.snapshot().unreachableAgents.has(agentId)).toBe(true);
}

describe("unreachable agents", () => {
  it("are marked gone after agentGoneTimeoutMs, as the operator would: tasks GONE_BY_OPERATOR, id refused", async () => {
    const s = await withLaunchedTasks(["t1"], "cpus:1;mem:128", {
      agentGoneTimeoutMs: 60_000,
      frameworkTimeoutMs: DAY_MS,
    });
    onTestFinished(() => s.h.stop());
    s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    await s.fw.update("t1", "TASK_RUNNING");
    s.agent.disconnect();
    await makeUnreachable(s.h, s.agent.id);
    await s.fw.update("t1", "TASK_UNREACHABLE");

    s.h.clock.advance(58_000);
    expect(s.h.master.snapshot().unreachableAgents.has(s.agent.id)).toBe(true);
    expect(s.fw.events.pending((e) => e.type === "update")).toEqual([]);
    s.h.clock.advance(2_000);

    const gone = await s.fw.update("t1", "TASK_GONE_BY_OPERATOR");
    expect(gone).toMatchObject({
      reason: "REASON_AGENT_REMOVED_BY_OPERATOR",
      message: "The agent was unreachable for longer than the agent gone timeout",
    });
    expect(s.h.master.snapshot().unreachableAgents.has(s.agent.id)).toBe(false);
    expect(await s.h.store.get(`gone.${s.agent.id}`)).toBeDefined();
    await expect(s.h.reregister(s.agent.id, [])).rejects.toThrow(/reregister failed/);
  });

  it("stay unreachable forever when the gone timeout is off (0); the default is Mesos' two weeks", async () => {
    const s = await withLaunchedTasks(["t1"], "cpus:1;mem:128", {
      agentGoneTimeoutMs: 0,
      frameworkTimeoutMs: DAY_MS,
    });
    onTestFinished(() => s.h.stop());
    s.agent.disconnect();
    await makeUnreachable(s.h, s.agent.id);
    await s.fw.update("t1", "TASK_UNREACHABLE");
    s.h.clock.advance(120_000);
    expect(s.h.master.snapshot().unreachableAgents.has(s.agent.id)).toBe(true);
    expect(s.fw.events.pending((e) => e.type === "update")).toEqual([]);
    expect(resolveOptions({} as MasterOptions, "h").agentGoneTimeoutMs).toBe(DEFAULT_AGENT_GONE_TIMEOUT_MS);
    expect(DEFAULT_AGENT_GONE_TIMEOUT_MS).toBe(14 * 24 * 3600 * 1000);
  });
});
