import type { AgentId, TaskId } from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { Master } from "./master.js";
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

/** Waits until the registry holds `key` (or no longer does): its writes are not awaited by the master. */
async function stored(h: MasterHarness, key: string, present: boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (((await h.store.get(key)) !== undefined) !== present) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${key} to be ${present ? "written" : "deleted"}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The next master on the harness's bus and registry, as a new leader after a failover would be. */
async function nextLeader(h: MasterHarness, options: Partial<MasterOptions> = {}): Promise<Master> {
  const master = new Master({
    bus: h.bus,
    store: h.store,
    clock: h.clock,
    cluster: "test",
    agentPingTimeoutMs: 1000,
    ...options,
  });
  await master.start({ httpPort: 5050 });
  onTestFinished(() => master.stop());
  return master;
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
    await stored(s.h, `unreachable.${s.agent.id}`, true);

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
    await stored(s.h, `unreachable.${s.agent.id}`, false);
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

  it("are in the registry: after a second failover reconcile still answers TASK_UNREACHABLE and the gone clock runs on", async () => {
    const s = await withLaunchedTasks(["t1"], "cpus:1;mem:128", { frameworkTimeoutMs: DAY_MS });
    onTestFinished(() => s.h.stop());
    const agentId = s.agent.id;
    s.agent.disconnect();
    // First failover: the agent does not reregister within the timeout, so the new leader books it unreachable.
    await s.h.master.stop();
    const second = await nextLeader(s.h, { agentReregisterTimeoutMs: 5000, frameworkTimeoutMs: DAY_MS });
    s.h.clock.advance(5000);
    expect(second.snapshot().unreachableAgents.has(agentId)).toBe(true);
    const unreachableAt = second.snapshot().unreachableAgents.get(agentId)!.unreachableAt;
    await stored(s.h, `unreachable.${agentId}`, true);
    await stored(s.h, `agents.${agentId}`, false);

    // Second failover: the third leader loads the unreachable agent and its time from the registry.
    await second.stop();
    s.h.clock.advance(10_000);
    const third = await nextLeader(s.h, { agentGoneTimeoutMs: 60_000, frameworkTimeoutMs: DAY_MS });
    expect(third.snapshot().unreachableAgents.get(agentId)?.unreachableAt).toBe(unreachableAt);
    const resubscribed = await s.h.request({
      type: "subscribe",
      frameworkInfo: { name: "test-framework", id: s.fw.id },
    });
    expect(resubscribed.ok).toBe(true);
    await s.fw.call({ type: "reconcile", tasks: [{ taskId: "t9" as TaskId, agentId }] });
    expect((await s.fw.update("t9")).state).toBe("TASK_UNREACHABLE");
    s.h.clock.advance(50_000);
    await stored(s.h, `gone.${agentId}`, true);
    expect(third.snapshot().unreachableAgents.has(agentId)).toBe(false);
  });

  it("leave the registry's unreachable list when they reregister", async () => {
    const s = await withLaunchedTasks(["t1"]);
    onTestFinished(() => s.h.stop());
    s.agent.disconnect();
    await makeUnreachable(s.h, s.agent.id);
    await stored(s.h, `unreachable.${s.agent.id}`, true);
    await s.h.reregister(s.agent.id, []);
    await stored(s.h, `unreachable.${s.agent.id}`, false);
    expect(await s.h.store.get(`agents.${s.agent.id}`)).toBeDefined();
    await s.h.master.stop();
    const next = await nextLeader(s.h);
    expect(next.snapshot().unreachableAgents.has(s.agent.id)).toBe(false);
  });
});
