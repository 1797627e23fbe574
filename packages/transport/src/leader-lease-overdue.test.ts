import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock.js";
import { LeaseLeaderElection } from "./leader-lease.js";
import { MemoryStateStore } from "./memory-state-store.js";
import type { PutOptions } from "./state-store.js";
import { waitFor } from "./testing/index.js";

const TTL_MS = 3_000;

/** A lease store whose writes land at once but whose answers wait for `answer()` while `holding`. */
class HeldAnswers extends MemoryStateStore {
  holding = false;
  private waiting: Array<() => void> = [];
  puts = 0;

  override async put(key: string, value: Uint8Array, opts?: PutOptions): Promise<number> {
    this.puts++;
    const revision = await super.put(key, value, opts);
    if (this.holding) await new Promise<void>((r) => this.waiting.push(r));
    return revision;
  }

  answer(): void {
    for (const r of this.waiting.splice(0)) r();
  }
}

/** A leader on a manual clock (time moves only when the test says), and what it was told. */
async function leader(leases: HeldAnswers) {
  const clock = new ManualClock();
  const election = new LeaseLeaderElection(
    { name: "overdue", id: "m1", address: "http://m1:5050" },
    { leases, epochs: new MemoryStateStore(), ttlMs: TTL_MS, clock },
  );
  const deposed: string[] = [];
  await election.start({ onElected: () => {}, onDeposed: (reason) => void deposed.push(reason) });
  await waitFor(() => election.isLeader, "m1 to lead");
  return { clock, election, deposed };
}

const turns = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe("a lease renewal answered after 90% of the TTL (the event loop was busy)", () => {
  it("keeps leading when the renewal in flight succeeds before the lease's end", async () => {
    const leases = new HeldAnswers();
    const { clock, election, deposed } = await leader(leases);
    leases.holding = true;
    clock.advance(TTL_MS / 3); // a renewal goes out; its answer waits
    await turns();
    clock.advance(TTL_MS * 0.9 - TTL_MS / 3 + 1); // past the old self-deposition point
    await turns();
    expect(deposed).toEqual([]);
    expect(election.isLeader).toBe(true);

    leases.holding = false;
    leases.answer(); // the answer that sat behind the timers is read
    await turns();
    clock.advance(TTL_MS * 0.1); // the lease's first end passes: renewed, so nothing happens
    await turns();
    expect(deposed).toEqual([]);
    expect(election.isLeader).toBe(true);
    await election.close();
  });

  it("renews at once when the deadline finds no renewal in flight", async () => {
    const leases = new HeldAnswers();
    const { clock, election, deposed } = await leader(leases);
    const before = leases.puts;
    // One jump over the whole 90%: the renew interval and the deadline fire in one timers phase,
    // as after a long synchronous stretch; the deadline's renewal, or the interval's, goes out.
    clock.advance(TTL_MS * 0.9 + 1);
    await turns();
    expect(leases.puts).toBeGreaterThan(before);
    expect(deposed).toEqual([]);
    expect(election.isLeader).toBe(true);
    await election.close();
  });

  it("is deposed at the lease's end when no renewal succeeded by then", async () => {
    const leases = new HeldAnswers();
    const { clock, election, deposed } = await leader(leases);
    leases.holding = true;
    clock.advance(TTL_MS * 0.9 + 1);
    await turns();
    expect(deposed).toEqual([]);
    clock.advance(TTL_MS * 0.1);
    await turns();
    expect(deposed).toHaveLength(1);
    expect(deposed[0]).toMatch(/not renewed for 3000 ms \(TTL 3000 ms\)/);
    expect(election.isLeader).toBe(false);
    leases.holding = false;
    leases.answer();
    await election.close();
  });
});
