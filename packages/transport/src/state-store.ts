/**
 * A small key-value store with compare-and-set revisions: the master's registry and the
 * frameworks' state live here (file in dev mode, JetStream KV in cluster mode).
 *
 * Keys are `.`-separated tokens of `[A-Za-z0-9_=-]` (e.g. `agents.a1`), valid as NATS KV keys.
 * Revisions are positive integers that grow with every write to the store.
 */
export interface StoreEntry {
  readonly key: string;
  readonly value: Uint8Array;
  readonly revision: number;
}

export interface PutOptions {
  /** Compare-and-set: write only if the key's current revision is this; 0 means "must not exist". */
  expectedRevision?: number;
}

export type WatchEvent =
  | { readonly op: "put"; readonly key: string; readonly value: Uint8Array; readonly revision: number }
  | { readonly op: "delete"; readonly key: string; readonly revision: number };

export interface StoreWatch {
  stop(): void;
}

export interface StateStore {
  get(key: string): Promise<StoreEntry | undefined>;
  /** Returns the new revision; fails with `TransportError` code `REVISION_MISMATCH` when the CAS fails. */
  put(key: string, value: Uint8Array, opts?: PutOptions): Promise<number>;
  delete(key: string, opts?: PutOptions): Promise<void>;
  /** Entries whose key starts with `prefix` (a whole token prefix such as `agents.`), sorted by key. */
  list(prefix: string): Promise<StoreEntry[]>;
  /** Calls `onEvent` for every later change under `prefix`. */
  watch(prefix: string, onEvent: (event: WatchEvent) => void): Promise<StoreWatch>;
  close(): Promise<void>;
}
