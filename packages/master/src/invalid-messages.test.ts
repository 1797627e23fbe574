import { CallReply, decode, encode } from "@agora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MasterHarness } from "./test-support/harness.js";

const garbage = new TextEncoder().encode("{not json");

describe("invalid messages", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  it("answers a non-JSON call with INVALID_CALL, counts it, and keeps serving", async () => {
    h = await MasterHarness.start();
    const reply = decode(CallReply, await h.bus.request(h.subjects.masterCall, garbage));
    expect(reply.ok && reply.value).toMatchObject({ ok: false, error: { code: "INVALID_CALL" } });
    const fw = await h.framework();
    expect(await fw.call({ type: "heartbeat" })).toEqual({ ok: true, epoch: 1 });
    expect(h.master.snapshot().counters.invalidMessages).toBe(1);
  });

  it("names the offending field of a call that violates the schema", async () => {
    h = await MasterHarness.start();
    const bytes = await h.bus.request(
      h.subjects.masterCall,
      encode({ type: "decline", frameworkId: "f", offerIds: [] }),
    );
    const reply = decode(CallReply, bytes);
    expect(reply.ok && reply.value).toMatchObject({
      ok: false,
      error: { code: "INVALID_CALL", field: "offerIds" },
    });
  });

  it("drops garbage and schema violations on the agent subject, counts them, and still registers agents", async () => {
    h = await MasterHarness.start();
    h.bus.publish(h.subjects.masterAgent, garbage);
    h.bus.publish(h.subjects.masterAgent, encode({ type: "statusUpdate", agentId: "a", updates: [] }));
    const reply = decode(
      CallReply,
      await h.bus.request(h.subjects.masterAgent, encode({ type: "register" })),
    );
    expect(reply.ok && reply.value).toMatchObject({
      ok: false,
      error: { code: "INVALID_MESSAGE", field: "agentInfo" },
    });
    await h.settle();
    const agent = await h.agent();
    expect(h.master.snapshot().agents.has(agent.id)).toBe(true);
    expect(h.master.snapshot().counters.invalidMessages).toBe(3);
    const metrics = await h.master.metrics.registry.metrics();
    expect(metrics).toMatch(
      /agora_master_invalid_messages_total\{subject="agora\.test\.master\.agent",kind="json"\} 1/,
    );
    expect(metrics).toMatch(
      /agora_master_invalid_messages_total\{subject="agora\.test\.master\.agent",kind="schema"\} 2/,
    );
  });
});
