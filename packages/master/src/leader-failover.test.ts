import type { AgentTask, FrameworkId, TaskId } from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { buildMasterHttp } from "./http/app.js";
import { MasterHarness, task, waitFor } from "./test-support/harness.js";
import { election, leaseStores } from "./test-support/lease.js";

function running(frameworkId: FrameworkId, taskId: string, agentId: Parameters<typeof task>[1]): AgentTask {
  return { frameworkId, task: task(taskId, agentId), state: "TASK_RUNNING" } as AgentTask;
}

describe("master failover", () => {
  it("hands over to a standby with the next epoch, which asks known agents to reregister and frameworks to re-subscribe", async () => {
    const stores = leaseStores();
    const h = await MasterHarness.startForTest({ election: election(stores, "m1") });
    await waitFor(() => h.master.isLeader, "m1 to lead");
    expect(h.master.epoch).toBe(1);
    const fw = await h.framework({ failoverTimeout: 3600 });
    const agent = await h.agent();
    const b = await h.standby({ election: election(stores, "m2") });
    expect(b.isLeader).toBe(false);
    expect(b.leader()?.id).toBe("m1");

    await h.master.stop(); // resigns: the standby takes over at once
    await waitFor(() => b.isLeader, "m2 to lead");
    expect(b.epoch).toBe(2);
    const request = await agent.commands.take((c) => c.type === "reregisterRequested", "reregisterRequested");
    expect(request.epoch).toBe(2);
    const nudge = await fw.events.take(
      (e) => e.type === "heartbeat" && e.epoch === 2,
      "a heartbeat of epoch 2",
    );
    expect(nudge.epoch).toBe(2);
    // Until the agent reregisters, the new leader neither offers its resources nor knows its tasks.
    expect(b.snapshot().agents.size).toBe(0);

    await h.reregister(agent.id, [running(fw.id, "t1", agent.id)]);
    const reply = await h.request({
      type: "subscribe",
      frameworkInfo: { name: "test-framework", id: fw.id },
    });
    expect(reply).toEqual({ ok: true, epoch: 2 });
    await fw.events.take((e) => e.type === "subscribed" && e.epoch === 2, "subscribed by the new leader");
    const view = b.snapshot();
    expect(view.agents.has(agent.id)).toBe(true);
    expect([...view.frameworks.get(fw.id)!.tasks.keys()]).toEqual(["t1"]);
    expect(view.frameworks.get(fw.id)!.connected).toBe(true);
  });

  it("marks agents that do not reregister within the reregister timeout unreachable", async () => {
    const stores = leaseStores();
    const h = await MasterHarness.startForTest({ election: election(stores, "m1") });
    await waitFor(() => h.master.isLeader, "m1 to lead");
    const quiet = await h.agent("cpus:1;mem:512", "quiet.test");
    const b = await h.standby({ election: election(stores, "m2"), agentReregisterTimeoutMs: 5000 });
    await h.master.stop();
    await waitFor(() => b.isLeader, "m2 to lead");
    await h.settle();
    // Reconciling a task on an agent still awaited gets no answer (Mesos), neither GONE nor UNKNOWN.
    const fw = await h.framework();
    const reconcileT9 = {
      type: "reconcile" as const,
      tasks: [{ taskId: "t9" as TaskId, agentId: quiet.id }],
    };
    await fw.call(reconcileT9);
    await fw.sync();
    h.clock.advance(4999);
    expect(b.snapshot().unreachableAgents.has(quiet.id)).toBe(false);
    expect(fw.events.pending((e) => e.type === "update")).toEqual([]);
    h.clock.advance(1);
    expect(b.snapshot().unreachableAgents.has(quiet.id)).toBe(true);
    await fw.call(reconcileT9);
    expect((await fw.update("t9")).state).toBe("TASK_UNREACHABLE");
    expect(await h.store.get(`agents.${quiet.id}`)).toBeUndefined();
  });

  it("stops acting at once when it loses its lease, and says so through onDeposed", async () => {
    const stores = leaseStores();
    const reasons: string[] = [];
    const h = await MasterHarness.startForTest({
      election: election(stores, "m1"),
      onDeposed: (reason) => reasons.push(reason),
    });
    await waitFor(() => h.master.isLeader, "m1 to lead");
    const b = await h.standby({ election: election(stores, "m2") });
    await stores.leases.delete("leader"); // the lease expired (a long pause, a partition)
    await waitFor(() => b.isLeader, "m2 to take the lease");
    await waitFor(() => reasons.length === 1, "m1 to be deposed");
    expect(h.master.isLeader).toBe(false);
    // Only the new leader answers calls now.
    const reply = await h.request({ type: "subscribe", frameworkInfo: { name: "after", id: "fw-after" } });
    expect(reply).toEqual({ ok: true, epoch: 2 });
  });

  it("answers /health on a standby and redirects /master/* to the leader (307), as Mesos does", async () => {
    const stores = leaseStores();
    const h = await MasterHarness.startForTest({ election: election(stores, "m1") });
    await waitFor(() => h.master.isLeader, "m1 to lead");
    const b = await h.standby({ election: election(stores, "m2") });
    const app = buildMasterHttp(b);
    onTestFinished(() => app.close());
    expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
    const state = await app.inject({ url: "/master/state?jsonp=x" });
    expect(state.statusCode).toBe(307);
    expect(state.headers.location).toBe("http://m1:5050/master/state?jsonp=x");
    const weights = await app.inject({ method: "PUT", url: "/weights", payload: [{ role: "a", weight: 2 }] });
    expect(weights.statusCode).toBe(307);
    const leaderApp = buildMasterHttp(h.master);
    onTestFinished(() => leaderApp.close());
    const leaderState = await leaderApp.inject({ url: "/master/state" });
    expect(leaderState.statusCode).toBe(200);
    expect(leaderState.json().leader_info.id).toBe(h.master.id);
  });
});
