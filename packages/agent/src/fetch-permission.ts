import type { Stats } from "node:fs";
import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { UserAccount } from "./executors/task-user.js";

/** What the permission rule needs of a file or directory: its mode bits and its owner. */
export interface ModeFacts {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** Whose rights a local file is read with: a task's account (uid and primary gid). */
export type Reader = Pick<UserAccount, "uid" | "gid">;

const READ = 0o4;
const SEARCH = 0o1;

/**
 * Whether `reader` has `bit` (4 read, 1 search) on a file, as the kernel decides from its mode: the
 * owner's bits for its owner, else the group's for its group, else the others'. The owner's bits
 * alone count for the owner, even when the others' would allow more (a file 0044 is unreadable to
 * its owner), as in the kernel. Only the primary gid is a group the reader is in: see `mayRead`.
 */
export function permits(facts: ModeFacts, reader: Reader, bit: number): boolean {
  const shift = facts.uid === reader.uid ? 6 : facts.gid === reader.gid ? 3 : 0;
  return ((facts.mode >> shift) & bit) !== 0;
}

/**
 * Whether `reader` could read a file (pure): every directory on its real path searchable and the
 * file itself readable; root always may (it bypasses modes, as CAP_DAC_OVERRIDE does). Supplementary
 * groups are ignored, which is stricter than the kernel: a task process gets its uid and primary gid
 * alone (Node's spawn drops supplementary groups), so a file that only a supplementary group may read
 * is not one the task could read itself either. POSIX ACLs are not read: a file they open wider than
 * its mode is refused, one they close tighter is allowed (see docs/security.md).
 */
export function mayRead(directories: readonly ModeFacts[], file: ModeFacts, reader: Reader): boolean {
  if (reader.uid === 0) return true;
  return directories.every((dir) => permits(dir, reader, SEARCH)) && permits(file, reader, READ);
}

/** The directories a real (absolute, normalized) path is reached through: `/`, `/a`, `/a/b` for `/a/b/f`. */
export function directoriesOf(realPath: string): string[] {
  const dirs: string[] = [];
  let dir = path.dirname(realPath);
  for (;;) {
    dirs.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) return dirs;
    dir = parent;
  }
}

/**
 * Throws unless `reader` could read the file at `realPath` (a path `realpath` gave, so no component
 * is a link), given the file's own `stat`. The directories are read with `lstat`: one that has become
 * a link since `realpath` is refused rather than followed.
 */
export async function assertReadable(realPath: string, file: Stats, reader: UserAccount): Promise<void> {
  const paths = directoriesOf(realPath);
  const directories = await Promise.all(paths.map((dir) => lstat(dir)));
  const changed = directories.findIndex((d) => !d.isDirectory());
  if (changed !== -1) throw new Error(`${paths[changed]} changed while it was checked`);
  if (!mayRead(directories, file, reader)) {
    throw new Error(
      `user '${reader.name}' may not read ${realPath} (a task's local files are fetched with its user's rights)`,
    );
  }
}

/** `assertReadable` for a path as a task gave it (links followed): a cached copy is served only after this. */
export async function assertPathReadable(source: string, reader: UserAccount): Promise<void> {
  const real = await realpath(source);
  await assertReadable(real, await stat(real), reader);
}
