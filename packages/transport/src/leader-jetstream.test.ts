import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type NatsClusterHandle,
  type NatsServerHandle,
  startNatsCluster,
  startNatsServer,
} from "../../../test/harness/nats-server.js";
import { AlwaysLeader } from "./leader-always.js";
import type { LeaderElection } from "./leader-election.js";
import { openJetStreamLeaderElection } from "./leader-jetstream.js";
import { connectNatsBus, type NatsBus } from "./nats-bus.js";
import { waitFor } from "./testing/index.js";

interface Contender {
  readonly id: string;
  readonly bus: NatsBus;
  readonly election: LeaderElection;
  readonly elected: number[];
  readonly deposed: string[];
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

let names = 0;
async function contenders(
  servers: string | string[],
  ids: string[],
  opts: { ttlMs: number; replicas?: number },
): Promise<Contender[]> {
  const name = `election-${++names}`;
  return Promise.all(
    ids.map(async (id, i) => {
      // Each candidate its own connection (its own process in real life), to its own node first.
      const list = Array.isArray(servers)
        ? [...servers.slice(i % servers.length), ...servers.slice(0, i % servers.length)]
        : servers;
      const bus = await connectNatsBus({ servers: list, reconnect: { timeWaitMs: 100 } });
      const election = await openJetStreamLeaderElection(bus, {
        name,
        id,
        address: `http://${id}:5050`,
        ...opts,
      });
      const c: Contender = { id, bus, election, elected: [], deposed: [] };
      cleanup.push(async () => {
        await election.close();
        await bus.close();
      });
      await election.start({
        onElected: (epoch) => void c.elected.push(epoch),
        onDeposed: (reason) => void c.deposed.push(reason),
      });
      return c;
    }),
  );
}

function leaders(all: Contender[]): Contender[] {
  return all.filter((c) => c.election.isLeader);
}

describe("JetStream leader election (one nats-server)", () => {
  let nats: NatsServerHandle;
  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: true });
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it("elects one candidate, named with its address and epoch by all", async () => {
    const all = await contenders(nats.url, ["m1", "m2", "m3"], { ttlMs: 2_000 });
    await waitFor(() => leaders(all).length === 1, "one leader");
    const leader = leaders(all)[0]!;
    expect(leader.elected).toEqual([1]);
    await waitFor(
      () => all.every((c) => c.election.leader()?.id === leader.id && c.election.leader()?.epoch === 1),
      "every candidate to name the leader",
    );
    expect(all[0]!.election.leader()!.address).toBe(`http://${leader.id}:5050`);
    expect(leaders(all)).toHaveLength(1);
  });

  it("hands over at once when the leader resigns (a long TTL would otherwise keep the lease)", async () => {
    const all = await contenders(nats.url, ["m1", "m2"], { ttlMs: 60_000 });
    await waitFor(() => leaders(all).length === 1, "one leader");
    const first = leaders(all)[0]!;
    await first.election.close();
    const second = all.find((c) => c !== first)!;
    await waitFor(() => second.election.isLeader, "the standby to lead after the resignation", 10_000);
    expect(second.elected).toEqual([2]);
  });

  it("lets a standby take over once a crashed leader's lease expires, with a higher epoch", async () => {
    const all = await contenders(nats.url, ["m1", "m2"], { ttlMs: 1_500 });
    await waitFor(() => leaders(all).length === 1, "one leader");
    const first = leaders(all)[0]!;
    // A crash: the connection goes without resigning; the lease stays until its TTL.
    await first.bus.close();
    const second = all.find((c) => c !== first)!;
    await waitFor(() => second.election.isLeader, "the standby to lead after the TTL", 15_000);
    expect(second.elected).toEqual([2]);
    // The old leader could not renew and deposed itself.
    await waitFor(() => first.deposed.length === 1, "the crashed leader to be deposed");
    expect(first.election.isLeader).toBe(false);
  });

  it("keeps epochs across a new generation of candidates on the same name", async () => {
    const name = `election-${++names}`;
    const epochs: number[] = [];
    for (const id of ["a", "b"]) {
      const bus = await connectNatsBus({ servers: nats.url });
      const election = await openJetStreamLeaderElection(bus, { name, id, address: id, ttlMs: 2_000 });
      await election.start({ onElected: (e) => void epochs.push(e), onDeposed: () => undefined });
      await waitFor(() => election.isLeader, `${id} to lead`);
      await election.close();
      await bus.close();
    }
    expect(epochs).toEqual([1, 2]);
  });
});

describe("JetStream leader election (three-node cluster, R3 buckets)", () => {
  let cluster: NatsClusterHandle;
  beforeAll(async () => {
    cluster = await startNatsCluster(3, { jetstream: true });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("has exactly one leader again after one NATS node is killed, and every candidate names it", async () => {
    const all = await contenders(cluster.urls, ["m1", "m2", "m3"], { ttlMs: 2_000, replicas: 3 });
    await waitFor(() => leaders(all).length === 1, "one leader");
    const before = leaders(all)[0]!.election.leader()!.epoch;
    cluster.nodes[0]!.kill("SIGKILL");
    // Every candidate names one leader, which leads, for several renewal periods in a row.
    let stableSince = 0;
    await waitFor(
      () => {
        const ls = leaders(all);
        const named = new Set(all.map((c) => c.election.leader()?.id));
        const agreed = ls.length === 1 && named.size === 1 && named.has(ls[0]!.id);
        if (!agreed) stableSince = 0;
        else if (stableSince === 0) stableSince = Date.now();
        return agreed && Date.now() - stableSince > 3_000;
      },
      "one agreed leader after the node loss",
      45_000,
    );
    expect(leaders(all)[0]!.election.leader()!.epoch).toBeGreaterThanOrEqual(before);
  });
});

describe("AlwaysLeader", () => {
  it("leads at once with its epoch and stops leading on close", async () => {
    const election = new AlwaysLeader({ name: "dev", id: "m1", address: "http://127.0.0.1:5050" });
    const elected: number[] = [];
    await election.start({ onElected: (e) => void elected.push(e), onDeposed: () => undefined });
    expect(elected).toEqual([1]);
    expect(election.isLeader).toBe(true);
    expect(election.leader()).toEqual({ id: "m1", address: "http://127.0.0.1:5050", epoch: 1 });
    await election.close();
    expect(election.isLeader).toBe(false);
  });
});
