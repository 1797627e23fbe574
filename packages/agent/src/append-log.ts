import {
  closeSync,
  fdatasync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import type { z } from "zod";

/** Flushes a file descriptor's data to the disk, off the event loop. */
export type Fsync = (fd: number) => Promise<void>;

export interface AppendLogOptions {
  /** The flush to use (tests hold or count the syncs); `fs.fdatasync` by default. */
  sync?: Fsync;
  /** Called whenever a sync ends with no other waiting: the owner's moment to compact the log. */
  onIdle?: () => void;
}

/**
 * An append-only file of lines, the agent's way to make small records durable without a file per
 * record: an append is one `write` of a line, at once (the page cache outlives the agent process),
 * and `sync()` makes every line appended so far durable with one `fdatasync` shared by every caller
 * of the same turn and of the time the previous sync ran (group commit). A new file's name is made
 * durable with it (its directory synced once, when the file is created). The owner knows which lines
 * are still live and, when it chooses, `replace`s the file with them (write, fsync, rename, fsync the
 * directory) or `truncate`s it.
 *
 * A line torn by a crash can only be the last: readers skip a line that does not parse.
 */
export class AppendLog {
  readonly file: string;
  private readonly flush: Fsync;
  private fd: number | undefined;
  private size = 0;
  private syncing = false;
  private closing = false;
  /** Settled by the next sync to start: what was appended since the running one began waits for it. */
  private next: { promise: Promise<void>; settle: (err: Error | null) => void } | undefined;
  private readonly onIdle: (() => void) | undefined;

  constructor(
    readonly dir: string,
    name: string,
    options: AppendLogOptions = {},
  ) {
    this.file = path.join(dir, name);
    this.flush = options.sync ?? fdatasyncFd;
    this.onIdle = options.onIdle;
  }

  /** Bytes in the file, as this log wrote or found them. */
  get bytes(): number {
    return this.size;
  }

  /** A sync runs or is awaited: the file must not be replaced or truncated under it. */
  get busy(): boolean {
    return this.syncing || this.next !== undefined;
  }

  /** Appends `line` (a newline is added): in the page cache at once, on the disk after the next sync. */
  append(line: string): void {
    this.size += writeSync(this.open(), `${line}\n`);
  }

  /** Resolves once every line appended before this call is on the disk. */
  sync(): Promise<void> {
    if (!this.next) {
      let settle!: (err: Error | null) => void;
      const promise = new Promise<void>((resolve, reject) => {
        settle = (err) => (err ? reject(err) : resolve());
      });
      this.next = { promise, settle };
      // After the current job: every append of this turn joins the group before its sync starts.
      if (!this.syncing) queueMicrotask(() => this.startSync());
    }
    return this.next.promise;
  }

  /** The file's lines, the last one possibly torn; none when it does not exist. */
  lines(): string[] {
    return readLines(this.file);
  }

  /** Replaces the file with `lines`, atomically and durably. Not while `busy`. */
  replace(lines: Iterable<string>): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      let bytes = 0;
      for (const line of lines) bytes += writeSync(fd, `${line}\n`);
      fsyncSync(fd);
      this.size = bytes;
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    syncDirectory(this.dir);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(this.file, "a", 0o600);
  }

  /**
   * Empties the file, without a sync: for a log whose every record is settled, which a crash may
   * leave whole (its readers find nothing live in it). Not while `busy`.
   */
  truncate(): void {
    if (this.fd === undefined || this.size === 0) return;
    ftruncateSync(this.fd, 0);
    this.size = 0;
  }

  /** Closes the file once the syncs under way have ended; a later append opens it again. */
  close(): void {
    this.closing = true;
    this.closeIfIdle();
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    this.fd = openSync(this.file, "a", 0o600);
    this.size = fstatSync(this.fd).size;
    // A new (empty) file's directory entry must be durable too, or a crash could lose the whole log.
    if (this.size === 0) syncDirectory(this.dir);
    return this.fd;
  }

  private startSync(): void {
    const group = this.next;
    if (!group || this.syncing || this.fd === undefined) return;
    this.next = undefined;
    this.syncing = true;
    this.flush(this.fd).then(
      () => this.synced(group, null),
      (err: Error) => this.synced(group, err),
    );
  }

  private synced(group: NonNullable<AppendLog["next"]>, err: Error | null): void {
    this.syncing = false;
    group.settle(err);
    if (this.next) this.startSync();
    else {
      this.onIdle?.();
      this.closeIfIdle();
    }
  }

  private closeIfIdle(): void {
    if (!this.closing || this.busy || this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    this.closing = false;
  }
}

/** A log's line (or a small file's text) through its schema; undefined when torn or not valid. */
export function parseJson<T>(schema: z.ZodType<T>, text: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Makes a directory's entries durable (a file created or renamed in it). */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A log file's lines, the last one possibly torn; none when it does not exist. */
export function readLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return text.split("\n").filter((l) => l !== "");
}

function fdatasyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}
