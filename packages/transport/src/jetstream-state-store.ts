import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, jetstream } from "@nats-io/jetstream";
import { type KV, type KvEntry, Kvm, KvWatchInclude } from "@nats-io/kv";
import {
  ClosedConnectionError,
  DrainingConnectionError,
  type NatsConnection,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from "@nats-io/transport-node";
import { type Logger, pino } from "pino";
import { TransportError } from "./errors.js";
import type { PutOptions, StateStore, StoreEntry, StoreWatch, WatchEvent } from "./state-store.js";
import { assertValidKey, assertValidPrefix, compareKeys } from "./store-keys.js";

export interface JetStreamStateStoreOptions {
  /** The KV bucket name (`[A-Za-z0-9_-]`), e.g. `agora-registry`; created when missing. */
  bucket: string;
  /** Copies of the bucket kept by the NATS cluster (1, 3 or 5; default 1). */
  replicas?: number;
  /** Values kept per key (default 1). */
  history?: number;
  /** Entries older than this expire (a lease bucket); default: never. */
  ttlMs?: number;
  /** Milliseconds before a JetStream API call fails with `TIMEOUT` (default 5000). */
  timeoutMs?: number;
  logger?: Logger;
}

const OPEN_ATTEMPTS = 5;
/** Keys a `list` reads at once: pipelined, but bounded so a large registry does not queue every request at once. */
const LIST_READS_IN_FLIGHT = 1_000;
// nats-server's API error codes for a stream create that lost a race with an identical one
// (@nats-io/jetstream names neither).
const STREAM_SUBJECTS_OVERLAP = 10065;
const STREAM_NAME_IN_USE = 10058;

/** A `NatsBus` or anything else exposing its NATS connection. */
export interface HasNatsConnection {
  readonly connection: NatsConnection;
}

/**
 * The cluster-mode `StateStore`: a JetStream KV bucket. Revisions are the bucket stream's
 * sequence numbers; compare-and-set maps to `kv.create` (expected 0) and `kv.update`.
 *
 * Buckets are created without JetStream "direct get" (nats-server 2.9 answers direct gets from
 * any replica, so a read right after a write may miss it); reads go through the stream leader.
 * Unlike the memory and file stores, deleting a missing key writes a delete marker (a new
 * revision and a watch event).
 *
 * @example
 * const bus = await connectNatsBus({ servers: url });
 * const store = await JetStreamStateStore.open(bus, { bucket: "agora-registry", replicas: 3 });
 */
export class JetStreamStateStore implements StateStore {
  private readonly watches = new Set<StoreWatch>();
  private closed = false;

  private constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly bucket: string,
    private readonly logger: Logger,
  ) {}

  /** Binds to the bucket, creating it when missing. Fails with `CONNECTION` when JetStream is unavailable. */
  static async open(
    conn: NatsConnection | HasNatsConnection,
    opts: JetStreamStateStoreOptions,
  ): Promise<JetStreamStateStore> {
    const nc = "connection" in conn ? conn.connection : conn;
    const logger = opts.logger ?? pino({ level: "silent" });
    const js = jetstream(nc, { timeout: opts.timeoutMs ?? 5_000 });
    const kvm = new Kvm(js);
    const jsm = await js.jetstreamManager(false);
    for (let attempt = 1; ; attempt++) {
      try {
        const kv = await kvm.create(opts.bucket, {
          replicas: opts.replicas ?? 1,
          history: opts.history ?? 1,
          ...(opts.ttlMs === undefined ? {} : { ttl: opts.ttlMs }),
          allow_direct: false,
        });
        return new JetStreamStateStore(kv, jsm, opts.bucket, logger);
      } catch (err) {
        const error = storeError(err, opts.bucket, `cannot open JetStream KV bucket ${opts.bucket}`);
        // Several contenders creating one bucket at once (masters starting together, standbys of a
        // lease) race on nats-server 2.9: one of them may never be answered (clustered), or be
        // refused because the stream another just made now holds the subjects (10065). Either
        // way the winner's stream exists by then, so the next attempt binds to it.
        const raced = error.code === "TIMEOUT" || lostCreateRace(err);
        if (!raced || attempt >= OPEN_ATTEMPTS) throw error;
        logger.warn(
          { bucket: opts.bucket, attempt, code: error.code },
          "opening the KV bucket raced; retrying",
        );
      }
    }
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.assertOpen(key);
    assertValidKey(key);
    try {
      const e = await this.kv.get(key);
      return e === null || e.operation !== "PUT" ? undefined : toEntry(e);
    } catch (err) {
      throw storeError(err, key, `get ${key} failed`);
    }
  }

  async put(key: string, value: Uint8Array, opts: PutOptions = {}): Promise<number> {
    this.assertOpen(key);
    assertValidKey(key);
    const expected = opts.expectedRevision;
    try {
      if (expected === undefined) return await this.kv.put(key, value);
      if (expected === 0) return await this.kv.create(key, value);
      return await this.kv.update(key, value, expected);
    } catch (err) {
      throw storeError(err, key, `put ${key} failed`, expected);
    }
  }

  async delete(key: string, opts: PutOptions = {}): Promise<void> {
    this.assertOpen(key);
    assertValidKey(key);
    const expected = opts.expectedRevision;
    if (expected === 0) {
      // "Must not exist": nothing to delete, unless it does exist.
      if ((await this.get(key)) !== undefined) throw mismatch(key, expected);
      return;
    }
    try {
      await this.kv.delete(key, expected === undefined ? {} : { previousSeq: expected });
    } catch (err) {
      throw storeError(err, key, `delete ${key} failed`, expected);
    }
  }

  /**
   * The keys come from the stream's subject index (stream info) and each value from a read of the
   * key's last message, both answered by the stream leader as `get` is. Not from a consumer over the
   * stream, as the client's `keys`/`history` do: for up to a minute after a NATS node of three is
   * killed, nats-server 2.9.10 answered few consumer creates, so most listings timed out (a new
   * leader's takeover with them) while reads and writes went on.
   */
  async list(prefix: string): Promise<StoreEntry[]> {
    this.assertOpen(prefix);
    assertValidPrefix(prefix);
    const subjectPrefix = `$KV.${this.bucket}.`;
    const entries: StoreEntry[] = [];
    try {
      const info = await this.jsm.streams.info(`KV_${this.bucket}`, {
        subjects_filter: `${subjectPrefix}${subjectFilter(prefix)}`,
      });
      const keys = Object.keys(info.state.subjects ?? {})
        .map((subject) => subject.slice(subjectPrefix.length))
        .filter((key) => key.startsWith(prefix));
      for (let i = 0; i < keys.length; i += LIST_READS_IN_FLIGHT) {
        const read = await Promise.all(keys.slice(i, i + LIST_READS_IN_FLIGHT).map((k) => this.kv.get(k)));
        // A key deleted since the index was read is a delete marker or gone.
        for (const e of read) if (e !== null && e.operation === "PUT") entries.push(toEntry(e));
      }
    } catch (err) {
      throw storeError(err, prefix, `list ${prefix} failed`);
    }
    return entries.sort((a, b) => compareKeys(a.key, b.key));
  }

  async watch(prefix: string, onEvent: (event: WatchEvent) => void): Promise<StoreWatch> {
    this.assertOpen(prefix);
    assertValidPrefix(prefix);
    let iter: Awaited<ReturnType<KV["watch"]>>;
    try {
      iter = await this.kv.watch({ key: subjectFilter(prefix), include: KvWatchInclude.UpdatesOnly });
    } catch (err) {
      throw storeError(err, prefix, `watch ${prefix} failed`);
    }
    const watch: StoreWatch = {
      stop: () => {
        this.watches.delete(watch);
        iter.stop();
      },
    };
    this.watches.add(watch);
    void (async () => {
      for await (const e of iter) {
        if (!e.key.startsWith(prefix)) continue;
        const event: WatchEvent =
          e.operation === "PUT"
            ? { op: "put", key: e.key, value: plainBytes(e.value), revision: e.revision }
            : { op: "delete", key: e.key, revision: e.revision };
        try {
          onEvent(event);
        } catch (err) {
          this.logger.error({ err, key: e.key }, "state store watcher failed");
        }
      }
    })().catch((err: unknown) => this.logger.error({ err, prefix }, "state store watch ended"));
    return watch;
  }

  /** Stops the watches; the NATS connection stays open (it belongs to the caller). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of [...this.watches]) w.stop();
  }

  private assertOpen(target: string): void {
    if (this.closed) throw new TransportError("CLOSED", "the state store is closed", { target });
  }
}

function toEntry(e: KvEntry): StoreEntry {
  return { key: e.key, value: plainBytes(e.value), revision: e.revision };
}

/** The client hands out Node `Buffer`s; give callers plain `Uint8Array`s like the other stores (no copy). */
function plainBytes(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The KV subject filter covering `prefix` (the caller still filters by `startsWith`). */
function subjectFilter(prefix: string): string {
  const lastDot = prefix.lastIndexOf(".");
  return lastDot < 0 ? ">" : `${prefix.slice(0, lastDot + 1)}>`;
}

function mismatch(key: string, expected: number | undefined, cause?: unknown): TransportError {
  return new TransportError("REVISION_MISMATCH", `key ${key} is not at revision ${expected}`, {
    target: key,
    cause,
  });
}

/** JetStream refused a stream create because a concurrent create of the same bucket won. */
function lostCreateRace(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === STREAM_SUBJECTS_OVERLAP || err.code === STREAM_NAME_IN_USE)
  );
}

function storeError(err: unknown, target: string, message: string, expected?: number): TransportError {
  if (err instanceof TransportError) return err;
  if (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  ) {
    return mismatch(target, expected, err);
  }
  if (err instanceof ClosedConnectionError || err instanceof DrainingConnectionError) {
    return new TransportError("CLOSED", "the NATS connection is closed", { target, cause: err });
  }
  const cause = err instanceof RequestError && err.cause !== undefined ? err.cause : err;
  if (cause instanceof TimeoutError) return new TransportError("TIMEOUT", message, { target, cause: err });
  // No responders on a JetStream API subject: JetStream is off or has no leader right now.
  const detail = cause instanceof NoRespondersError ? " (JetStream unavailable)" : "";
  return new TransportError("CONNECTION", `${message}${detail}`, { target, cause: err });
}
