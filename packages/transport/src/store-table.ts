import { TransportError } from "./errors.js";
import type { StoreEntry } from "./state-store.js";
import { compareKeys } from "./store-keys.js";

/**
 * The in-memory table behind the memory and file stores: entries, the store-wide revision
 * counter and the compare-and-set rules, so both stores agree on them exactly.
 */
export class StoreTable {
  private readonly entries = new Map<string, StoreEntry>();
  /** The revision of the latest write (puts and deletes both take one). */
  revision = 0;

  get(key: string): StoreEntry | undefined {
    return this.entries.get(key);
  }

  /** Fails with `REVISION_MISMATCH` unless the key's revision is `expected` (0: absent). */
  check(key: string, expected: number | undefined): void {
    if (expected === undefined) return;
    const actual = this.entries.get(key)?.revision ?? 0;
    if (actual !== expected) {
      throw new TransportError(
        "REVISION_MISMATCH",
        `key ${key} is at revision ${actual}, expected ${expected}`,
        { target: key },
      );
    }
  }

  /** Stores the entry; `revision` must be above every earlier one (the stores assign it). */
  set(entry: StoreEntry): void {
    this.entries.set(entry.key, entry);
    if (entry.revision > this.revision) this.revision = entry.revision;
  }

  remove(key: string, revision: number): void {
    this.entries.delete(key);
    if (revision > this.revision) this.revision = revision;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  list(prefix: string): StoreEntry[] {
    const out: StoreEntry[] = [];
    for (const e of this.entries.values()) if (e.key.startsWith(prefix)) out.push(e);
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  all(): IterableIterator<StoreEntry> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }
}
