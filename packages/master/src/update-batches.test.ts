import {
  type AgentCommandOf,
  decode,
  Event,
  type FrameworkId,
  type StatusUpdate,
  type TaskId,
  UPDATE_BATCHES,
} from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { MasterHarness, task } from "./test-support/harness.js";

/** A master with one agent and a framework declaring `capabilities`, with tasks `ids` launched; raw events kept. */
async function launched(ids: string[], capabilities: string[]) {
  const h = await MasterHarness.start();
  onTestFinished(() => h.stop());
  const agent = await h.agent();
  const id = crypto.randomUUID() as FrameworkId;
  const raw: Event[] = [];
  h.bus.subscribe(h.subjects.frameworkEvents(id), (msg) => {
    const e = decode(Event, msg.data);
    if (e.ok) raw.push(e.value);
  });
  const fw = await h.framework({ id, capabilities });
  const [offer] = await fw.offers();
  await fw.call({
    type: "accept",
    offerIds: [offer!.id],
    operations: [{ type: "launch", tasks: ids.map((t) => task(t, agent.id, "cpus:0.1;mem:32")) }],
  });
  await agent.commands.take((c) => c.type === "runTask", "runTask");
  const running = (t: string): StatusUpdate => ({
    frameworkId: id,
    status: {
      taskId: t as TaskId,
      state: "TASK_RUNNING",
      agentId: agent.id,
      source: "SOURCE_EXECUTOR",
      timestamp: Date.now() / 1000,
      uuid: crypto.randomUUID(),
    },
  });
  return { h, agent, fw, raw, running };
}

describe("a master turn's updates to one framework", () => {
  it("reach a framework declaring UPDATE_BATCHES as one `updates` event, and are acknowledged as before", async () => {
    const ids = ["a", "b", "c"];
    const { agent, fw, raw, running } = await launched(ids, [UPDATE_BATCHES]);
    const sent = ids.map(running);
    agent.sendUpdates(sent);
    for (const t of ids) await fw.update(t, "TASK_RUNNING");
    const batches = raw.filter((e) => e.type === "updates");
    expect(batches).toHaveLength(1);
    expect(batches[0]!.type === "updates" && batches[0]!.statuses.map((s) => s.uuid)).toEqual(
      sent.map((u) => u.status.uuid),
    );
    expect(raw.filter((e) => e.type === "update")).toEqual([]);

    fw.publish({
      type: "acknowledgeBatch",
      acks: sent.map(({ status }) => ({ agentId: agent.id, taskId: status.taskId, uuid: status.uuid })),
    });
    const ack = (await agent.commands.take(
      (c) => c.type === "statusAcknowledgement",
      "acks",
    )) as AgentCommandOf<"statusAcknowledgement">;
    expect(ack.acks.map((a) => a.uuid)).toEqual(sent.map((u) => u.status.uuid));
  });

  it("reach a framework without the capability as one `update` event each", async () => {
    const ids = ["a", "b"];
    const { agent, fw, raw, running } = await launched(ids, []);
    agent.sendUpdates(ids.map(running));
    for (const t of ids) await fw.update(t, "TASK_RUNNING");
    expect(raw.filter((e) => e.type === "update" || e.type === "updates").map((e) => e.type)).toEqual([
      "update",
      "update",
    ]);
  });
});
