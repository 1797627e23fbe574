import {
  type AgentId,
  decode,
  Event,
  type FrameworkId,
  type Offer,
  type OfferId,
  parseResources,
  subjects,
} from "@agora/protocol";
import { connectNatsBus, type NatsBus } from "@agora/transport";
import { waitFor } from "@agora/transport/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsServerHandle, startNatsServer } from "../../../test/harness/nats-server.js";
import { MasterMetrics } from "./metrics.js";
import { Outbox } from "./outbox.js";
import { MasterState } from "./registry/master-state.js";
import { metricsSource } from "./registry/metrics-source.js";

const frameworkId = "fw-payload" as FrameworkId;
const s = subjects("payload");

let nats: NatsServerHandle;
let master: NatsBus;
let framework: NatsBus;
beforeAll(async () => {
  nats = await startNatsServer();
  master = await connectNatsBus({ servers: nats.url, name: "payload-master" });
  framework = await connectNatsBus({ servers: nats.url, name: "payload-framework" });
});
afterAll(async () => {
  await Promise.all([master?.close(), framework?.close()]);
  await nats?.stop();
});

function offer(i: number): Offer {
  return {
    id: `offer-${i}` as OfferId,
    frameworkId,
    agentId: `agent-${i}` as AgentId,
    hostname: `sim-agent-${i}.example.org`,
    role: "web",
    resources: parseResources("cpus:8;mem:16384;disk:100000;ports:[31000-32000]"),
    attributes: [{ name: "rack", text: `r${i % 40}` }],
    capabilities: ["shell"],
  };
}

/** An outbox on the real bus, with the master's own metrics counting what it drops. */
function outbox() {
  const metrics = new MasterMetrics(
    metricsSource(new MasterState({ maxCompletedFrameworks: 1, maxCompletedTasksPerFramework: 1 })),
  );
  const out = new Outbox(
    master,
    s,
    () => 3,
    pino({ level: "silent" }),
    (reason, to, type) => metrics.messageDropped(reason, to, type),
  );
  const dropped = async () =>
    (await metrics.registry.getSingleMetric("agora_master_messages_dropped_total")?.get())?.values ?? [];
  return { out, dropped };
}

describe("framework events over NATS' max payload (a real nats-server, 1 MB)", () => {
  it("sends 10,000 offers as several offers events that each fit, losing none", async () => {
    const events: Event[] = [];
    const sizes: number[] = [];
    framework.subscribe(s.frameworkEvents(frameworkId), (msg) => {
      sizes.push(msg.data.length);
      const e = decode(Event, msg.data);
      if (e.ok) events.push(e.value);
    });
    await framework.flush();
    const offers = Array.from({ length: 10_000 }, (_, i) => offer(i));
    const { out, dropped } = outbox();
    const max = master.connection.info!.max_payload;
    // The premise: as one event these offers do not fit.
    expect(JSON.stringify({ type: "offers", offers, epoch: 3 }).length).toBeGreaterThan(max);

    out.toFramework(frameworkId, { type: "offers", offers });
    const received = () => events.flatMap((e) => (e.type === "offers" ? e.offers.map((o) => o.id) : []));
    await waitFor(() => received().length === offers.length, "every offer in some offers event");

    expect(received()).toEqual(offers.map((o) => o.id));
    expect(events.length).toBeGreaterThan(1);
    expect(events.every((e) => e.type === "offers" && e.epoch === 3)).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(max);
    expect(await dropped()).toEqual([]);
  });

  it("drops an event that cannot be split with an error counted by reason, not in silence", async () => {
    const { out, dropped } = outbox();
    out.toFramework(frameworkId, { type: "error", message: "x".repeat(2 * 1024 * 1024) });
    out.toFramework(frameworkId, {
      type: "offers",
      offers: [{ ...offer(0), hostname: "h".repeat(1_100_000) }],
    });
    expect(await dropped()).toEqual([
      { labels: { reason: "too_large", to: "framework", type: "error" }, value: 1 },
      { labels: { reason: "too_large", to: "framework", type: "offers" }, value: 1 },
    ]);
  });
});
