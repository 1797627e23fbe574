import { encode, parseResources, type Resource } from "@agora/protocol";
import { connectNatsBus, MemoryStateStore, type PutOptions } from "@agora/transport";
import { waitFor } from "@agora/transport/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsServerHandle, startNatsServer } from "../../../test/harness/nats-server.js";
import { overtakesQueuedCalls } from "./calls/dispatch.js";
import { MasterHarness, task } from "./test-support/harness.js";

/** A registry whose writes wait while held, as a slow JetStream does. */
class HeldStore extends MemoryStateStore {
  private gate: Promise<void> | undefined;
  private open: () => void = () => {};
  waiting = 0;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.gate = undefined;
    this.open();
  }

  override async put(key: string, value: Uint8Array, opts?: PutOptions): Promise<number> {
    if (this.gate) {
      this.waiting++;
      await this.gate;
      this.waiting--;
    }
    return super.put(key, value, opts);
  }
}

const reservation = (text: string): Resource[] =>
  parseResources(text).map((r) => ({ ...r, reservation: { role: "eng", type: "dynamic" as const } }));

let nats: NatsServerHandle;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

describe("acknowledgements", () => {
  it("are told apart by their first bytes as our SDK encodes them, and nothing else is", () => {
    const ack = { frameworkId: "fw", agentId: "a1", taskId: "t1", uuid: crypto.randomUUID() };
    expect(overtakesQueuedCalls(encode({ type: "acknowledge", ...ack }))).toBe(true);
    expect(overtakesQueuedCalls(encode({ type: "acknowledgeBatch", frameworkId: "fw", acks: [ack] }))).toBe(
      true,
    );
    expect(
      overtakesQueuedCalls(encode({ type: "accept", frameworkId: "fw", offerIds: [], operations: [] })),
    ).toBe(false);
    expect(overtakesQueuedCalls(encode({ frameworkId: "fw", type: "acknowledge" }))).toBe(false);
    expect(overtakesQueuedCalls(new TextEncoder().encode('{"type":"ack'))).toBe(false);
  });

  it("reach the agent while an accept before them waits for the registry (over NATS)", async () => {
    const store = new HeldStore();
    const h = await MasterHarness.startForTest({ bus: await connectNatsBus({ servers: nats.url }), store });
    const agent = await h.agent("cpus:4;mem:4096");
    const fw = await h.framework({ roles: ["eng"] });
    const [offer] = await fw.offers();
    const launched = await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [{ type: "launch", tasks: [task("t1", agent.id)] }],
      filters: { refuseSeconds: 0 },
    });
    expect(launched.ok).toBe(true);
    const running = agent.update(fw.id, "t1", "TASK_RUNNING");
    await fw.update("t1", "TASK_RUNNING");
    const [rest] = await fw.offers();

    // A reservation is written to the registry before the accept is answered: held, it waits there.
    store.hold();
    const reserving = fw.call({
      type: "accept",
      offerIds: [rest!.id],
      operations: [{ type: "reserve", resources: reservation("cpus:1;mem:256") }],
    });
    await waitFor(() => store.waiting > 0, "the reservation's registry write");
    fw.publish({
      type: "acknowledge",
      agentId: agent.id,
      taskId: running.status.taskId,
      uuid: running.status.uuid,
    });
    const ack = await agent.commands.take((c) => c.type === "statusAcknowledgement", "the acknowledgement");
    expect(ack).toMatchObject({ acks: [{ taskId: "t1", uuid: running.status.uuid }] });
    expect(store.waiting).toBe(1);

    store.release();
    expect((await reserving).ok).toBe(true);
  });
});
