import {
  chmodSync,
  closeSync,
  fsync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AgentId, FrameworkId, FrameworkInfo, TaskId, TaskInfo } from "@agora/protocol";
import { z } from "zod";
import { AppendLog, type Fsync, parseJson, syncDirectory } from "./append-log.js";

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

/** Names a task in the task log's run and removal records. */
const TaskKey = z.object({ frameworkId: FrameworkId, taskId: TaskId }).strict();

/**
 * One line of the task log: a task recorded (before its process starts, with the run it has), how
 * to find its process (once started), or its end (the task need not be recovered any more).
 */
const TaskLogRecord = z.union([
  z.object({ task: TaskCheckpoint }).strict(),
  z.object({ run: TaskKey.extend({ run: RunCheckpoint }).strict() }).strict(),
  z.object({ removed: TaskKey }).strict(),
]);
type TaskLogRecord = z.infer<typeof TaskLogRecord>;

/** The task log's file under `<workDir>/meta/`. */
export const TASK_LOG = "tasks.log";

/** Past this size, and twice what its live tasks take, the log is rewritten with them alone. */
const COMPACT_BYTES = 4 * 1024 * 1024;

export interface AgentCheckpointOptions {
  /** The task log's flush (tests hold or count the syncs); `fs.fdatasync` by default. */
  fsync?: Fsync;
}

/**
 * The agent's checkpoint under `<workDir>/meta/`: `agent.json` (its id, so a restarted agent
 * reregisters as itself) and the task log `tasks.log`, JSON lines recording each task that runs
 * here (`task`), how to find its process (`run`) and its end (`removed`), replayed in order by a
 * restarted agent. One log rather than a file per task (as Mesos keeps): on a disk a new file, its
 * sync and its directory's, and its removal at the task's end, were the better part of what a
 * launch spent over a raw spawn of its command (BENCHMARKS.md, issue 14); an append is a `write`,
 * and launches under way together share one `fdatasync` (group commit).
 *
 * `writeTask` resolves once the task's record is on the disk (a task's RUNNING waits for it). A run
 * and a removal are appended without a sync of their own (the next sync carries them): a run matters
 * only to an agent process that restarts on a running machine, whose page cache outlives the
 * process (after a machine crash the process is gone anyway, and a task found without its run is
 * reported ended); a removal lost in a crash leaves a task that ended, which a restarted agent finds
 * gone and reports ended too. The log is emptied when no task is live, and rewritten with the live
 * tasks alone once it grows past `COMPACT_BYTES` and twice what they take (so a rewrite costs a
 * share of the appends since the last). Tasks an older agent checkpointed one file each
 * (`tasks/<frameworkId>/<taskId>.json`, `.json.run`) are read as well, moved into the log by the
 * first write, and their files removed.
 */
export class AgentCheckpoint {
  readonly dir: string;
  private readonly log: AppendLog;
  /** The tasks the log holds, by task: known once this instance first writes (`prepare`). */
  private live: Map<string, LiveTask> | undefined;
  /** What the live tasks' records take in the log (their last task record and runs since). */
  private liveBytes = 0;

  constructor(workDir: string, options: AgentCheckpointOptions = {}) {
    this.dir = path.resolve(workDir, "meta");
    this.log = new AppendLog(this.dir, TASK_LOG, {
      ...(options.fsync ? { sync: options.fsync } : {}),
      onIdle: () => this.compactIfDue(),
    });
  }

  async readAgentId(): Promise<AgentId | undefined> {
    const json = await readJson(path.join(this.dir, "agent.json"));
    const parsed = AgentCheckpointFile.safeParse(json);
    return parsed.success ? parsed.data.agentId : undefined;
  }

  /** Records the agent's id durably: a temporary file synced, renamed over the old, the directory synced. */
  async writeAgentId(agentId: AgentId): Promise<void> {
    this.makeDir();
    const file = path.join(this.dir, "agent.json");
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify({ agentId }));
      await fsyncFd(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    syncDirectory(this.dir);
  }

  /** Records a task (with its run, when it has one); resolves once the record is on the disk. */
  writeTask(checkpoint: TaskCheckpoint): Promise<void> {
    this.prepare();
    const line = JSON.stringify({ task: checkpoint });
    this.setLive(keyOf(checkpoint.framework.id!, checkpoint.task.taskId), checkpoint, line.length);
    this.log.append(line);
    return this.log.sync();
  }

  /** Records how to find a task's process again, without a sync of its own (see the class). */
  recordRun(frameworkId: FrameworkId, taskId: TaskId, run: RunCheckpoint): void {
    const key = keyOf(frameworkId, taskId);
    const saved = this.prepare().get(key);
    if (!saved) return;
    const line = JSON.stringify({ run: { frameworkId, taskId, run } });
    this.setLive(key, { ...saved.checkpoint, run }, saved.bytes + line.length);
    this.log.append(line);
  }

  /** Forgets a task that ended, without a sync of its own (see the class). */
  removeTask(frameworkId: FrameworkId, taskId: TaskId): void {
    const key = keyOf(frameworkId, taskId);
    const saved = this.prepare().get(key);
    if (!saved) return;
    this.live!.delete(key);
    this.liveBytes -= saved.bytes;
    this.log.append(JSON.stringify({ removed: { frameworkId, taskId } }));
    this.compactIfDue();
  }

  /** Every checkpointed task, as the disk holds them now (records that do not parse are skipped). */
  async readTasks(): Promise<TaskCheckpoint[]> {
    return [...this.readAll().tasks.values()];
  }

  /** Closes the task log once its syncs have ended (an agent that stops); a later write opens it again. */
  close(): void {
    this.log.close();
  }

  /**
   * The live tasks, read from the disk by this instance's first write, which also moves an older
   * agent's per-task files into the log (removed once it is durable).
   */
  private prepare(): Map<string, LiveTask> {
    if (this.live) return this.live;
    this.makeDir();
    const { tasks, legacy } = this.readAll();
    this.live = new Map();
    this.liveBytes = 0;
    if (legacy.length > 0) {
      this.rewrite(tasks.values());
      rmSync(path.join(this.dir, "tasks"), { recursive: true, force: true });
    } else for (const [key, task] of tasks) this.setLive(key, task, JSON.stringify({ task }).length);
    return this.live;
  }

  /** Books a live task's record in `live` (made by `prepare` or `rewrite` before). */
  private setLive(key: string, checkpoint: TaskCheckpoint, bytes: number): void {
    const live = this.live!;
    this.liveBytes += bytes - (live.get(key)?.bytes ?? 0);
    live.set(key, { checkpoint, bytes });
  }

  /** Replaces the log with `tasks` (each with its run), atomically and durably; they are the live ones. */
  private rewrite(tasks: Iterable<TaskCheckpoint>): void {
    const lines = [...tasks].map((task) => ({ task, line: JSON.stringify({ task }) }));
    this.log.replace(lines.map(({ line }) => line));
    this.live = new Map();
    this.liveBytes = 0;
    for (const { task, line } of lines)
      this.setLive(keyOf(task.framework.id!, task.task.taskId), task, line.length);
  }

  private readAll(): { tasks: Map<string, TaskCheckpoint>; legacy: string[] } {
    const legacy = readLegacyTasks(path.join(this.dir, "tasks"));
    const records: TaskLogRecord[] = legacy.map(({ task }) => ({ task }));
    for (const line of this.log.lines()) {
      const record = parseJson(TaskLogRecord, line);
      if (record) records.push(record);
    }
    return { tasks: liveTasks(records), legacy: legacy.map(({ file }) => file) };
  }

  private compactIfDue(): void {
    // Never under a running or awaited sync: its descriptor must stay open until it has settled.
    if (!this.live || this.log.busy) return;
    if (this.live.size === 0) this.log.truncate();
    else if (this.log.bytes > Math.max(COMPACT_BYTES, 2 * this.liveBytes))
      this.rewrite([...this.live.values()].map(({ checkpoint }) => checkpoint));
  }

  /**
   * Makes `meta/` with its name durable, the agent's alone: a task holds its secrets' values, and
   * tasks run as other users on this machine (an older agent left it open to reading).
   */
  private makeDir(): void {
    const created = mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Each directory made now is a new name in its parent, which must reach the disk too.
    if (created !== undefined)
      for (const d of ancestorsFrom(path.dirname(created), this.dir)) syncDirectory(d);
    else chmodSync(this.dir, 0o700);
  }
}

/** A task the log holds, with what its records there take. */
interface LiveTask {
  checkpoint: TaskCheckpoint;
  bytes: number;
}

/** The tasks `records` leave live, replayed in order: a task, then its runs, until its removal. */
function liveTasks(records: readonly TaskLogRecord[]): Map<string, TaskCheckpoint> {
  const tasks = new Map<string, TaskCheckpoint>();
  for (const record of records) {
    if ("task" in record) tasks.set(keyOf(record.task.framework.id!, record.task.task.taskId), record.task);
    else if ("run" in record) {
      const key = keyOf(record.run.frameworkId, record.run.taskId);
      const saved = tasks.get(key);
      if (saved) tasks.set(key, { ...saved, run: record.run.run });
    } else tasks.delete(keyOf(record.removed.frameworkId, record.removed.taskId));
  }
  return tasks;
}

function keyOf(frameworkId: FrameworkId, taskId: TaskId): string {
  return `${frameworkId}\u0000${taskId}`;
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

/**
 * The tasks an older agent checkpointed one file each under `root` (`<frameworkId>/<taskId>.json`,
 * its run beside it in `.json.run`), with the files read; a file that does not parse is skipped.
 */
function readLegacyTasks(root: string): { task: TaskCheckpoint; file: string }[] {
  const out: { task: TaskCheckpoint; file: string }[] = [];
  for (const f of readdirOrNone(root)) {
    for (const name of readdirOrNone(path.join(root, f)).filter((n) => n.endsWith(".json"))) {
      const file = path.join(root, f, name);
      const parsed = TaskCheckpoint.safeParse(readJsonSync(file));
      if (!parsed.success) continue;
      const run = RunCheckpoint.safeParse(readJsonSync(`${file}.run`));
      out.push({ task: run.success ? { ...parsed.data, run: run.data } : parsed.data, file });
    }
  }
  return out;
}

function readdirOrNone(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readJsonSync(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
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
