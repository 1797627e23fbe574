import { type Logger, pino } from "pino";
import { TransportError } from "./errors.js";
import type { PutOptions, StateStore, StoreEntry, StoreWatch, WatchEvent } from "./state-store.js";
import { assertValidKey, assertValidPrefix } from "./store-keys.js";
import { StoreTable } from "./store-table.js";
import { WatchHub } from "./watch-hub.js";

/**
 * A `StateStore` in process memory: for tests and throwaway dev runs. Deleting a missing key
 * is a no-op (no revision, no event).
 *
 * @example
 * const store = new MemoryStateStore();
 * const rev = await store.put("agents.a1", bytes, { expectedRevision: 0 });
 */
export class MemoryStateStore implements StateStore {
  private readonly table = new StoreTable();
  private readonly watchers: WatchHub;
  private closed = false;

  constructor(opts: { logger?: Logger } = {}) {
    this.watchers = new WatchHub(opts.logger ?? pino({ level: "silent" }));
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.assertOpen(key);
    assertValidKey(key);
    return this.table.get(key);
  }

  async put(key: string, value: Uint8Array, opts: PutOptions = {}): Promise<number> {
    this.assertOpen(key);
    assertValidKey(key);
    this.table.check(key, opts.expectedRevision);
    const revision = this.table.revision + 1;
    const copy = new Uint8Array(value);
    this.table.set({ key, value: copy, revision });
    this.watchers.emit({ op: "put", key, value: copy, revision });
    return revision;
  }

  async delete(key: string, opts: PutOptions = {}): Promise<void> {
    this.assertOpen(key);
    assertValidKey(key);
    this.table.check(key, opts.expectedRevision);
    if (!this.table.has(key)) return;
    const revision = this.table.revision + 1;
    this.table.remove(key, revision);
    this.watchers.emit({ op: "delete", key, revision });
  }

  async list(prefix: string): Promise<StoreEntry[]> {
    this.assertOpen(prefix);
    assertValidPrefix(prefix);
    return this.table.list(prefix);
  }

  async watch(prefix: string, onEvent: (event: WatchEvent) => void): Promise<StoreWatch> {
    this.assertOpen(prefix);
    assertValidPrefix(prefix);
    return this.watchers.add(prefix, onEvent);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
  }

  private assertOpen(target: string): void {
    if (this.closed) throw new TransportError("CLOSED", "the state store is closed", { target });
  }
}
