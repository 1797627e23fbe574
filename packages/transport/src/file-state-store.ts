import type { FileHandle } from "node:fs/promises";
import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { type Logger, pino } from "pino";
import { z } from "zod";
import { TransportError } from "./errors.js";
import type { PutOptions, StateStore, StoreEntry, StoreWatch, WatchEvent } from "./state-store.js";
import { assertValidKey, assertValidPrefix } from "./store-keys.js";
import { StoreTable } from "./store-table.js";
import { WatchHub } from "./watch-hub.js";

const SNAPSHOT = "snapshot.json";
const LOG = "log";
const LOCK = "LOCK";
/** The log is folded into a new snapshot once it holds this many records and twice the live keys. */
const COMPACT_MIN_RECORDS = 4096;

/** One log record: revision, key, and the base64 value (absent for a delete). */
const LogRecord = z.object({ r: z.int(), k: z.string(), v: z.string().optional() });
type LogRecord = z.infer<typeof LogRecord>;

const Snapshot = z.object({ format: z.literal(1), revision: z.int(), entries: z.array(LogRecord) });
type Snapshot = z.infer<typeof Snapshot>;

interface PendingWrite {
  readonly line: string;
  readonly event: WatchEvent;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export interface FileStateStoreOptions {
  logger?: Logger;
}

/**
 * A durable `StateStore` in one directory, for dev mode's registry (hundreds to a few thousand
 * keys): every key lives in memory; every write is appended to a log as a checksummed line and
 * fsync'ed before the write resolves (writes that arrive together share one fsync). When the log
 * grows, it is folded into a snapshot written to a temp file, fsync'ed and renamed. A crash
 * (even `kill -9` mid-write) loses at most the writes that had not resolved: a torn last line
 * fails its checksum and is cut off on the next open. A `LOCK` file with the owner's pid keeps a
 * second process out.
 *
 * Reads see a write as soon as it is accepted (before its fsync completes). Deleting a missing
 * key is a no-op.
 *
 * @example
 * const store = await FileStateStore.open(".agora/state");
 * await store.put("agents.a1", bytes);
 */
export class FileStateStore implements StateStore {
  private readonly table = new StoreTable();
  private readonly watchers: WatchHub;
  private pending: PendingWrite[] = [];
  private flushing: Promise<void> | undefined;
  private logRecords = 0;
  private failure: unknown;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private log: FileHandle,
    private readonly logger: Logger,
  ) {
    this.watchers = new WatchHub(logger);
  }

  /** Opens (creating if needed) the store in `dir`, recovering every key and revision. */
  static async open(dir: string, opts: FileStateStoreOptions = {}): Promise<FileStateStore> {
    const logger = opts.logger ?? pino({ level: "silent" });
    await mkdir(dir, { recursive: true });
    await acquireLock(dir);
    try {
      const table = new StoreTable();
      await loadSnapshot(dir, table);
      const { records, validBytes, totalBytes } = await replayLog(dir, table);
      const log = await open(join(dir, LOG), "a");
      if (validBytes < totalBytes) {
        logger.warn({ dir, cutBytes: totalBytes - validBytes }, "cut a torn tail off the state log");
        await log.truncate(validBytes);
        await log.sync();
      }
      await syncDir(dir);
      const store = new FileStateStore(dir, log, logger);
      for (const e of table.all()) store.table.set(e);
      store.table.revision = table.revision;
      store.logRecords = records;
      return store;
    } catch (err) {
      await rm(join(dir, LOCK), { force: true });
      throw err;
    }
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
    await this.append(
      { r: revision, k: key, v: Buffer.from(copy).toString("base64") },
      {
        op: "put",
        key,
        value: copy,
        revision,
      },
    );
    return revision;
  }

  async delete(key: string, opts: PutOptions = {}): Promise<void> {
    this.assertOpen(key);
    assertValidKey(key);
    this.table.check(key, opts.expectedRevision);
    if (!this.table.has(key)) return;
    const revision = this.table.revision + 1;
    this.table.remove(key, revision);
    await this.append({ r: revision, k: key }, { op: "delete", key, revision });
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

  /** Waits for accepted writes to reach the disk, then releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    this.watchers.clear();
    await this.log.close();
    await rm(join(this.dir, LOCK), { force: true });
  }

  private append(record: LogRecord, event: WatchEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: encodeLine(record), event, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Writes everything pending with one write and one fsync per round; rounds run one at a time. */
  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        if (this.failure !== undefined) throw this.failure;
        await this.log.appendFile(batch.map((w) => w.line).join(""));
        await this.log.datasync();
      } catch (err) {
        // The table is now ahead of the disk: refuse everything from here on.
        this.failure ??= err;
        const failed = new TransportError("CONNECTION", `state log write failed in ${this.dir}`, {
          cause: err,
        });
        for (const w of batch) w.reject(failed);
        continue;
      }
      this.logRecords += batch.length;
      for (const w of batch) {
        this.watchers.emit(w.event);
        w.resolve();
      }
      if (this.logRecords >= COMPACT_MIN_RECORDS && this.logRecords >= 2 * this.table.size) {
        await this.compact();
      }
    }
    this.flushing = undefined;
  }

  /**
   * Folds the log into a new snapshot. The snapshot may include accepted writes not yet in the
   * log; they are appended afterwards and skipped on replay (their revision is not above the
   * snapshot's).
   */
  private async compact(): Promise<void> {
    const snapshot: Snapshot = { format: 1, revision: this.table.revision, entries: [] };
    for (const e of this.table.all()) {
      snapshot.entries.push({ r: e.revision, k: e.key, v: Buffer.from(e.value).toString("base64") });
    }
    const tmp = join(this.dir, `${SNAPSHOT}.tmp`);
    try {
      const fh = await open(tmp, "w");
      try {
        await fh.writeFile(JSON.stringify(snapshot));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, join(this.dir, SNAPSHOT));
      await syncDir(this.dir);
      await this.log.truncate(0);
      await this.log.sync();
      this.logRecords = 0;
    } catch (err) {
      // The log still holds everything; compaction is retried after a later write.
      this.logger.warn({ err, dir: this.dir }, "state snapshot failed");
    }
  }

  private assertOpen(target: string): void {
    if (this.closed) throw new TransportError("CLOSED", "the state store is closed", { target });
    if (this.failure !== undefined) {
      throw new TransportError("CONNECTION", `state log write failed in ${this.dir}`, {
        target,
        cause: this.failure,
      });
    }
  }
}

function encodeLine(record: LogRecord): string {
  const json = JSON.stringify(record);
  return `${crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
}

/** The record of one log line, or undefined when the line is torn or corrupt. */
function decodeLine(line: string): LogRecord | undefined {
  const json = line.slice(9);
  if (line[8] !== " " || crc32(json).toString(16).padStart(8, "0") !== line.slice(0, 8)) return undefined;
  try {
    return LogRecord.safeParse(JSON.parse(json)).data;
  } catch {
    return undefined;
  }
}

function applyRecord(table: StoreTable, r: LogRecord): void {
  if (r.v === undefined) table.remove(r.k, r.r);
  else table.set({ key: r.k, value: new Uint8Array(Buffer.from(r.v, "base64")), revision: r.r });
}

async function loadSnapshot(dir: string, table: StoreTable): Promise<void> {
  let text: string;
  try {
    text = await readFile(join(dir, SNAPSHOT), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  // Snapshots are renamed into place only when complete, so a bad one is real corruption: fail loudly.
  const snapshot = Snapshot.safeParse(JSON.parse(text)).data;
  if (!snapshot)
    throw new TransportError("STORE_CORRUPT", `${join(dir, SNAPSHOT)} is not a state store snapshot`, {
      target: join(dir, SNAPSHOT),
    });
  for (const r of snapshot.entries) applyRecord(table, r);
  table.revision = Math.max(table.revision, snapshot.revision);
}

/** Applies the log's records newer than the snapshot; stops at the first torn or corrupt line. */
async function replayLog(
  dir: string,
  table: StoreTable,
): Promise<{ records: number; validBytes: number; totalBytes: number }> {
  let buf: Buffer;
  try {
    buf = await readFile(join(dir, LOG));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { records: 0, validBytes: 0, totalBytes: 0 };
    throw err;
  }
  const snapshotRevision = table.revision;
  let records = 0;
  let offset = 0;
  while (offset < buf.length) {
    const end = buf.indexOf(10, offset);
    if (end < 0) break;
    const record = decodeLine(buf.toString("utf8", offset, end));
    if (!record) break;
    if (record.r > snapshotRevision) applyRecord(table, record);
    records++;
    offset = end + 1;
  }
  return { records, validBytes: offset, totalBytes: buf.length };
}

async function acquireLock(dir: string): Promise<void> {
  const path = join(dir, LOCK);
  try {
    await writeFile(path, String(process.pid), { flag: "wx" });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const owner = Number.parseInt(await readFile(path, "utf8"), 10);
  if (Number.isSafeInteger(owner) && owner > 0 && isAlive(owner)) {
    throw new TransportError("CONNECTION", `state directory ${dir} is in use by pid ${owner}`, {
      target: dir,
    });
  }
  // The owner died without closing (crash, kill -9): the directory is ours now.
  await writeFile(path, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
