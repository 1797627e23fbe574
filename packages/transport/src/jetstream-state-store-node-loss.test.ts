import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsClusterHandle, startNatsCluster } from "../../../test/harness/nats-server.js";
import { JetStreamStateStore } from "./jetstream-state-store.js";
import { connectNatsBus, type NatsBus } from "./nats-bus.js";
import { waitFor } from "./testing/index.js";

/**
 * After one NATS node of three is killed, a listing works as soon as a read does. Listed through a
 * consumer, it timed out for up to a minute in most attempts (nats-server 2.9.10 left the
 * consumer's create unanswered), while reads and writes went on: a new leader's takeover failed all that time.
 */
describe("JetStreamStateStore after a NATS node is killed (R3)", () => {
  let cluster: NatsClusterHandle;
  let bus: NatsBus;

  beforeAll(async () => {
    cluster = await startNatsCluster(3, { jetstream: true });
  }, 60_000);

  afterAll(async () => {
    await bus?.close();
    await cluster?.stop();
  });

  it("lists every key as soon as it can read one", async () => {
    const [dead, ...alive] = cluster.urls;
    bus = await connectNatsBus({ servers: [...alive, dead!], reconnect: { timeWaitMs: 100 } });
    const store = await JetStreamStateStore.open(bus, { bucket: "node-loss", replicas: 3 });
    const keys = Array.from({ length: 20 }, (_, i) => `agents.a${String(i).padStart(2, "0")}`);
    for (const key of keys) await store.put(key, new TextEncoder().encode(key));
    await store.delete("agents.a19");

    cluster.nodes[0]!.kill("SIGKILL");
    await waitFor(() => store.get("agents.a00").then(Boolean, () => false), "a read after the node loss", {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await store.list("agents.")).map((e) => e.key)).toEqual(keys.slice(0, 19));
    }
  }, 120_000);
});
