import { readdir, readFile } from "node:fs/promises";
import type { TaskUsage } from "../executor.js";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;
const PAGE_SIZE = 4096;

/**
 * The cpu time and resident memory of every live process in a process group, from /proc: how a
 * shell task is measured where no cgroup is writable. Zombies (state Z) count as gone.
 */
export async function processGroupUsage(pgid: number): Promise<TaskUsage> {
  const pids = (await readdir("/proc").catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
  let user = 0;
  let system = 0;
  let rssPages = 0;
  await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
      if (stat === undefined) return;
      // Fields after the command name (which may hold spaces) start at field 3 (state).
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) !== pgid || f[0] === "Z") return;
      user += Number(f[11]);
      system += Number(f[12]);
      rssPages += Number(f[21]);
    }),
  );
  return {
    cpuUserSeconds: user / USER_HZ,
    cpuSystemSeconds: system / USER_HZ,
    memBytes: rssPages * PAGE_SIZE,
  };
}
