import { type AgentCommandOf, type AgentId, scalarOf, type TaskId } from "@agora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { RELAY_QUIET_MS } from "./registry/relay-memory.js";
import type { FakeFramework, MasterHarness } from "./test-support/harness.js";
import { withLaunchedTasks } from "./test-support/launch.js";

function relayedUuids(fw: FakeFramework): string[] {
  return fw.events.all.flatMap((e) => (e.type === "update" && e.status.uuid ? [e.status.uuid] : []));
}

describe("status updates", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  it("relays an agent's update with its uuid and forwards the framework's acknowledgement", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    const sent = s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    const relayed = await s.fw.update("t1", "TASK_RUNNING");
    expect(relayed.uuid).toBe(sent.status.uuid);
    expect(h.master.snapshot().frameworks.get(s.fw.id)!.tasks.get(relayed.taskId)!.state).toBe(
      "TASK_RUNNING",
    );

    s.fw.publish({ type: "acknowledge", agentId: s.agent.id, taskId: relayed.taskId, uuid: relayed.uuid! });
    const ack = await s.agent.commands.take((c) => c.type === "statusAcknowledgement", "ack");
    expect(ack).toMatchObject({ acks: [{ frameworkId: s.fw.id, taskId: "t1", uuid: sent.status.uuid }] });
  });

  it("batches acknowledgements for one agent within a tick", async () => {
    const s = await withLaunchedTasks(["a", "b", "c"]);
    h = s.h;
    const sent = ["a", "b", "c"].map((id) => s.agent.update(s.fw.id, id, "TASK_RUNNING"));
    for (const u of sent) await s.fw.update(u.status.taskId, "TASK_RUNNING");
    for (const u of sent)
      s.fw.publish({
        type: "acknowledge",
        agentId: s.agent.id,
        taskId: u.status.taskId,
        uuid: u.status.uuid,
      });
    const ack = (await s.agent.commands.take(
      (c) => c.type === "statusAcknowledgement",
      "acks",
    )) as AgentCommandOf<"statusAcknowledgement">;
    await s.fw.sync();
    const all = s.agent.commands.all.filter((c) => c.type === "statusAcknowledgement");
    expect(
      all.flatMap((c) => (c.type === "statusAcknowledgement" ? c.acks : [])).map((a) => a.taskId),
    ).toEqual(["a", "b", "c"]);
    expect(all.length).toBeLessThan(3);
    expect(ack.acks.length).toBeGreaterThan(1);
  });

  it("forwards each acknowledgement of an acknowledgeBatch, answering only updates it relayed", async () => {
    const s = await withLaunchedTasks(["a", "b"]);
    h = s.h;
    const sent = ["a", "b"].map((id) => s.agent.update(s.fw.id, id, "TASK_RUNNING"));
    for (const u of sent) await s.fw.update(u.status.taskId, "TASK_RUNNING");
    s.fw.publish({
      type: "acknowledgeBatch",
      acks: [
        ...sent.map((u) => ({ agentId: s.agent.id, taskId: u.status.taskId, uuid: u.status.uuid })),
        // An agent this master does not know: nothing to forward it to.
        { agentId: "gone" as AgentId, taskId: "x" as TaskId, uuid: crypto.randomUUID() },
      ],
    });
    await s.agent.commands.take((c) => c.type === "statusAcknowledgement", "acks");
    await s.fw.sync();
    const acks = s.agent.commands.all.flatMap((c) => (c.type === "statusAcknowledgement" ? c.acks : []));
    expect(acks.map((a) => [a.taskId, a.uuid])).toEqual(sent.map((u) => [u.status.taskId, u.status.uuid]));
  });

  it("relays duplicates and stale updates without moving the task backwards", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    const running = s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    await s.fw.update("t1", "TASK_RUNNING");
    s.agent.update(s.fw.id, "t1", "TASK_KILLED");
    await s.fw.update("t1", "TASK_KILLED");
    h.clock.advance(RELAY_QUIET_MS); // relayed long ago and never acknowledged: the framework may have lost it
    s.agent.sendUpdates([running]); // a resend of an update the agent never got acked
    const dup = await s.fw.update("t1", "TASK_RUNNING");
    expect(dup.uuid).toBe(running.status.uuid);
    const fw = h.master.snapshot().frameworks.get(s.fw.id)!;
    expect(fw.tasks.size).toBe(0);
    expect(fw.completedTasks.values().map((t) => t.state)).toEqual(["TASK_KILLED"]);
  });

  it("drops an agent's copy of an update it relayed lately, while the framework's acknowledgement may be on its way", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    const running = s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    await s.fw.update("t1", "TASK_RUNNING");
    h.clock.advance(RELAY_QUIET_MS - 1);
    s.agent.sendUpdates([running]); // the agent's resend, queued behind the first at a busy master
    await s.fw.sync();
    expect(relayedUuids(s.fw)).toEqual([running.status.uuid]);
    h.clock.advance(1); // no acknowledgement since: the framework may have lost it
    s.agent.sendUpdates([running]);
    await s.fw.update("t1", "TASK_RUNNING");
    expect(relayedUuids(s.fw)).toEqual([running.status.uuid, running.status.uuid]);
  });

  it("answers an agent's copy of an update its framework acknowledged with the acknowledgement, relaying nothing", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    const running = s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    await s.fw.update("t1", "TASK_RUNNING");
    const { uuid } = running.status;
    s.fw.publish({ type: "acknowledge", agentId: s.agent.id, taskId: running.status.taskId, uuid });
    await s.agent.commands.take((c) => c.type === "statusAcknowledgement", "the framework's ack");
    s.agent.sendUpdates([running]); // sent before the acknowledgement reached the agent
    const answer = await s.agent.commands.take(
      (c) => c.type === "statusAcknowledgement",
      "the master's answer",
    );
    expect(answer).toMatchObject({ acks: [{ frameworkId: s.fw.id, taskId: "t1", uuid }] });
    await s.fw.sync();
    expect(relayedUuids(s.fw)).toEqual([uuid]);
  });

  it("relays an agent's copy at once when its framework acknowledged an update relayed after it (the first acknowledgement was lost)", async () => {
    const s = await withLaunchedTasks(["t1", "t2"]);
    h = s.h;
    const lost = s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    await s.fw.update("t1", "TASK_RUNNING");
    h.clock.advance(1);
    const later = s.agent.update(s.fw.id, "t2", "TASK_RUNNING");
    await s.fw.update("t2", "TASK_RUNNING");
    const { uuid } = later.status;
    s.fw.publish({ type: "acknowledge", agentId: s.agent.id, taskId: later.status.taskId, uuid });
    await s.agent.commands.take((c) => c.type === "statusAcknowledgement", "t2's ack");
    h.clock.advance(10_000);
    s.agent.sendUpdates([lost]); // the agent's first resend
    const copy = await s.fw.update("t1", "TASK_RUNNING");
    expect(copy.uuid).toBe(lost.status.uuid);
  });

  it("returns a finished task's resources to the pool and offers them again", async () => {
    const s = await withLaunchedTasks(["t1"], "cpus:4;mem:4096");
    h = s.h;
    s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    await s.fw.update("t1", "TASK_RUNNING");
    await s.fw.sync();
    expect(s.fw.pendingOffers()).toEqual([]);
    s.agent.update(s.fw.id, "t1", "TASK_FINISHED");
    await s.fw.update("t1", "TASK_FINISHED");
    const [offer] = await s.fw.offers();
    expect(scalarOf(offer!.resources, "cpus")).toBe(4);
    expect(h.master.snapshot().terminalCounts.get("TASK_FINISHED")).toBe(1);
  });

  it("asks an unknown agent to reregister instead of relaying its updates", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    const ghost = h.attachAgent("ghost" as AgentId);
    ghost.update(s.fw.id, "t1", "TASK_RUNNING");
    await ghost.commands.take((c) => c.type === "reregisterRequested", "reregisterRequested");
    await s.fw.sync();
    expect(s.fw.events.pending((e) => e.type === "update")).toEqual([]);
  });
});
