import { type AgentId, AgentRegistered, decode, encode } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { MasterHarness } from "./test-support/harness.js";

/** A `register` from host `hostname`, as an agent process with this `instanceId` sends it. */
async function register(
  h: MasterHarness,
  instanceId: string | undefined,
  hostname = "agent.test",
  extra: { confirmsListening?: true; listeningAs?: AgentId } = {},
): Promise<AgentId> {
  const message = {
    type: "register",
    agentInfo: {
      hostname,
      port: 5051,
      resources: [{ name: "cpus", scalar: 4 }],
      attributes: [],
      capabilities: ["shell"],
      version: "0.1.0",
    },
    ...(instanceId === undefined ? {} : { instanceId }),
    ...extra,
  };
  const reply = decode(AgentRegistered, await h.bus.request(h.subjects.masterAgent, encode(message)));
  if (!reply.ok) throw new Error(`register failed: ${reply.error.message}`);
  return reply.value.agentId;
}

describe("a registration retried by the same agent process", () => {
  it("is answered with the id the first got, and no second agent is registered", async () => {
    const h = await MasterHarness.startForTest();
    const first = await register(h, "instance-a");
    expect(await register(h, "instance-a")).toBe(first);
    expect([...h.master.snapshot().agents.keys()]).toEqual([first]);
  });

  it("registers another process (another instanceId, or none) as another agent, even on the same host and port", async () => {
    const h = await MasterHarness.startForTest();
    const a = await register(h, "instance-a");
    const b = await register(h, "instance-b");
    const c = await register(h, undefined);
    const d = await register(h, undefined);
    expect(new Set([a, b, c, d]).size).toBe(4);
    expect(h.master.snapshot().agents.size).toBe(4);
  });

  it("registers the process anew once its agent was removed", async () => {
    const h = await MasterHarness.startForTest();
    const first = await register(h, "instance-a");
    h.bus.publish(h.subjects.masterAgent, encode({ type: "unregister", agentId: first }));
    await h.settle();
    expect(h.master.snapshot().agents.has(first)).toBe(false);
    const again = await register(h, "instance-a");
    expect(again).not.toBe(first);
    expect([...h.master.snapshot().agents.keys()]).toEqual([again]);
  });
});

describe("a new agent process that confirms it listens (confirmsListening)", () => {
  it("is offered only once it says it listens under the id it got (listeningAs)", async () => {
    const h = await MasterHarness.startForTest();
    const fw = await h.framework();
    const id = await register(h, "instance-a", "agent.test", { confirmsListening: true });
    await h.settle();
    h.master.allocateNow();
    await h.settle();
    expect(fw.events.pending((e) => e.type === "offers")).toEqual([]);
    expect(h.master.snapshot().agents.get(id)?.active).toBe(false);
    // A plain retry (its answer came late) is no confirmation.
    expect(await register(h, "instance-a", "agent.test", { confirmsListening: true })).toBe(id);
    expect(h.master.snapshot().agents.get(id)?.active).toBe(false);

    h.attachAgent(id);
    expect(await register(h, "instance-a", "agent.test", { confirmsListening: true, listeningAs: id })).toBe(
      id,
    );
    const offers = await fw.offers();
    expect(offers.map((o) => o.agentId)).toEqual([id]);
    expect(h.master.snapshot().agents.size).toBe(1);
  });

  it("is offered at once when it does not say it will confirm (an older agent), with or without an instanceId", async () => {
    const h = await MasterHarness.startForTest();
    const fw = await h.framework();
    const id = await register(h, "instance-old");
    const offers = await fw.offers();
    expect(offers.map((o) => o.agentId)).toEqual([id]);
    const anonymous = await register(h, undefined, "other.test");
    expect(h.master.snapshot().agents.get(anonymous)?.active).toBe(true);
  });
});
