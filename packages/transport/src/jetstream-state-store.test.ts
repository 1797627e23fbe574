import { jetstreamManager } from "@nats-io/jetstream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type NatsClusterHandle,
  type NatsServerHandle,
  startNatsCluster,
  startNatsServer,
} from "../../../test/harness/nats-server.js";
import { isTransportError } from "./errors.js";
import { JetStreamStateStore } from "./jetstream-state-store.js";
import { connectNatsBus, type NatsBus } from "./nats-bus.js";
import type { WatchEvent } from "./state-store.js";
import { describeStateStoreConformance, waitFor } from "./testing/index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

let nats: NatsServerHandle;
let bus: NatsBus;
let buckets = 0;
beforeAll(async () => {
  nats = await startNatsServer({ jetstream: true });
  bus = await connectNatsBus({ servers: nats.url });
});
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

describeStateStoreConformance(
  "JetStreamStateStore (nats-server, R1)",
  async () => {
    const bucket = `conformance-${++buckets}`;
    let current = await JetStreamStateStore.open(bus, { bucket });
    return {
      store: current,
      reopen: async () => {
        await current.close();
        current = await JetStreamStateStore.open(bus.connection, { bucket });
        return current;
      },
      teardown: () => current.close(),
    };
  },
  { durable: true },
);

describe("JetStreamStateStore", () => {
  it("keeps data and watches across a restart of the server", async () => {
    const store = await JetStreamStateStore.open(bus, { bucket: "restart", timeoutMs: 1_000 });
    const rev = await store.put("agents.a1", enc.encode("kept"));
    const events: WatchEvent[] = [];
    await store.watch("agents.", (e) => events.push(e));
    await nats.restart();
    await waitFor(
      async () => {
        try {
          return (await store.get("agents.a1"))?.revision === rev;
        } catch {
          return false;
        }
      },
      "the entry to be readable after the restart",
      20_000,
    );
    expect(dec.decode((await store.get("agents.a1"))!.value)).toBe("kept");
    await store.put("agents.a2", enc.encode("after restart"));
    await waitFor(
      () => events.some((e) => e.key === "agents.a2"),
      "the watch event after the restart",
      20_000,
    );
    await store.close();
  });

  it("expires entries of a TTL bucket, so an expired key can be created again (a lease)", async () => {
    const store = await JetStreamStateStore.open(bus, { bucket: "lease", ttlMs: 1_000 });
    await store.put("leader", enc.encode("m1"), { expectedRevision: 0 });
    const err = await store.put("leader", enc.encode("m2"), { expectedRevision: 0 }).catch((e: unknown) => e);
    expect(isTransportError(err, "REVISION_MISMATCH")).toBe(true);
    await waitFor(async () => (await store.get("leader")) === undefined, "the lease to expire", 15_000);
    await store.put("leader", enc.encode("m2"), { expectedRevision: 0 });
    expect(dec.decode((await store.get("leader"))!.value)).toBe("m2");
    await store.close();
  });

  it("opens a bucket whose first create lost a race (10065), by retrying", async () => {
    // What a contender that loses a concurrent create sees on nats-server 2.9, made certain: a
    // stream already holds the bucket's subjects and goes away after the first refusal.
    const jsm = await jetstreamManager(bus.connection);
    await jsm.streams.add({ name: "squatter", subjects: ["$KV.contested.>"] });
    const retries: number[] = [];
    const logger = pino(
      { level: "warn" },
      {
        write(line: string) {
          retries.push(JSON.parse(line).attempt);
          void jsm.streams.delete("squatter");
        },
      },
    );
    const store = await JetStreamStateStore.open(bus, { bucket: "contested", logger });
    expect(retries).toEqual([1]);
    await store.put("leader", enc.encode("m1"), { expectedRevision: 0 });
    expect(dec.decode((await store.get("leader"))!.value)).toBe("m1");
    await store.close();
  });

  it("opens one new bucket from several connections at once (contenders starting together)", async () => {
    const contenders = await Promise.all(
      Array.from({ length: 8 }, () => connectNatsBus({ servers: nats.url })),
    );
    try {
      for (let round = 0; round < 50; round++) {
        const bucket = `contended-${round}`;
        const stores = await Promise.all(
          contenders.map((c) => JetStreamStateStore.open(c, { bucket, ttlMs: 5_000 })),
        );
        await stores[0]!.put("leader", enc.encode("m1"), { expectedRevision: 0 });
        expect(dec.decode((await stores[7]!.get("leader"))!.value)).toBe("m1");
        await Promise.all(stores.map((s) => s.close()));
      }
    } finally {
      await Promise.all(contenders.map((c) => c.close()));
    }
  });

  it("fails with CONNECTION when the server has no JetStream", async () => {
    const plain = await startNatsServer();
    const plainBus = await connectNatsBus({ servers: plain.url });
    try {
      const err = await JetStreamStateStore.open(plainBus, { bucket: "nope" }).catch((e: unknown) => e);
      expect(isTransportError(err, "CONNECTION")).toBe(true);
    } finally {
      await plainBus.close();
      await plain.stop();
    }
  });
});

describe("JetStreamStateStore on a 3-node cluster", () => {
  let cluster: NatsClusterHandle;
  beforeAll(async () => {
    cluster = await startNatsCluster(3, { jetstream: true });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("keeps accepting writes of an R3 bucket after one node is killed", async () => {
    const clusterBus = await connectNatsBus({ servers: cluster.urls, reconnect: { timeWaitMs: 50 } });
    try {
      const store = await JetStreamStateStore.open(clusterBus, { bucket: "ha", replicas: 3 });
      const before = await store.put("agents.a1", enc.encode("before"));
      cluster.nodes[0]!.kill("SIGKILL");
      let after = 0;
      await waitFor(
        async () => {
          try {
            after = await store.put("agents.a1", enc.encode("after"));
            return true;
          } catch {
            return false;
          }
        },
        "a write with one node down",
        30_000,
      );
      expect(after).toBeGreaterThan(before);
      expect(dec.decode((await store.get("agents.a1"))!.value)).toBe("after");
      await store.close();
    } finally {
      await clusterBus.close();
    }
  });
});
