import { MemoryStateStore, type StoreEntry } from "@agora/transport";
import { describe, expect, it, onTestFinished } from "vitest";
import { MasterHarness, waitFor } from "./test-support/harness.js";

/** A registry whose reads time out `failures` times, as JetStream's do while it re-elects. */
class StallingStore extends MemoryStateStore {
  reads = 0;
  constructor(private failures: number) {
    super();
  }
  override async list(prefix: string): Promise<StoreEntry[]> {
    this.reads++;
    if (this.failures-- > 0) throw new Error(`list ${prefix}: TimeoutError`);
    return super.list(prefix);
  }
}

describe("a takeover whose registry reads fail", () => {
  it("retries with backoff while it holds the lease, and leads once the registry answers", async () => {
    const store = new StallingStore(2);
    const reasons: string[] = [];
    const h = new MasterHarness({ store, onDeposed: (r) => reasons.push(r) });
    onTestFinished(() => h.stop());
    // A lone master's start waits for its takeover, retries included.
    const started = h.master.start({ httpPort: 5050 });
    await waitFor(() => h.clock.pendingTimers === 1, "the first retry to be armed");
    expect(store.reads).toBe(1);
    expect(h.master.isLeader).toBe(false);
    h.clock.advance(499);
    expect(store.reads).toBe(1);
    h.clock.advance(1);
    await waitFor(() => store.reads === 2 && h.clock.pendingTimers === 1, "the second retry to be armed");
    h.clock.advance(1000);
    await started;
    expect(h.master.isLeader).toBe(true);
    expect(reasons).toEqual([]);
    const reply = await h.request({ type: "subscribe", frameworkInfo: { name: "after-retry" } });
    expect(reply.ok).toBe(true);
  });

  it("resigns through onDeposed once the registry fetch timeout has passed", async () => {
    const store = new StallingStore(Number.POSITIVE_INFINITY);
    const reasons: string[] = [];
    const h = new MasterHarness({ store, registryFetchTimeoutMs: 3000, onDeposed: (r) => reasons.push(r) });
    onTestFinished(() => h.stop());
    const started = h.master.start({ httpPort: 5050 });
    // Waits of 500, 1000 and then the 1500 ms left: four reads in all.
    for (const [reads, wait] of [
      [1, 500],
      [2, 1000],
      [3, 1500],
    ] as const) {
      await waitFor(() => store.reads === reads && h.clock.pendingTimers === 1, `retry ${reads} to be armed`);
      expect(reasons).toEqual([]);
      h.clock.advance(wait);
    }
    await started;
    expect(reasons).toHaveLength(1);
    expect(store.reads).toBe(4);
    expect(reasons[0]).toMatch(/^takeover failed: .*TimeoutError/);
    expect(h.master.isLeader).toBe(false);
  });
});
