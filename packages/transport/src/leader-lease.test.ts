import { afterEach, describe, expect, it } from "vitest";
import { TransportError } from "./errors.js";
import type { LeadershipHandlers } from "./leader-election.js";
import { LeaseLeaderElection } from "./leader-lease.js";
import { MemoryStateStore } from "./memory-state-store.js";
import type { PutOptions, StateStore, StoreWatch, WatchEvent } from "./state-store.js";
import { waitFor } from "./testing/index.js";

// The memory store never expires entries: a test deletes the lease where JetStream's TTL would.
const TTL_MS = 300;

interface Contender {
  election: LeaseLeaderElection;
  elected: number[];
  deposed: string[];
}

const open: LeaseLeaderElection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function contender(id: string, leases: StateStore, epochs: StateStore): Promise<Contender> {
  const election = new LeaseLeaderElection(
    { name: "test", id, address: `http://${id}:5050` },
    { leases, epochs, ttlMs: TTL_MS },
  );
  open.push(election);
  const c: Contender = { election, elected: [], deposed: [] };
  const handlers: LeadershipHandlers = {
    onElected: (epoch) => {
      c.elected.push(epoch);
    },
    onDeposed: (reason) => {
      c.deposed.push(reason);
    },
  };
  await election.start(handlers);
  return c;
}

/** `contender`, once it leads. */
async function leading(id: string, leases: StateStore, epochs: StateStore): Promise<Contender> {
  const c = await contender(id, leases, epochs);
  await waitFor(() => c.election.isLeader, `${id} to lead`);
  return c;
}

/** A lease store whose writes fail with `CONNECTION` while `failing` is set (NATS unreachable). */
class FlakyStore extends MemoryStateStore {
  failing = false;
  override async put(key: string, value: Uint8Array, opts?: PutOptions): Promise<number> {
    if (this.failing) throw new TransportError("CONNECTION", "unreachable", { target: key });
    return super.put(key, value, opts);
  }
}

/** A lease store whose first `failures` watches fail with `TIMEOUT` (JetStream answering no consumer create). */
class WatchlessStore extends MemoryStateStore {
  watchCalls = 0;
  constructor(private failures: number) {
    super();
  }
  override async watch(prefix: string, onEvent: (event: WatchEvent) => void): Promise<StoreWatch> {
    this.watchCalls++;
    if (this.failures-- > 0) throw new TransportError("TIMEOUT", "watch timed out", { target: prefix });
    return super.watch(prefix, onEvent);
  }
}

/** A lease store whose writes land at once but answer late while `slow` is set (a congested server). */
class SlowStore extends MemoryStateStore {
  slow = false;
  override async put(key: string, value: Uint8Array, opts?: PutOptions): Promise<number> {
    const revision = await super.put(key, value, opts);
    if (this.slow) await new Promise((r) => setTimeout(r, TTL_MS * 1.5));
    return revision;
  }
}

describe("LeaseLeaderElection", () => {
  it("elects exactly one of several candidates with epoch 1, and the others name it as leader", async () => {
    const leases = new MemoryStateStore();
    const epochs = new MemoryStateStore();
    const all = await Promise.all(["m1", "m2", "m3"].map((id) => contender(id, leases, epochs)));
    await waitFor(() => all.some((c) => c.elected.length > 0), "a leader");
    const leaders = all.filter((c) => c.election.isLeader);
    expect(leaders).toHaveLength(1);
    expect(leaders[0]!.elected).toEqual([1]);
    const leaderId = leaders[0]!.election.leader()!.id;
    await waitFor(
      () => all.every((c) => c.election.leader()?.id === leaderId && c.election.leader()?.epoch === 1),
      "every candidate to name the leader with its epoch",
    );
    expect(all.every((c) => c.election.leader()!.address === `http://${leaderId}:5050`)).toBe(true);
  });

  it("hands leadership to a standby at once when the leader resigns, with the next epoch", async () => {
    const leases = new MemoryStateStore();
    const epochs = new MemoryStateStore();
    const first = await contender("m1", leases, epochs);
    const second = await contender("m2", leases, epochs);
    await waitFor(() => first.election.isLeader, "m1 to lead");
    await first.election.close();
    await waitFor(() => second.election.isLeader, "m2 to lead after m1 resigned");
    expect(second.elected).toEqual([2]);
    expect(first.deposed).toEqual([]);
  });

  it("lets a standby take an expired lease; the old leader, which lost it, is deposed", async () => {
    const leases = new MemoryStateStore();
    const epochs = new MemoryStateStore();
    const first = await leading("m1", leases, epochs);
    const second = await contender("m2", leases, epochs);
    await leases.delete("leader"); // what JetStream does when the TTL passes without a renewal
    await waitFor(() => second.election.isLeader, "m2 to take the expired lease");
    await waitFor(() => first.deposed.length === 1, "m1 to be deposed on its next renewal");
    expect(first.election.isLeader).toBe(false);
    expect(second.elected).toEqual([2]);
    expect(first.deposed[0]).toMatch(/held by another/);
  });

  it("deposes a leader that cannot renew its lease within the TTL, before the lease expires", async () => {
    const leases = new FlakyStore();
    const epochs = new MemoryStateStore();
    const only = await leading("m1", leases, epochs);
    leases.failing = true;
    await waitFor(() => only.deposed.length === 1, "m1 to depose itself");
    expect(only.deposed[0]).toMatch(/not renewed/);
    expect(only.election.isLeader).toBe(false);
    expect(only.election.leader()).toBeUndefined();
  });

  it("leads without a watch of the lease it could not make, and makes it at a later poll", async () => {
    const leases = new WatchlessStore(2);
    const a = await contender("a", leases, new MemoryStateStore());
    expect(a.election.isLeader).toBe(true);
    await waitFor(() => leases.watchCalls === 3, "the third watch attempt");
    await new Promise((resolve) => setTimeout(resolve, TTL_MS));
    expect(leases.watchCalls).toBe(3);
    expect(a.deposed).toEqual([]);
  });

  it("never reuses an epoch, also after every candidate has gone", async () => {
    const leases = new MemoryStateStore();
    const epochs = new MemoryStateStore();
    const seen: number[] = [];
    for (const id of ["m1", "m2", "m3"]) {
      const c = await leading(id, leases, epochs);
      seen.push(...c.elected);
      await c.election.close();
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it("frees its own lease, renewed by a write that answered after its deposition, and leads again", async () => {
    const leases = new SlowStore();
    const epochs = new MemoryStateStore();
    const only = await leading("m1", leases, epochs);
    leases.slow = true;
    await waitFor(() => only.deposed.length === 1, "m1 to depose itself while its renewal hangs");
    leases.slow = false;
    // The late renewal left the lease under m1's name; nothing expires it in a memory store.
    await waitFor(() => only.elected.length === 2, "m1 to lead again");
    expect(only.elected).toEqual([1, 2]);
  });

  it("stands by again after being deposed and can lead later with a higher epoch", async () => {
    const leases = new FlakyStore();
    const epochs = new MemoryStateStore();
    const only = await leading("m1", leases, epochs);
    leases.failing = true;
    await waitFor(() => only.deposed.length === 1, "m1 to depose itself");
    await leases.delete("leader");
    leases.failing = false;
    await waitFor(() => only.election.isLeader, "m1 to lead again");
    expect(only.elected).toEqual([1, 2]);
  });
});
