import { CallReply, decode, Event, encode, type FrameworkId, newId } from "@agora/protocol";
import { parseCredentials } from "@agora/security";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MasterHarness, waitFor } from "./test-support/harness.js";

const credentials = parseCredentials("ads s3cret\nweb w3b\n", "test");

/** A subscribe (or any call) sent on `subject`, and the events heard on the framework's subject. */
async function call(h: MasterHarness, subject: string, body: unknown): Promise<CallReply> {
  const reply = decode(CallReply, await h.bus.request(subject, encode(body)));
  if (!reply.ok) throw reply.error;
  return reply.value;
}

function listen(h: MasterHarness, id: FrameworkId, principal?: string): Event[] {
  const events: Event[] = [];
  h.bus.subscribe(h.subjects.frameworkEvents(id, principal), (msg) => {
    const e = decode(Event, msg.data);
    if (e.ok) events.push(e.value);
  });
  return events;
}

const subscribe = (id: FrameworkId, principal: string | undefined, secret?: string) => ({
  type: "subscribe",
  frameworkInfo: { id, name: "fw", ...(principal ? { principal } : {}) },
  ...(secret ? { secret } : {}),
});

describe("framework authentication (--authenticate-frameworks)", () => {
  it("admits a principal with its secret, on its principal's subjects", async () => {
    const h = await MasterHarness.startForTest({ authentication: { frameworks: true, credentials } });
    const id = newId<FrameworkId>();
    const events = listen(h, id, "ads");
    const reply = await call(h, h.subjects.callsOf("ads"), subscribe(id, "ads", "s3cret"));
    expect(reply.ok).toBe(true);
    await waitFor(() => events.some((e) => e.type === "subscribed"), "subscribed");
    expect(h.master.snapshot().frameworks.get(id)?.info.principal).toBe("ads");
  });

  it("refuses a missing or wrong secret with UNAUTHENTICATED and an error event, and counts it", async () => {
    const h = await MasterHarness.startForTest({ authentication: { frameworks: true, credentials } });
    const wrong = newId<FrameworkId>();
    const events = listen(h, wrong, "ads");
    const refused = await call(h, h.subjects.callsOf("ads"), subscribe(wrong, "ads", "guess"));
    expect(refused).toMatchObject({
      ok: false,
      error: { code: "UNAUTHENTICATED", field: "secret" },
    });
    if (refused.ok) return;
    expect(refused.error.message).toMatch(/^Framework authentication failed: wrong secret/);
    await waitFor(() => events.some((e) => e.type === "error"), "error event");
    expect(events.find((e) => e.type === "error")).toMatchObject({
      message: expect.stringMatching(/Framework authentication failed/),
    });

    const anonymous = await call(h, h.subjects.masterCall, subscribe(newId<FrameworkId>(), undefined));
    expect(anonymous).toMatchObject({ ok: false, error: { code: "UNAUTHENTICATED" } });
    const metrics = await h.master.metrics.registry.getSingleMetricAsString(
      "agora_master_authentication_failures_total",
    );
    expect(metrics).toContain('peer="framework",reason="wrong_secret"} 1');
    expect(metrics).toContain('peer="framework",reason="missing"} 1');
    expect(h.master.snapshot().frameworks.size).toBe(0);
  });

  it("refuses a principal's call on another principal's subject, and another's framework id", async () => {
    const h = await MasterHarness.startForTest({ authentication: { frameworks: true, credentials } });
    const id = newId<FrameworkId>();
    const adsEvents = listen(h, id, "ads");
    expect((await call(h, h.subjects.callsOf("ads"), subscribe(id, "ads", "s3cret"))).ok).toBe(true);
    // web, with its own valid secret, sends as ads or takes over ads' framework: both refused.
    expect(await call(h, h.subjects.callsOf("web"), subscribe(newId(), "ads", "s3cret"))).toMatchObject({
      ok: false,
      error: { code: "UNAUTHENTICATED", field: "frameworkInfo.principal" },
    });
    expect(await call(h, h.subjects.callsOf("web"), subscribe(id, "ads", "guess"))).toMatchObject({
      ok: false,
      error: { code: "UNAUTHENTICATED" },
    });
    expect(await call(h, h.subjects.callsOf("web"), subscribe(id, "web", "w3b"))).toMatchObject({
      ok: false,
      error: { code: "UNAUTHENTICATED", message: expect.stringMatching(/registered by principal 'ads'/) },
    });
    expect(await call(h, h.subjects.callsOf("web"), { type: "teardown", frameworkId: id })).toMatchObject({
      ok: false,
      error: { code: "UNAUTHENTICATED", field: "frameworkId" },
    });
    expect(h.master.snapshot().frameworks.get(id)?.connected).toBe(true);
    // The refusals went to web alone: ads' stream heard none of them.
    await h.settle();
    expect(adsEvents.filter((e) => e.type === "error")).toEqual([]);
    // ads itself may.
    expect((await call(h, h.subjects.callsOf("ads"), { type: "teardown", frameworkId: id })).ok).toBe(true);
  });

  it("without --authenticate-frameworks admits anonymous frameworks but still checks a given secret", async () => {
    const h = await MasterHarness.startForTest({ authentication: { credentials } });
    expect((await call(h, h.subjects.masterCall, subscribe(newId(), undefined))).ok).toBe(true);
    expect(await call(h, h.subjects.callsOf("ads"), subscribe(newId(), "ads", "nope"))).toMatchObject({
      ok: false,
      error: { code: "UNAUTHENTICATED" },
    });
  });
});

describe("agent authentication (--authenticate-agents)", () => {
  const agentInfo = {
    hostname: "agent.test",
    port: 5051,
    resources: [],
    attributes: [],
    capabilities: ["shell"],
    version: "0.1.0",
  };
  const register = async (h: MasterHarness, credential?: { principal: string; secret: string }) =>
    decode(
      CallReply.or(z.object({ type: z.literal("registered") }).loose()),
      await h.bus.request(
        h.subjects.masterAgent,
        encode({ type: "register", agentInfo, ...(credential ? { credential } : {}) }),
      ),
    );

  it("registers an agent with its principal's secret and refuses one without or with a wrong one", async () => {
    const h = await MasterHarness.startForTest({ authentication: { agents: true, credentials } });
    expect(await register(h)).toMatchObject({
      ok: true,
      value: {
        ok: false,
        error: { code: "UNAUTHENTICATED", message: expect.stringMatching(/^Agent authentication failed/) },
      },
    });
    expect(await register(h, { principal: "ads", secret: "w3b" })).toMatchObject({
      ok: true,
      value: { ok: false, error: { code: "UNAUTHENTICATED", field: "credential.secret" } },
    });
    expect(h.master.snapshot().agents.size).toBe(0);
    expect(await register(h, { principal: "web", secret: "w3b" })).toMatchObject({
      ok: true,
      value: { type: "registered" },
    });
    expect(h.master.snapshot().agents.size).toBe(1);
    const metrics = await h.master.metrics.registry.getSingleMetricAsString(
      "agora_master_authentication_failures_total",
    );
    expect(metrics).toContain('peer="agent",reason="missing"} 1');
    expect(metrics).toContain('peer="agent",reason="wrong_secret"} 1');
  });
});
