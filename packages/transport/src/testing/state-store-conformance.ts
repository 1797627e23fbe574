import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isTransportError } from "../errors.js";
import type { StateStore, WatchEvent } from "../state-store.js";
import { expectCode } from "./expect-code.js";
import { waitFor } from "./wait-for.js";

/** A fresh, empty store; `reopen` (when the store is durable) closes it and opens the same data again. */
export interface StateStoreFixture {
  readonly store: StateStore;
  reopen?: () => Promise<StateStore>;
  teardown(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string) => enc.encode(s);

function describeEvent(e: WatchEvent): string {
  return e.op === "put" ? `put ${e.key}=${dec.decode(e.value)}` : `delete ${e.key}`;
}

export interface StateStoreConformanceOptions {
  /** The store keeps its data across a reopen: the fixture provides `reopen`. */
  durable?: boolean;
}

/** The behaviour every `StateStore` must share, run against one implementation. */
export function describeStateStoreConformance(
  name: string,
  factory: () => Promise<StateStoreFixture>,
  opts: StateStoreConformanceOptions = {},
): void {
  describe(`StateStore conformance: ${name}`, () => {
    let f: StateStoreFixture;
    let store: StateStore;
    beforeEach(async () => {
      f = await factory();
      store = f.store;
    });
    afterEach(async () => {
      await f.teardown();
    });

    it("returns undefined for a missing key", async () => {
      expect(await store.get("agents.none")).toBeUndefined();
    });

    it("returns what was put, with the revision put returned", async () => {
      const rev = await store.put("agents.a1", bytes("one"));
      expect(rev).toBeGreaterThan(0);
      const e = await store.get("agents.a1");
      expect(e?.key).toBe("agents.a1");
      expect(dec.decode(e!.value)).toBe("one");
      expect(e?.revision).toBe(rev);
    });

    it("stores arbitrary bytes unchanged", async () => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await store.put("blob", all);
      expect([...(await store.get("blob"))!.value]).toEqual([...all]);
    });

    it("gives every write a higher revision than the one before, across keys", async () => {
      const revs: number[] = [];
      for (const k of ["a", "b", "a", "c.d", "b"]) revs.push(await store.put(k, bytes(k)));
      for (let i = 1; i < revs.length; i++) expect(revs[i]!).toBeGreaterThan(revs[i - 1]!);
      expect((await store.get("a"))?.revision).toBe(revs[2]);
    });

    it("overwrites a key's value", async () => {
      await store.put("weights.r1", bytes("1"));
      await store.put("weights.r1", bytes("2"));
      expect(dec.decode((await store.get("weights.r1"))!.value)).toBe("2");
    });

    it("deletes a key", async () => {
      await store.put("agents.gone", bytes("x"));
      await store.delete("agents.gone");
      expect(await store.get("agents.gone")).toBeUndefined();
      expect(await store.list("agents.")).toEqual([]);
    });

    it("writes when the expected revision matches and refuses a stale one", async () => {
      const r1 = await store.put("quota.dev", bytes("v1"));
      const r2 = await store.put("quota.dev", bytes("v2"), { expectedRevision: r1 });
      expect(r2).toBeGreaterThan(r1);
      await expectCode(
        () => store.put("quota.dev", bytes("v3"), { expectedRevision: r1 }),
        "REVISION_MISMATCH",
      );
      const e = await store.get("quota.dev");
      expect(dec.decode(e!.value)).toBe("v2");
      expect(e?.revision).toBe(r2);
    });

    it("creates with expected revision 0 only when the key is absent", async () => {
      await store.put("leases.master", bytes("m1"), { expectedRevision: 0 });
      await expectCode(
        () => store.put("leases.master", bytes("m2"), { expectedRevision: 0 }),
        "REVISION_MISMATCH",
      );
      expect(dec.decode((await store.get("leases.master"))!.value)).toBe("m1");
      await store.delete("leases.master");
      await store.put("leases.master", bytes("m3"), { expectedRevision: 0 });
      expect(dec.decode((await store.get("leases.master"))!.value)).toBe("m3");
    });

    it("refuses a positive expected revision for a missing key", async () => {
      await expectCode(
        () => store.put("agents.ghost", bytes("x"), { expectedRevision: 7 }),
        "REVISION_MISMATCH",
      );
      expect(await store.get("agents.ghost")).toBeUndefined();
    });

    it("lets exactly one of many concurrent creates win", async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.put("leases.race", bytes(String(i)), { expectedRevision: 0 }),
        ),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results) {
        if (r.status === "rejected") expect(isTransportError(r.reason, "REVISION_MISMATCH")).toBe(true);
      }
    });

    it("deletes with compare-and-set", async () => {
      const rev = await store.put("frameworks.f1", bytes("x"));
      await expectCode(
        () => store.delete("frameworks.f1", { expectedRevision: rev + 100 }),
        "REVISION_MISMATCH",
      );
      expect(await store.get("frameworks.f1")).toBeDefined();
      await store.delete("frameworks.f1", { expectedRevision: rev });
      expect(await store.get("frameworks.f1")).toBeUndefined();
    });

    it("lists the keys under a prefix, sorted by key", async () => {
      for (const k of ["agents.c", "frameworks.a", "agents.a", "agentsx.b", "agents.b.deep", "agents"]) {
        await store.put(k, bytes(k));
      }
      const listed = await store.list("agents.");
      expect(listed.map((e) => e.key)).toEqual(["agents.a", "agents.b.deep", "agents.c"]);
      expect(listed.map((e) => dec.decode(e.value))).toEqual(["agents.a", "agents.b.deep", "agents.c"]);
      for (const e of listed) expect((await store.get(e.key))?.revision).toBe(e.revision);
      expect((await store.list("")).map((e) => e.key)).toEqual([
        "agents",
        "agents.a",
        "agents.b.deep",
        "agents.c",
        "agentsx.b",
        "frameworks.a",
      ]);
      expect((await store.list("agents.b")).map((e) => e.key)).toEqual(["agents.b.deep"]);
      expect(await store.list("nothing.")).toEqual([]);
    });

    it("reports later puts and deletes under the prefix to a watcher, in order", async () => {
      await store.put("agents.before", bytes("old"));
      const events: WatchEvent[] = [];
      const watch = await store.watch("agents.", (e) => events.push(e));
      const r1 = await store.put("agents.a1", bytes("1"));
      await store.put("frameworks.f1", bytes("not watched"));
      const r2 = await store.put("agents.a1", bytes("2"), { expectedRevision: r1 });
      await store.delete("agents.a1");
      await store.put("agents.a2", bytes("3"));
      await waitFor(() => events.length >= 4, "four watch events");
      expect(events.map(describeEvent)).toEqual([
        "put agents.a1=1",
        "put agents.a1=2",
        "delete agents.a1",
        "put agents.a2=3",
      ]);
      expect(events[0]!.revision).toBe(r1);
      expect(events[1]!.revision).toBe(r2);
      for (let i = 1; i < events.length; i++)
        expect(events[i]!.revision).toBeGreaterThan(events[i - 1]!.revision);

      watch.stop();
      await store.put("agents.after-stop", bytes("x"));
      const marker: WatchEvent[] = [];
      const second = await store.watch("marker", (e) => marker.push(e));
      await store.put("marker", bytes("m"));
      await waitFor(() => marker.length === 1, "the marker event");
      second.stop();
      expect(events).toHaveLength(4);
    });

    it("refuses invalid keys and prefixes with INVALID_KEY", async () => {
      for (const key of ["", ".a", "a.", "a..b", "a b", "a*", "a.>", "a/b", "ü"]) {
        await expectCode(() => store.put(key, bytes("x")), "INVALID_KEY");
        await expectCode(() => store.get(key), "INVALID_KEY");
        await expectCode(() => store.delete(key), "INVALID_KEY");
      }
      for (const prefix of [".", "a..", "a b", "*", ">"]) {
        await expectCode(() => store.list(prefix), "INVALID_KEY");
        await expectCode(() => store.watch(prefix, () => {}), "INVALID_KEY");
      }
      await store.put("Az09_=-.ok", bytes("valid"));
    });

    it("fails every call after close with CLOSED", async () => {
      await store.close();
      await expectCode(() => store.get("a"), "CLOSED");
      await expectCode(() => store.put("a", bytes("x")), "CLOSED");
      await expectCode(() => store.delete("a"), "CLOSED");
      await expectCode(() => store.list(""), "CLOSED");
      await expectCode(() => store.watch("", () => {}), "CLOSED");
    });

    // Registered only for durable stores, so a volatile one shows no skipped test.
    if (opts.durable)
      it("keeps every key and revision across a reopen, and revisions keep growing", async () => {
        await store.put("agents.a", bytes("a"));
        await store.put("agents.b", bytes("b"));
        const last = await store.put("weights.w", bytes("w"));
        await store.delete("agents.b");
        const before = await store.list("");
        store = await f.reopen!();
        expect(await store.list("")).toEqual(before);
        expect(await store.get("agents.b")).toBeUndefined();
        expect(await store.put("agents.c", bytes("c"))).toBeGreaterThan(last + 1);
      });
  });
}
