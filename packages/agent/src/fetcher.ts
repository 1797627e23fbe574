import { createHash, randomUUID } from "node:crypto";
import { constants, createReadStream, createWriteStream } from "node:fs";
import { chmod, copyFile, mkdir, open, realpath, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import type { CommandInfo } from "@agora/protocol";
import { AgentError } from "./errors.js";
import type { UserAccount } from "./executors/task-user.js";
import { assertPathReadable, assertReadable } from "./fetch-permission.js";
import { type ArchiveKind, extractArchive, verifyLinks } from "./fetcher-archive.js";

export type { ArchiveKind } from "./fetcher-archive.js";

/** One entry of a task's `command.uris`. */
export type CommandUri = NonNullable<CommandInfo["uris"]>[number];

/**
 * A download that receives nothing for this long is aborted: Mesos' `--fetcher_stall_timeout`
 * default (60 s). It lets a large file on a slow but live link finish.
 */
export const DEFAULT_FETCH_STALL_TIMEOUT_MS = 60_000;
/**
 * No single URI (download, copy or extraction) takes longer than this, however steadily it trickles:
 * a backstop so a task cannot stay STAGING for ever. Mesos has no such bound of its own; 10 min is
 * its `executor_registration_timeout` order of magnitude for slow image pulls.
 */
export const DEFAULT_FETCH_TIMEOUT_MS = 10 * 60_000;
/** Largest file one URI may bring (downloaded, copied or gunzipped): 2 GiB, Mesos' default fetcher cache size. */
export const DEFAULT_FETCH_MAX_BYTES = 2 * 1024 ** 3;

/** Where a URI's bytes come from. */
export type FetchSource =
  | { readonly kind: "http"; readonly url: URL }
  | { readonly kind: "file"; readonly path: string };

/** What to do for one URI: the pure reading of a `CommandUri`. */
export interface FetchStep {
  /** The URI as the task gave it (every error names it). */
  readonly uri: string;
  readonly source: FetchSource;
  /** The file's name in the sandbox: the URI's last path segment. */
  readonly name: string;
  /** How to unpack it, when `extract` (default true) and its name says it is an archive. */
  readonly archive: ArchiveKind | undefined;
  /** chmod 0755 (Mesos: an executable URI is never extracted). */
  readonly executable: boolean;
  readonly cache: boolean;
}

/** A URI that cannot be fetched; its message names the URI. */
export function fetchFailed(uri: string, detail: string, cause?: unknown): AgentError {
  return new AgentError("FETCH_FAILED", `Failed to fetch '${uri}': ${detail}`, {
    reason: "REASON_CONTAINER_LAUNCH_FAILED",
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The archive kind a file name announces (Mesos' list), or undefined. */
export function archiveKindOf(name: string): ArchiveKind | undefined {
  const lower = name.toLowerCase();
  if (/\.(tar|tgz|tar\.gz|tbz2|tar\.bz2|txz|tar\.xz)$/.test(lower)) return "tar";
  if (lower.endsWith(".zip")) return "zip";
  if (lower.endsWith(".gz") && lower.length > 3) return "gzip";
  return undefined;
}

/** The source of a URI: http(s) URLs, `file://` URLs and absolute paths; anything else is refused. */
export function sourceOf(uri: string): FetchSource {
  if (uri.startsWith("/")) return { kind: "file", path: path.normalize(uri) };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fetchFailed(uri, "not an absolute path or a URL (relative paths are not supported)");
  }
  if (url.protocol === "http:" || url.protocol === "https:") return { kind: "http", url };
  if (url.protocol === "file:") {
    try {
      return { kind: "file", path: fileURLToPath(url) };
    } catch (cause) {
      throw fetchFailed(uri, (cause as Error).message, cause);
    }
  }
  throw fetchFailed(uri, `unsupported scheme '${url.protocol.slice(0, -1)}' (http, https, file or a path)`);
}

/** The name a source's file gets in the sandbox: its last path segment, which must be a plain file name. */
export function outputNameOf(uri: string, source: FetchSource): string {
  let segment: string;
  if (source.kind === "file") segment = path.basename(source.path);
  else {
    const raw = source.url.pathname.split("/").at(-1) ?? "";
    try {
      segment = decodeURIComponent(raw);
    } catch {
      segment = raw;
    }
  }
  if (segment === "" || segment === "." || segment === ".." || /[/\\\0]/.test(segment)) {
    throw fetchFailed(uri, `its last path segment ${JSON.stringify(segment)} is not a file name`);
  }
  return segment;
}

/** Reads a task's URIs into steps (pure); throws a FETCH_FAILED AgentError naming the first bad URI. */
export function planFetch(uris: readonly CommandUri[]): FetchStep[] {
  return uris.map((u) => {
    const source = sourceOf(u.value);
    const name = outputNameOf(u.value, source);
    const executable = u.executable ?? false;
    const extract = (u.extract ?? true) && !executable;
    return {
      uri: u.value,
      source,
      name,
      archive: extract ? archiveKindOf(name) : undefined,
      executable,
      cache: u.cache ?? false,
    };
  });
}

export interface FetcherOptions {
  /** See `DEFAULT_FETCH_STALL_TIMEOUT_MS`. */
  stallTimeoutMs?: number;
  /** See `DEFAULT_FETCH_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** See `DEFAULT_FETCH_MAX_BYTES`. */
  maxBytes?: number;
  /**
   * Where URIs with `cache: true` are kept, by a hash of the URI, and reused by later tasks (Mesos'
   * fetcher cache, without its size-bounded eviction). Without it, `cache` is ignored.
   */
  cacheDir?: string;
}

/** A step's progress bound: the caller's abort, the whole-step timeout and the stall timer. */
class StepBound {
  readonly controller = new AbortController();
  private why: string | undefined;
  private readonly total: ReturnType<typeof setTimeout>;
  private stall: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = () => this.abort("aborted");

  constructor(
    private readonly outer: AbortSignal | undefined,
    timeoutMs: number,
    private readonly stallMs: number,
  ) {
    this.total = setTimeout(() => this.abort(`timed out after ${timeoutMs / 1000} s`), timeoutMs);
    if (outer?.aborted) this.onAbort();
    outer?.addEventListener("abort", this.onAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the step was aborted, if it was. */
  get reason(): string | undefined {
    return this.why;
  }

  /** Data arrived: the stall timer starts again. */
  progress(): void {
    if (this.stall) clearTimeout(this.stall);
    this.stall = setTimeout(() => this.abort(`no data for ${this.stallMs / 1000} s (stalled)`), this.stallMs);
  }

  /** The download is over: only the whole-step timeout bounds what follows (extraction). */
  received(): void {
    if (this.stall) clearTimeout(this.stall);
    this.stall = undefined;
  }

  abort(why: string): void {
    this.why ??= why;
    this.controller.abort(new Error(why));
  }

  done(): void {
    clearTimeout(this.total);
    if (this.stall) clearTimeout(this.stall);
    this.outer?.removeEventListener("abort", this.onAbort);
  }
}

/**
 * Mesos' fetcher: brings a task's `command.uris` into its sandbox before it launches, one after the
 * other, each bounded in time and size. http(s) through Node's fetch, files (`file://`, absolute
 * paths) copied; archives unpacked with the system's `tar` and `unzip` (argv, no shell), `.gz` with
 * zlib; no file, archive member or link may lead outside the sandbox.
 *
 * @example
 * const fetcher = new Fetcher({ cacheDir: path.join(workDir, "fetch-cache") });
 * await fetcher.fetchAll(task.command?.uris ?? [], sandbox, abort.signal); // throws FETCH_FAILED
 */
export class Fetcher {
  private readonly stallTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly cacheDir: string | undefined;
  /** Cache fills under way, by cache key, so two tasks fetching one URI download it once. */
  private readonly filling = new Map<string, Promise<void>>();

  constructor(options: FetcherOptions = {}) {
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_FETCH_STALL_TIMEOUT_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
    this.cacheDir = options.cacheDir;
  }

  /**
   * Fetches every URI into `sandbox` (an existing directory), in order. Rejects with a FETCH_FAILED
   * `AgentError` (reason REASON_CONTAINER_LAUNCH_FAILED) naming the first URI that failed.
   * `reader` is the account the task runs as when it is not the agent's own user: a local file
   * (copied or served from the cache) is fetched only if that user could read it, as Mesos runs its
   * fetcher as the task's user. Undefined: files are read with the agent's rights.
   */
  async fetchAll(
    uris: readonly CommandUri[],
    sandbox: string,
    signal?: AbortSignal,
    reader?: UserAccount,
  ): Promise<void> {
    for (const step of planFetch(uris)) await this.fetchOne(step, sandbox, signal, reader);
  }

  private async fetchOne(
    step: FetchStep,
    sandbox: string,
    signal: AbortSignal | undefined,
    reader: UserAccount | undefined,
  ): Promise<void> {
    const bound = new StepBound(signal, this.timeoutMs, this.stallTimeoutMs);
    const temp = path.join(sandbox, `.agora-fetch-${randomUUID()}`);
    try {
      if (step.cache && this.cacheDir) await this.fromCache(step, temp, bound, reader);
      else await this.download(step, temp, bound, reader);
      const target = path.join(sandbox, step.name);
      // A rename replaces a link of that name rather than writing through it.
      await rename(temp, target);
      if (step.executable) await chmod(target, 0o755);
      if (step.archive === "gzip") await this.gunzip(target, sandbox, bound);
      else if (step.archive) {
        // Links are checked (and bad ones removed) even after a failed extraction: tar creates the
        // links it deferred before it exits, whatever failed before.
        const extracted = await extractArchive(
          step.archive,
          target,
          sandbox,
          bound.signal,
          this.maxBytes,
        ).then(
          () => undefined,
          (err: unknown) => err,
        );
        await verifyLinks(sandbox);
        if (extracted !== undefined) throw extracted;
      }
    } catch (err) {
      if (bound.reason !== undefined) throw fetchFailed(step.uri, bound.reason, err);
      throw fetchFailed(step.uri, messageOf(err), err);
    } finally {
      bound.done();
      await unlink(temp).catch(() => {});
    }
  }

  /** Brings the source's bytes to `dest` (a new file), at most `maxBytes`. */
  private async download(
    step: FetchStep,
    dest: string,
    bound: StepBound,
    reader: UserAccount | undefined,
  ): Promise<void> {
    if (step.source.kind === "file") return this.copy(step.source.path, dest, reader);
    bound.progress();
    const response = await fetch(step.source.url, { signal: bound.signal, redirect: "follow" });
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    }
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > this.maxBytes) {
      await response.body?.cancel().catch(() => {});
      throw new Error(`it is ${declared} bytes, more than the limit of ${this.maxBytes}`);
    }
    const file = await open(dest, "wx");
    try {
      let bytes = 0;
      for await (const chunk of response.body ?? []) {
        bound.progress();
        bytes += chunk.byteLength;
        if (bytes > this.maxBytes) throw new Error(`it is more than the limit of ${this.maxBytes} bytes`);
        await file.write(chunk);
      }
    } finally {
      bound.received();
      await file.close();
    }
  }

  /**
   * Copies a local file, checked for `reader` on the very file opened: the checked path has no links
   * (realpath, then O_NOFOLLOW), so a link swapped in afterwards is refused rather than followed.
   */
  private async copy(source: string, dest: string, reader: UserAccount | undefined): Promise<void> {
    const real = await realpath(source);
    // Non-blocking, so a FIFO is refused below instead of waiting for a writer.
    const file = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const info = await file.stat();
      if (!info.isFile()) throw new Error(`${source} is not a regular file`);
      if (reader) await assertReadable(real, info, reader);
      if (info.size > this.maxBytes) {
        throw new Error(`it is ${info.size} bytes, more than the limit of ${this.maxBytes}`);
      }
      await pipeline(file.createReadStream({ autoClose: false }), createWriteStream(dest, { flags: "wx" }));
    } finally {
      await file.close();
    }
  }

  /** Copies the URI's cached file to `dest`, filling the cache first if it lacks it. */
  private async fromCache(
    step: FetchStep,
    dest: string,
    bound: StepBound,
    reader: UserAccount | undefined,
  ): Promise<void> {
    // The cache is shared by every user: a file another task's user could read (root, say) must not
    // reach this one unless it could read the file itself.
    if (reader && step.source.kind === "file") await assertPathReadable(step.source.path, reader);
    const cacheDir = this.cacheDir!;
    const key = createHash("sha256").update(step.uri).digest("hex");
    const cached = path.join(cacheDir, key);
    const present = await stat(cached).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!present) {
      let fill = this.filling.get(key);
      if (!fill) {
        fill = (async () => {
          await mkdir(cacheDir, { recursive: true });
          const temp = path.join(cacheDir, `.${key}-${randomUUID()}`);
          try {
            await this.download(step, temp, bound, reader);
            await rename(temp, cached);
          } finally {
            await unlink(temp).catch(() => {});
          }
        })();
        this.filling.set(key, fill);
        void fill.finally(() => this.filling.delete(key)).catch(() => {});
      }
      await fill;
    }
    await copyFile(cached, dest);
  }

  /** Mesos' `gunzip`: `name.gz` becomes `name` (the compressed file is removed), at most `maxBytes`. */
  private async gunzip(file: string, sandbox: string, bound: StepBound): Promise<void> {
    const target = path.join(sandbox, path.basename(file).slice(0, -3));
    const temp = path.join(sandbox, `.agora-fetch-${randomUUID()}`);
    let bytes = 0;
    const limit = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.byteLength;
        done(bytes > limit ? new Error(`it unpacks to more than ${limit} bytes`) : null, chunk);
      },
    });
    try {
      await pipeline(
        createReadStream(file),
        createGunzip(),
        counter,
        createWriteStream(temp, { flags: "wx" }),
        {
          signal: bound.signal,
        },
      );
      await rename(temp, target);
      await unlink(file);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw new Error(`could not gunzip ${path.basename(file)}: ${messageOf(err)}`, { cause: err });
    }
  }
}

function messageOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const cause = e.cause as NodeJS.ErrnoException | undefined;
  // Node's fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND…).
  if (e.message === "fetch failed" && cause?.message) return `fetch failed: ${cause.message}`;
  return e.message ?? String(err);
}
