import type { AgentId, CallInput, FrameworkId, TaskId } from "@agora/protocol";
import { ManualClock } from "@agora/transport";
import { describe, expect, it } from "vitest";
import { Acknowledger, MAX_ACK_BATCH, type PendingAck } from "./acknowledger.js";

const frameworkId = "fw-1" as FrameworkId;

function ack(n: number): PendingAck {
  return { agentId: "agent-1" as AgentId, taskId: `t${n}` as TaskId, uuid: `uuid-${n}` };
}

function setup(options: { failWith?: Error; frameworkId?: FrameworkId } = {}) {
  const clock = new ManualClock(undefined, { holdDeferred: true });
  const published: CallInput[] = [];
  const failed: PendingAck[][] = [];
  let sent = 0;
  const acknowledger = new Acknowledger({
    clock,
    frameworkId: () => ("frameworkId" in options ? options.frameworkId : frameworkId),
    publish: (call) => {
      if (options.failWith) throw options.failWith;
      published.push(call);
    },
    sent: (count) => {
      sent += count;
    },
    failed: (acks) => void failed.push([...acks]),
  });
  return { clock, acknowledger, published, failed, sent: () => sent };
}

describe("Acknowledger", () => {
  it("sends the acknowledgements of one turn together, at the end of the turn", () => {
    const { clock, acknowledger, published, sent } = setup();
    acknowledger.add(ack(1));
    acknowledger.add(ack(2));
    acknowledger.add(ack(3));
    expect(published).toEqual([]);

    clock.runDeferred();

    expect(published).toEqual([{ type: "acknowledgeBatch", frameworkId, acks: [ack(1), ack(2), ack(3)] }]);
    expect(sent()).toBe(3);
  });

  it("sends a lone acknowledgement as a plain acknowledge", () => {
    const { clock, acknowledger, published } = setup();
    acknowledger.add(ack(1));
    clock.runDeferred();
    expect(published).toEqual([{ type: "acknowledge", frameworkId, ...ack(1) }]);
  });

  it("splits a turn's acknowledgements into batches of at most MAX_ACK_BATCH", () => {
    const { clock, acknowledger, published, sent } = setup();
    const count = MAX_ACK_BATCH * 2 + 1;
    for (let n = 0; n < count; n++) acknowledger.add(ack(n));
    clock.runDeferred();

    expect(published.map((c) => (c.type === "acknowledgeBatch" ? c.acks.length : 1))).toEqual([
      MAX_ACK_BATCH,
      MAX_ACK_BATCH,
      1,
    ]);
    const taskIds = published.flatMap((c) =>
      c.type === "acknowledgeBatch"
        ? c.acks.map((a) => a.taskId)
        : c.type === "acknowledge"
          ? [c.taskId]
          : [],
    );
    expect(taskIds).toEqual(Array.from({ length: count }, (_, n) => `t${n}`));
    expect(sent()).toBe(count);
  });

  it("sends what is queued at once on flush, and nothing more when the deferred turn comes", () => {
    const { clock, acknowledger, published } = setup();
    acknowledger.add(ack(1));
    acknowledger.add(ack(2));
    acknowledger.flush();
    expect(published).toHaveLength(1);
    expect(clock.pendingDeferred).toBe(0);
    clock.runDeferred();
    expect(published).toHaveLength(1);
  });

  it("reports a batch the bus refused as failed, not sent", () => {
    const { clock, acknowledger, failed, sent } = setup({ failWith: new Error("closed") });
    acknowledger.add(ack(1));
    acknowledger.add(ack(2));
    clock.runDeferred();
    expect(failed).toEqual([[ack(1), ack(2)]]);
    expect(sent()).toBe(0);
  });

  it("sends nothing without a framework id", () => {
    const { clock, acknowledger, published } = setup({ frameworkId: undefined });
    acknowledger.add(ack(1));
    clock.runDeferred();
    expect(published).toEqual([]);
  });
});
