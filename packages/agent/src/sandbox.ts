import { lchown, mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import type { ExecutorId, FrameworkId, TaskId } from "@agora/protocol";

/**
 * Where tasks' sandboxes live: `<workDir>/sandboxes/<frameworkId>/<taskId>/`. Framework and task
 * ids are validated by the protocol to be single path segments (never `.` or `..`), so a path built
 * here cannot leave the root. Sandboxes are kept after their task ends so its files stay readable.
 */
export class Sandboxes {
  /** The directory every sandbox lives under; `/files` requests must resolve inside it. */
  readonly root: string;

  constructor(workDir: string) {
    this.root = path.resolve(workDir, "sandboxes");
  }

  pathOf(frameworkId: FrameworkId, taskId: TaskId): string {
    // Joined by hand: both ids are single, normal segments, and this runs on every launch.
    return `${this.root}${path.sep}${frameworkId}${path.sep}${taskId}`;
  }

  /**
   * A framework's own executor's sandbox, shared by its tasks: `<root>/<frameworkId>/executors/<executorId>`
   * (Mesos' layout; executor ids are validated as task ids are, so this stays inside the root).
   */
  executorPathOf(frameworkId: FrameworkId, executorId: ExecutorId): string {
    return path.join(this.root, frameworkId, "executors", executorId);
  }

  /** Creates the task's sandbox (and its parents) and returns its absolute path. */
  async create(frameworkId: FrameworkId, taskId: TaskId): Promise<string> {
    const dir = this.pathOf(frameworkId, taskId);
    await mkdir(dir, { recursive: true });
    return dir;
  }
}

/**
 * Gives a sandbox and everything in it (fetched files, the stdout and stderr files the agent
 * opened) to the user its task runs as, as Mesos' agent chowns an executor's directory. Symlinks
 * are changed themselves, never followed, so a fetched link cannot hand over a file elsewhere.
 */
export async function chownSandbox(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await lchown(dir, owner.uid, owner.gid);
  const entries = await readdir(dir, { recursive: true });
  await Promise.all(entries.map((entry) => lchown(path.join(dir, entry), owner.uid, owner.gid)));
}
