import { spawn } from "node:child_process";
import { readdir, readlink, realpath, unlink } from "node:fs/promises";
import path from "node:path";

/** How a fetched file is unpacked: `tar` (plain, gz, bz2, xz: tar detects which), `zip`, or `gzip` alone. */
export type ArchiveKind = "tar" | "zip" | "gzip";

/** Most of a tool's stderr kept for the error message. */
const STDERR_LIMIT = 2048;

/**
 * Unpacks `file` into `dir` with the system's tools, run from argv (no shell), killed when `signal`
 * aborts. Their safe defaults keep members inside `dir`: GNU tar refuses member names with `..`,
 * strips a leading `/`, and creates a link pointing outside only after every member was written;
 * unzip drops `../` and leading `/`. Links that point outside are caught afterwards by `verifyLinks`.
 */
export async function extractArchive(
  kind: Exclude<ArchiveKind, "gzip">,
  file: string,
  dir: string,
  signal: AbortSignal,
  maxBytes: number,
): Promise<void> {
  const size = await declaredSize(kind, file, signal);
  if (size > maxBytes) throw new Error(`it unpacks to ${size} bytes, more than the limit of ${maxBytes}`);
  if (kind === "tar") await run("tar", ["-x", "--no-same-owner", "-f", file, "-C", dir], signal);
  else await run("unzip", ["-o", "-q", file, "-d", dir], signal);
}

/**
 * What an archive says it unpacks to, from a listing read before anything is written (tar's member
 * sizes, which tar holds to; unzip's total). A tar holding a device file is refused: run as root,
 * tar would create it, and the task could then read or write that device.
 */
export async function declaredSize(
  kind: Exclude<ArchiveKind, "gzip">,
  file: string,
  signal: AbortSignal,
): Promise<number> {
  let total = 0;
  let device: string | undefined;
  if (kind === "tar") {
    await run("tar", ["-t", "-v", "--numeric-owner", "-f", file], signal, (line) => {
      // `-rw-r--r-- 0/0  1234 2026-12-02 17:00 name`; a device shows `major,minor` for its size.
      const fields = line.split(/\s+/);
      if (/^[bc]/.test(fields[0] ?? "")) device ??= fields.slice(5).join(" ");
      total += Number(fields[2]) || 0;
    });
    if (device !== undefined) throw new Error(`the archive holds a device file: ${device}`);
  } else {
    await run("unzip", ["-Z", "-t", file], signal, (line) => {
      const m = /([0-9]+) bytes uncompressed/.exec(line);
      if (m) total = Number(m[1]);
    });
  }
  return total;
}

function run(
  command: string,
  args: string[],
  signal: AbortSignal,
  onLine?: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ["ignore", onLine ? "pipe" : "ignore", "pipe"],
      signal,
      killSignal: "SIGKILL",
    });
    if (onLine) {
      let rest = "";
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (chunk: string) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) onLine(line);
      });
      child.stdout!.on("end", () => {
        if (rest) onLine(rest);
      });
    }
    let stderr = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk;
    });
    child.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") reject(new Error(`'${command}' is not installed on this agent`));
      else reject(err);
    });
    child.once("close", (code, sig) => {
      if (code === 0) return resolve();
      const what = sig ? `was killed by ${sig}` : `exited with status ${code}`;
      const detail = stderr.trim().split("\n").slice(-3).join("; ");
      reject(new Error(`${command} ${what}${detail ? `: ${detail}` : ""}`));
    });
  });
}

/**
 * Whether a link is safe to leave in the sandbox: it resolves (through every link on its way)
 * inside `root`, or, dangling, it is relative and only descends (no `..`), so it cannot come to
 * point outside later. `root` must be a real path.
 */
export async function linkStaysInside(root: string, link: string, target: string): Promise<boolean> {
  const real = await realpath(link).catch(() => undefined);
  if (real !== undefined) return isInside(root, real);
  return !path.isAbsolute(target) && !target.split("/").includes("..");
}

/** Whether `p` is `root` or below it (both absolute and normalized). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

/**
 * Walks `dir` for links an archive left that lead outside it; removes them and throws naming the
 * first, so no later archive or file can be written through one.
 */
export async function verifyLinks(dir: string): Promise<void> {
  const root = await realpath(dir);
  const bad: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const p = path.join(at, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isSymbolicLink()) {
        const target = await readlink(p);
        if (!(await linkStaysInside(root, p, target))) {
          bad.push(`${path.relative(dir, p)} -> ${target}`);
          await unlink(p);
        }
      }
    }
  };
  await walk(dir);
  if (bad.length > 0) {
    throw new Error(`the archive holds a link leading outside the sandbox (removed): ${bad.join(", ")}`);
  }
}
