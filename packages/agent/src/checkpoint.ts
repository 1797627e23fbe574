import { closeSync, fsync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
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

/**
 * The agent's checkpoint under `<workDir>/meta/`: `agent.json` (its id, so a restarted agent
 * reregisters as itself) and `tasks/<frameworkId>/<taskId>.json` for each task that runs (removed
 * when it ends). Files are replaced atomically (write then rename); a file that does not parse is
 * skipped, as a task the agent cannot recover.
 */
export class AgentCheckpoint {
  readonly dir: string;
  /** Task checkpoints being written, by file: a removal waits for the write it would otherwise race. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(workDir: string) {
    this.dir = path.resolve(workDir, "meta");
  }

  async readAgentId(): Promise<AgentId | undefined> {
    const json = await readJson(path.join(this.dir, "agent.json"));
    const parsed = AgentCheckpointFile.safeParse(json);
    return parsed.success ? parsed.data.agentId : undefined;
  }

  writeAgentId(agentId: AgentId): Promise<void> {
    return writeAtomically(path.join(this.dir, "agent.json"), { agentId });
  }

  writeTask(checkpoint: TaskCheckpoint): Promise<void> {
    const file = this.taskPath(checkpoint.framework.id!, checkpoint.task.taskId);
    const written = writeAtomically(file, checkpoint).finally(() => {
      if (this.writing.get(file) === written) this.writing.delete(file);
    });
    this.writing.set(file, written);
    return written;
  }

  /** Removes a task's checkpoint, after its write if one is under way (the task ended meanwhile). */
  async removeTask(frameworkId: FrameworkId, taskId: TaskId): Promise<void> {
    const file = this.taskPath(frameworkId, taskId);
    await this.writing.get(file)?.catch(() => undefined);
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
        if (parsed.success) out.push(parsed.data);
      }
    }
    return out;
  }

  private taskPath(frameworkId: FrameworkId, taskId: TaskId): string {
    // Framework and task ids are single path segments (the protocol forbids `/`, `.` and `..`).
    return path.join(this.dir, "tasks", frameworkId, `${taskId}.json`);
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

/**
 * Replaces `file` with `value` durably: written to a temporary file and fsync'd, renamed over the
 * file, then the directory fsync'd so the new name survives a crash too (a rename alone may reach the
 * disk before the data it names, or not at all). The metadata calls are synchronous (microseconds
 * each; each awaited call would cost a trip through a busy event loop); the two fsyncs, which wait
 * for the disk, run off the loop.
 */
async function writeAtomically(file: string, value: unknown): Promise<void> {
  const dir = path.dirname(file);
  // The agent's alone: a task holds its secrets' values, and tasks run as other users on this machine.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, JSON.stringify(value));
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dirFd = openSync(dir, "r");
  try {
    await fsyncFd(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}
