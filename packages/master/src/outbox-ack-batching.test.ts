import { type AgentId, type FrameworkId, TaskId } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { testOutbox } from "./test-support/outbox.js";

const agentId = "agent-1" as AgentId;
const frameworkId = "fw-1" as FrameworkId;
const ack = (i: number) => ({ frameworkId, taskId: TaskId.parse(`t${i}`), uuid: crypto.randomUUID() });

/** An outbox whose clock holds deferred work until the test runs it, and what the agent receives. */
function setup() {
  const fixture = testOutbox();
  return { ...fixture, received: fixture.agentCommands(agentId) };
}

describe("the outbox's acknowledgement batch, deferred through the clock", () => {
  it("a turn's acknowledgements leave as one message when the deferred flush runs, not before", async () => {
    const { bus, clock, received, outbox } = setup();
    for (let i = 0; i < 3; i++) outbox.acknowledge(agentId, ack(i));
    await bus.drained();
    expect(received).toEqual([]);
    expect(clock.runDeferred()).toBe(1);
    await bus.drained();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ type: "statusAcknowledgement", acks: [{}, {}, {}] });
    await bus.close();
  });

  it("an explicit flush (the master stopping) sends at once and cancels the deferred one", async () => {
    const { bus, clock, received, outbox } = setup();
    outbox.acknowledge(agentId, ack(0));
    outbox.flush();
    expect(clock.pendingDeferred).toBe(0);
    await bus.drained();
    expect(received).toHaveLength(1);
    await bus.close();
  });
});
