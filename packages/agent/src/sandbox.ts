import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { lchown, mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ExecutorId, FrameworkId, TaskId } from "@agora/protocol";

/** How many empty sandboxes are kept ready for the next launches. */
const SPARES = 4;

/** Where the ready sandboxes wait, under the root: framework ids have no dots, so it is no framework's. */
export const SPARE_DIR = ".spare";

/** Where a task's output goes, in its sandbox. */
export const OUTPUT_FILES = ["stdout", "stderr"] as const;

/**
 * Where tasks' sandboxes live: `<workDir>/sandboxes/<frameworkId>/<taskId>/`. Framework and task
 * ids are validated by the protocol to be single path segments (never `.` or `..`), so a path built
 * here cannot leave the root. Sandboxes are kept after their task ends so its files stay readable.
 *
 * A few empty sandboxes (with their empty `stdout` and `stderr`) are kept ready under
 * `<root>/.spare/`, made in the background, and a launch renames one into place: one metadata
 * operation on its path instead of three creations. On this machine's disk (ext4 with `discard`),
 * once blocks are being freed (sandboxes or logs deleted), a mkdir and two file creations take
 * 0.9 ms p50 and a rename and two opens 0.15 ms (BENCHMARKS.md, issue 14).
 */
export class Sandboxes {
  /** The directory every sandbox lives under; `/files` requests must resolve inside it. */
  readonly root: string;
  private readonly spareRoot: string;
  private readonly spares: string[] = [];
  /** The refill under way, if any. */
  private refilling: Promise<void> | undefined;
  private adopted = false;
  private stopped = false;

  constructor(workDir: string) {
    this.root = path.resolve(workDir, "sandboxes");
    this.spareRoot = path.join(this.root, SPARE_DIR);
  }

  /**
   * Makes the sandbox `dir` (a `pathOf` or `executorPathOf`) and its parents, synchronously, from a
   * ready sandbox when there is one (then its `stdout` and `stderr` exist, empty). A `dir` that exists
   * already (a task id used again, an executor's shared sandbox) is kept as it is. Throws what mkdir
   * throws.
   */
  make(dir: string): void {
    // Never renamed over, even empty: a process may already work in it (an executor's shared sandbox).
    if (existsSync(dir)) return;
    const spare = this.spares.pop();
    if (spare === undefined || !this.moveInto(spare, dir)) mkdirSync(dir, { recursive: true });
  }

  /**
   * Makes ready sandboxes until there are enough, in the background; resolves when done. Called once
   * the launches that took them are under way: made during a launch, their creations joined the
   * journal commit that the launch's checkpoint waits for (its p90 from 0.1 to 0.5 ms).
   */
  refill(): Promise<void> {
    if (this.refilling || this.stopped || this.spares.length >= SPARES)
      return this.refilling ?? Promise.resolve();
    this.refilling = this.makeSpares()
      // A disk that cannot make a spare is left to the launches' own mkdir, which reports why.
      .catch(() => undefined)
      .finally(() => {
        this.refilling = undefined;
      });
    return this.refilling;
  }

  /** Stops making ready sandboxes; resolves once none is being made (the work dir may then go). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.refilling;
  }

  /** Renames `spare` to `dir`, making `dir`'s parent when missing; false when `dir` must be made instead. */
  private moveInto(spare: string, dir: string): boolean {
    try {
      renameSync(spare, dir);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        // The framework's first sandbox here: its directory is made once.
        try {
          mkdirSync(path.dirname(dir), { recursive: true });
          renameSync(spare, dir);
          return true;
        } catch {
          return false;
        }
      }
      // Whatever it was, the spare is still there for the next launch.
      this.spares.push(spare);
      return false;
    }
  }

  private async makeSpares(): Promise<void> {
    if (!this.adopted) {
      this.adopted = true;
      // A previous agent process's spares are as good as new ones.
      const left = await readdir(this.spareRoot).catch(() => []);
      this.spares.push(...left.map((name) => path.join(this.spareRoot, name)));
    }
    while (this.spares.length < SPARES && !this.stopped) {
      const dir = path.join(this.spareRoot, randomUUID());
      await mkdir(dir, { recursive: true });
      await Promise.all(OUTPUT_FILES.map((f) => writeFile(path.join(dir, f), "", { flag: "a" })));
      this.spares.push(dir);
    }
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
