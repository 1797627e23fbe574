import { type AgentId, type FrameworkId, FrameworkInfo, type TaskId } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { task, waitFor } from "./test-support/harness.js";
import { testOutbox } from "./test-support/outbox.js";

const agentId = "agent-1" as AgentId;
const frameworkId = "fw-1" as FrameworkId;

/** An outbox on a bus whose max payload is `maxPayload`, and the commands the agent receives. */
function setup(maxPayload: number) {
  const fixture = testOutbox({ maxPayload });
  return { ...fixture, received: fixture.agentCommands(agentId) };
}

describe("commands over the bus's max payload", () => {
  it("sends a runTask batch too big for one message in several, losing no task", async () => {
    const { bus, received, outbox } = setup(2000);
    const ids = Array.from({ length: 12 }, (_, i) => `split-${i}`);
    const frameworkInfo = FrameworkInfo.parse({ name: "fw", id: frameworkId });
    outbox.toAgent(agentId, {
      type: "runTask",
      frameworkId,
      frameworkInfo,
      tasks: ids.map((id) => task(id, agentId)),
    });
    const taskIds = () => received.flatMap((c) => (c.type === "runTask" ? c.tasks.map((t) => t.taskId) : []));
    await waitFor(() => taskIds().length === ids.length, "every task in some runTask");
    expect(taskIds()).toEqual(ids);
    expect(received.length).toBeGreaterThan(1);
    await bus.close();
  });

  it("splits a batch of acknowledgements the same way", async () => {
    const { bus, clock, received, outbox } = setup(1000);
    const acks = Array.from({ length: 30 }, (_, i) => ({
      frameworkId,
      taskId: `t${i}` as TaskId,
      uuid: crypto.randomUUID(),
    }));
    for (const ack of acks) outbox.acknowledge(agentId, ack);
    clock.runDeferred();
    const got = () => received.flatMap((c) => (c.type === "statusAcknowledgement" ? c.acks : []));
    await waitFor(() => got().length === acks.length, "every acknowledgement");
    expect(got()).toEqual(acks);
    expect(received.length).toBeGreaterThan(1);
    await bus.close();
  });
});
