import { closeSync, fsync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { AgentId, type FrameworkId, FrameworkInfo, type TaskId, TaskInfo } from "@agora/protocol";
import { z } from "zod";

/**
 * How to find a task's running process again: its container, or (for the shell executor) its
 * process group leader's pid with the start time from /proc/<pid>/stat, so a reused pid is not
 * mistaken for the task.
 */
export const RunCheckpoint = z
  .object({
    containerId: z.string().optional(),
    pid: z.number().int().positive().optional(),
    startTime: z.number().int().nonnegative().optional(),
  })
  .strict();
export type RunCheckpoint = z.infer<typeof RunCheckpoint>;

/** What a restarted agent needs to take a task over: the task, its framework, executor and run. */
export const TaskCheckpoint = z
  .object({
    framework: FrameworkInfo.refine((f) => f.id !== undefined, { message: "needs its id" }),
    task: TaskInfo,
    executor: z.string().min(1),
    run: RunCheckpoint,
  })
  .strict();
export type TaskCheckpoint = z.infer<typeof TaskCheckpoint>;

const AgentCheckpointFile = z.object({ agentId: AgentId }).strict();

/** Flushes a file or directory descriptor to the disk, off the event loop. */
export type Fsync = (fd: number) => Promise<void>;

export interface AgentCheckpointOptions {
  /** The flush to use (tests inject one to hold or observe the syncs); `fs.fsync` by default. */
  fsync?: Fsync;
}

/**
 * The agent's checkpoint under `<workDir>/meta/`: `agent.json` (its id, so a restarted agent
 * reregisters as itself) and `tasks/<frameworkId>/<taskId>.json` for each task that runs (removed
 * when it ends). A write resolves once the file and its name are durable (see `writeDurably`); a
 * file that does not parse is skipped, as a task the agent cannot recover.
 */
export class AgentCheckpoint {
  readonly dir: string;
  /** Task checkpoints being written, by file: a removal waits for the write it would otherwise race. */
  private readonly writing = new Map<string, Promise<void>>();
  private readonly fsync: Fsync;
  private readonly directories: DirectorySyncs;

  constructor(workDir: string, options: AgentCheckpointOptions = {}) {
    this.dir = path.resolve(workDir, "meta");
    this.fsync = options.fsync ?? fsyncFd;
    this.directories = new DirectorySyncs(this.fsync);
  }

  async readAgentId(): Promise<AgentId | undefined> {
    const json = await readJson(path.join(this.dir, "agent.json"));
    const parsed = AgentCheckpointFile.safeParse(json);
    return parsed.success ? parsed.data.agentId : undefined;
  }

  writeAgentId(agentId: AgentId): Promise<void> {
    return this.writeDurably(path.join(this.dir, "agent.json"), { agentId });
  }

  /**
   * Records a task durably (resolves once it is on disk). Its run, when it has one, is recorded as
   * `recordRun` does; a task recorded before its process starts has none yet.
   */
  writeTask(checkpoint: TaskCheckpoint): Promise<void> {
    const { framework, task, run } = checkpoint;
    const file = this.taskPath(framework.id!, task.taskId);
    // Makes the directory before its first await: the run is written into it below.
    const written = this.writeDurably(file, checkpoint).finally(() => {
      if (this.writing.get(file) === written) this.writing.delete(file);
    });
    this.writing.set(file, written);
    if (Object.keys(run).length > 0) this.recordRun(framework.id!, task.taskId, run);
    else rmSync(runPath(file), { force: true });
    return written;
  }

  /**
   * Records how to find a task's process again, beside its checkpoint (`<taskId>.json.run`), without
   * a sync: it matters only to an agent process that restarts on a running machine, and the page
   * cache outlives a process; after a machine crash the process is gone anyway, and a restarted agent
   * that finds no run reports the task lost rather than not knowing it. One `write` of a few bytes:
   * a process that dies leaves the file whole or absent.
   */
  recordRun(frameworkId: FrameworkId, taskId: TaskId, run: RunCheckpoint): void {
    const file = runPath(this.taskPath(frameworkId, taskId));
    const fd = openSync(file, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(run));
    } finally {
      closeSync(fd);
    }
  }

  /** Removes a task's checkpoint, after its write if one is under way (the task ended meanwhile). */
  async removeTask(frameworkId: FrameworkId, taskId: TaskId): Promise<void> {
    const file = this.taskPath(frameworkId, taskId);
    await this.writing.get(file)?.catch(() => undefined);
    await rm(runPath(file), { force: true });
    await rm(file, { force: true });
  }

  /** Every checkpointed task that parses. */
  async readTasks(): Promise<TaskCheckpoint[]> {
    const root = path.join(this.dir, "tasks");
    const frameworks = await readdir(root).catch(() => [] as string[]);
    const out: TaskCheckpoint[] = [];
    for (const f of frameworks) {
      const files = await readdir(path.join(root, f)).catch(() => [] as string[]);
      for (const file of files.filter((n) => n.endsWith(".json"))) {
        const parsed = TaskCheckpoint.safeParse(await readJson(path.join(root, f, file)));
        if (!parsed.success) continue;
        const run = RunCheckpoint.safeParse(await readJson(runPath(path.join(root, f, file))));
        out.push(run.success ? { ...parsed.data, run: run.data } : parsed.data);
      }
    }
    return out;
  }

  private taskPath(frameworkId: FrameworkId, taskId: TaskId): string {
    // Framework and task ids are single path segments (the protocol forbids `/`, `.` and `..`).
    return path.join(this.dir, "tasks", frameworkId, `${taskId}.json`);
  }

  /**
   * Writes `value` to `file` and resolves once both the data and the file's name are on disk. The
   * metadata calls are synchronous (microseconds each; an awaited one costs a trip through a busy
   * event loop); the syncs, which wait for the disk, run off the loop.
   *
   * A new file (a task's checkpoint, always but for a relaunched task id) is created under its own
   * name and its fsync runs together with its directory's, one wait for the disk instead of two in a
   * row: until both have returned the caller has reported nothing (a task's RUNNING waits for this),
   * and a crash meanwhile leaves no file or one that does not parse, which is skipped like a task
   * never checkpointed. An existing file is replaced atomically, since tearing it would lose what it
   * held: written to a temporary file and fsync'd, renamed over the file (a rename alone may reach
   * the disk before the data it names), then the directory fsync'd. Directories' fsyncs are group
   * commits: launches under way together share them.
   */
  private async writeDurably(file: string, value: unknown): Promise<void> {
    const dir = path.dirname(file);
    // The agent's alone: a task holds its secrets' values, and tasks run as other users on this machine.
    const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A directory made now is itself a new name in its parent, which must reach the disk too.
    const parents = created === undefined ? [] : ancestorsFrom(path.dirname(created), dir);
    const text = JSON.stringify(value);
    const fd = createExclusive(file);
    if (fd !== undefined) {
      try {
        writeSync(fd, text);
        await Promise.all([this.fsync(fd), ...[dir, ...parents].map((d) => this.directories.sync(d))]);
      } catch (err) {
        rmSync(file, { force: true });
        throw err;
      } finally {
        closeSync(fd);
      }
      return;
    }
    const tmp = `${file}.${process.pid}.tmp`;
    const tmpFd = openSync(tmp, "w", 0o600);
    try {
      writeSync(tmpFd, text);
      await this.fsync(tmpFd);
    } finally {
      closeSync(tmpFd);
    }
    renameSync(tmp, file);
    await Promise.all([dir, ...parents].map((d) => this.directories.sync(d)));
  }
}

/**
 * Group commit of directory fsyncs, as the update journal does for its appends: a sync asked for
 * while none of that directory runs starts at the end of the current job, so every request made in
 * the same job shares it; one asked for while a sync runs (which may have started before the entry
 * it must cover was made) waits for the next, which serves every request made meanwhile.
 */
class DirectorySyncs {
  private readonly dirs = new Map<string, { running: boolean; next: Deferred | undefined }>();

  constructor(private readonly fsync: Fsync) {}

  sync(dir: string): Promise<void> {
    let state = this.dirs.get(dir);
    if (!state) {
      state = { running: false, next: undefined };
      this.dirs.set(dir, state);
    }
    if (!state.next) {
      state.next = deferred();
      if (!state.running) queueMicrotask(() => this.start(dir));
    }
    return state.next.promise;
  }

  private start(dir: string): void {
    const state = this.dirs.get(dir);
    const group = state?.next;
    if (!state || !group || state.running) return;
    state.next = undefined;
    state.running = true;
    this.syncOnce(dir)
      .then(group.resolve, group.reject)
      .finally(() => {
        state.running = false;
        if (state.next) this.start(dir);
        else this.dirs.delete(dir);
      });
  }

  private async syncOnce(dir: string): Promise<void> {
    const fd = openSync(dir, "r");
    try {
      await this.fsync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** `from` and each directory below it on the way to `to` (exclusive): those whose entries `mkdir` made. */
function ancestorsFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = path.dirname(to); d.length >= from.length; d = path.dirname(d)) {
    out.push(d);
    if (d === from || d === path.dirname(d)) break;
  }
  return out;
}

/** Where a task's run is recorded, beside its checkpoint file (not a `.json`: `readTasks` skips it). */
function runPath(taskFile: string): string {
  return `${taskFile}.run`;
}

/** Opens a new file for writing, or undefined when one of that name exists. */
function createExclusive(file: string): number | undefined {
  try {
    return openSync(file, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw err;
  }
}

/**
 * A process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), if it exists.
 * With `live`, a zombie (state Z: it ended, its parent has not reaped it) counts as gone. Read
 * synchronously: procfs answers from memory, never from a disk, and the launch path reads it
 * between a task's spawn and its RUNNING, where an awaited read cost a trip through the event loop.
 */
export function processStartTime(pid: number, { live = false } = {}): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses; fields after it follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (live && fields[0] === "Z") return undefined;
  const value = Number(fields[19]);
  return Number.isFinite(value) ? value : undefined;
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}
