import { mkdtemp, rm } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import {
  connectNatsBus,
  FileStateStore,
  JetStreamStateStore,
  type NatsBus,
  type StateStore,
} from "@agora/transport";
import { startNatsCluster, startNatsServer } from "../test/harness/nats-server.js";

/**
 * Raw transport numbers: NatsBus publish→receive and request/reply, and state store puts
 * and listings (JetStream KV on one nats-server and on a 3-node R3 cluster, and the file store).
 * Run: `npx tsx --conditions=source bench/transport.ts`. Sizes: BENCH_MESSAGES, BENCH_PUTS,
 * BENCH_LIST_KEYS.
 */
const messages = Number(process.env.BENCH_MESSAGES ?? 100_000);
const puts = Number(process.env.BENCH_PUTS ?? 5_000);
const listKeys = Number(process.env.BENCH_LIST_KEYS ?? 10_000);
const enc = new TextEncoder();

function rate(n: number, ms: number): number {
  return Math.round((n * 1000) / ms);
}

function report(name: string, n: number, ms: number): void {
  process.stdout.write(
    `${name.padEnd(52)} ${String(rate(n, ms)).padStart(9)} /s  (${n} in ${Math.round(ms)} ms)\n`,
  );
}

/** A ~200-byte JSON message, like a small status update. */
function payload(i: number): Uint8Array {
  return enc.encode(
    JSON.stringify({
      type: "statusUpdate",
      agentId: "6f1c2d3e-0000-4000-8000-000000000001",
      taskId: `task-${i}`,
      state: "TASK_RUNNING",
      uuid: "0b7f8a52-1111-4222-8333-444455556666",
      timestamp: 1_700_000_000 + i,
    }),
  );
}

async function publishReceive(pub: NatsBus, sub: NatsBus): Promise<void> {
  const data = Array.from({ length: 1000 }, (_, i) => payload(i));
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const s = sub.subscribe("bench.pub", () => {
    if (++received === messages) done();
  });
  await sub.flush();
  const start = performance.now();
  for (let i = 0; i < messages; i++) {
    pub.publish("bench.pub", data[i % 1000]!);
    // Yield now and then so the socket drains instead of buffering everything in memory.
    if (i % 5000 === 4999) await pub.flush();
  }
  await all;
  report(`NatsBus publish→receive (${data[0]!.length} B JSON)`, messages, performance.now() - start);
  s.unsubscribe();
}

async function requestReply(client: NatsBus, server: NatsBus): Promise<void> {
  const s = server.subscribe("bench.rpc", (m) => void m.respond(m.data));
  await server.flush();
  const body = payload(0);
  const n = 5_000;
  for (let i = 0; i < 1_000; i++) await client.request("bench.rpc", body); // warm-up (JIT, buffers)
  let start = performance.now();
  for (let i = 0; i < n; i++) await client.request("bench.rpc", body);
  report("NatsBus request/reply, sequential", n, performance.now() - start);
  const inFlight = 100;
  const total = 20_000;
  start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        next++;
        await client.request("bench.rpc", body);
      }
    }),
  );
  report(`NatsBus request/reply, ${inFlight} in flight`, total, performance.now() - start);
  s.unsubscribe();
}

async function storePuts(name: string, store: StateStore): Promise<void> {
  const value = payload(0);
  const sequential = Math.min(puts, 2_000);
  let start = performance.now();
  for (let i = 0; i < sequential; i++) await store.put(`bench.seq.k${i % 500}`, value);
  report(`${name}: sequential puts`, sequential, performance.now() - start);
  const inFlight = 256;
  start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < puts) {
        const i = next++;
        await store.put(`bench.pipe.k${i % 500}`, value);
      }
    }),
  );
  report(`${name}: pipelined puts (${inFlight} in flight)`, puts, performance.now() - start);
}

/** `list` of a prefix holding `listKeys` keys (what a new leader reads of its registry): the median of 3. */
async function storeList(name: string, store: StateStore): Promise<void> {
  const value = payload(0);
  for (let i = 0; i < listKeys; i += 500) {
    const batch = Array.from({ length: Math.min(500, listKeys - i) }, (_, j) => i + j);
    await Promise.all(batch.map((k) => store.put(`bench.list.k${k}`, value)));
  }
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    const listed = await store.list("bench.list.");
    times.push(performance.now() - start);
    if (listed.length !== listKeys) throw new Error(`${name}: listed ${listed.length} of ${listKeys} keys`);
  }
  const median = times.sort((a, b) => a - b)[1]!;
  report(`${name}: list of ${listKeys} keys (median of 3)`, listKeys, median);
}

async function main(): Promise<void> {
  process.stdout.write(
    `node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, ${os.type()} ${os.release()}\n`,
  );
  const server = await startNatsServer({ jetstream: true });
  try {
    const a = await connectNatsBus({ servers: server.url, name: "bench-a" });
    const b = await connectNatsBus({ servers: server.url, name: "bench-b" });
    process.stdout.write(`nats-server ${a.connection.info?.version}\n`);
    await publishReceive(a, b);
    await requestReply(a, b);
    const kv = await JetStreamStateStore.open(a, { bucket: "bench" });
    await storePuts("JetStream KV, 1 server, R1", kv);
    await storeList("JetStream KV, 1 server, R1", kv);
    await kv.close();
    await Promise.all([a.close(), b.close()]);
  } finally {
    await server.stop();
  }

  const cluster = await startNatsCluster(3, { jetstream: true });
  try {
    const bus = await connectNatsBus({ servers: cluster.urls, name: "bench-cluster" });
    const kv = await JetStreamStateStore.open(bus, { bucket: "bench", replicas: 3 });
    await storePuts("JetStream KV, 3-node cluster, R3", kv);
    await storeList("JetStream KV, 3-node cluster, R3", kv);
    await kv.close();
    await bus.close();
  } finally {
    await cluster.stop();
  }

  const dir = await mkdtemp(join(tmpdir(), "agora-bench-store-"));
  try {
    const file = await FileStateStore.open(dir);
    await storePuts("FileStateStore (fsync per write batch)", file);
    await storeList("FileStateStore", file);
    await file.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
