import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { access, constants, readFile, rmdir } from "node:fs/promises";
import path from "node:path";

/** Which cgroup hierarchy the agent confines shell tasks with; `none` means limits are advisory. */
export type CgroupMode = "v1" | "v2" | "none";

/** A task's limits: cpu (shares and a CFS quota) and memory. Zero means no limit of that kind. */
export interface CgroupLimits {
  readonly cpus: number;
  readonly memBytes: number;
}

/** What a task's cgroup measured. */
export interface CgroupUsage {
  readonly cpuUserSeconds: number;
  readonly cpuSystemSeconds: number;
  readonly memBytes: number;
}

/** One task's cgroup: its processes join through `procsFiles` (every hierarchy's `cgroup.procs`). */
export interface TaskCgroup {
  readonly procsFiles: readonly string[];
  /** True when the kernel's OOM killer killed a process of this cgroup; false when that cannot be read. */
  oomKilled(): Promise<boolean>;
  usage(): Promise<CgroupUsage>;
  /** Removes the cgroup once nothing runs in it (errors are ignored: it is only left behind). */
  remove(): Promise<void>;
}

/**
 * Creates a cgroup per task under an `agora/` parent in each hierarchy. The directories and limits
 * are written synchronously: cgroupfs is kernel memory, each call microseconds, while every awaited
 * fs call is a trip through libuv's thread pool and back through the event loop, and a task's cgroup
 * is made on its launch path before its process starts (as its sandbox is, for the same reason:
 * BENCHMARKS.md, issue 14).
 */
export interface Cgroups {
  readonly mode: CgroupMode;
  create(name: string, limits: CgroupLimits): Promise<TaskCgroup>;
  /**
   * The cgroup an earlier agent process made under `name`, if it is still there: a recovered task's,
   * measured from it and removed when the task ends, as a launched task's is.
   */
  existing(name: string): TaskCgroup | undefined;
}

const CPU_PERIOD_US = 100_000;
/** clock ticks per second of cpuacct.stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * Finds a writable cgroup hierarchy: v2 when `/sys/fs/cgroup` is the unified hierarchy with the cpu
 * and memory controllers, v1 when the `cpu`, `cpuacct` and `memory` controllers are mounted as
 * separate hierarchies; undefined when none is writable (limits are then advisory).
 */
export async function detectCgroups(root = "/sys/fs/cgroup"): Promise<Cgroups | undefined> {
  const controllers = await readFile(path.join(root, "cgroup.controllers"), "utf8").catch(() => undefined);
  if (controllers !== undefined) {
    const names = controllers.trim().split(/\s+/);
    if (names.includes("cpu") && names.includes("memory") && (await writable(root))) {
      return new CgroupsV2(root);
    }
    return undefined;
  }
  const dirs = ["cpu", "cpuacct", "memory"].map((c) => path.join(root, c));
  const ok = await Promise.all(dirs.map((d) => writable(d)));
  return ok.every(Boolean) ? new CgroupsV1(root) : undefined;
}

async function writable(dir: string): Promise<boolean> {
  return access(dir, constants.W_OK).then(
    () => true,
    () => false,
  );
}

/** How long a cgroup's last processes (just SIGKILLed with their group) may take to leave it. */
const REMOVE_ATTEMPTS = 200;
const REMOVE_RETRY_MS = 50;

/** Removes a cgroup directory, retrying while processes killed a moment ago still occupy it (EBUSY). */
async function removeWhenEmpty(dir: string): Promise<void> {
  for (let attempt = 1; attempt <= REMOVE_ATTEMPTS; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EBUSY" || attempt === REMOVE_ATTEMPTS) return;
      await new Promise((r) => setTimeout(r, REMOVE_RETRY_MS));
    }
  }
}

/** Writes a cgroup file a kernel may lack (swap accounting off) or refuse (a controller already on): optional. */
function writeIfPresent(file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch {
    // The cgroup works without it.
  }
}

async function readNumber(file: string): Promise<number> {
  return Number((await readFile(file, "utf8")).trim());
}

/** `key value` lines (memory.stat, cpu.stat, memory.events, cpuacct.stat) as a map. */
async function readKeyed(file: string): Promise<Map<string, number>> {
  const text = await readFile(file, "utf8").catch(() => "");
  return new Map(
    text
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [k, v] = line.split(/\s+/);
        return [k!, Number(v)];
      }),
  );
}

class CgroupsV1 implements Cgroups {
  readonly mode = "v1";
  constructor(private readonly root: string) {}

  async create(name: string, limits: CgroupLimits): Promise<TaskCgroup> {
    const { cpu, cpuacct, memory } = this.dirs(name);
    for (const d of [cpu, cpuacct, memory]) mkdirSync(d, { recursive: true });
    if (limits.cpus > 0) {
      writeFileSync(path.join(cpu, "cpu.shares"), String(Math.max(2, Math.round(limits.cpus * 1024))));
      writeFileSync(path.join(cpu, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
      writeFileSync(path.join(cpu, "cpu.cfs_quota_us"), String(Math.round(limits.cpus * CPU_PERIOD_US)));
    }
    if (limits.memBytes > 0) {
      writeFileSync(path.join(memory, "memory.limit_in_bytes"), String(limits.memBytes));
      // Without swap accounting the file is absent; the limit then covers memory alone.
      writeIfPresent(path.join(memory, "memory.memsw.limit_in_bytes"), String(limits.memBytes));
    }
    return this.handle(name);
  }

  existing(name: string): TaskCgroup | undefined {
    return existsSync(this.dirs(name).memory) ? this.handle(name) : undefined;
  }

  private dirs(name: string): { cpu: string; cpuacct: string; memory: string } {
    const dir = (controller: string) => path.join(this.root, controller, "agora", name);
    return { cpu: dir("cpu"), cpuacct: dir("cpuacct"), memory: dir("memory") };
  }

  private handle(name: string): TaskCgroup {
    const { cpu, cpuacct, memory } = this.dirs(name);
    return {
      procsFiles: [cpu, cpuacct, memory].map((d) => path.join(d, "cgroup.procs")),
      oomKilled: async () =>
        ((await readKeyed(path.join(memory, "memory.oom_control"))).get("oom_kill") ?? 0) > 0,
      usage: async () => {
        const stat = await readKeyed(path.join(cpuacct, "cpuacct.stat"));
        return {
          cpuUserSeconds: (stat.get("user") ?? 0) / USER_HZ,
          cpuSystemSeconds: (stat.get("system") ?? 0) / USER_HZ,
          memBytes: await readNumber(path.join(memory, "memory.usage_in_bytes")).catch(() => 0),
        };
      },
      remove: async () => {
        await Promise.all([cpu, cpuacct, memory].map((d) => removeWhenEmpty(d)));
      },
    };
  }
}

class CgroupsV2 implements Cgroups {
  readonly mode = "v2";
  constructor(private readonly root: string) {}

  async create(name: string, limits: CgroupLimits): Promise<TaskCgroup> {
    const parent = path.join(this.root, "agora");
    mkdirSync(parent, { recursive: true });
    // Children of `agora/` may only be limited once the parent hands the controllers down.
    writeIfPresent(path.join(this.root, "cgroup.subtree_control"), "+cpu +memory");
    writeIfPresent(path.join(parent, "cgroup.subtree_control"), "+cpu +memory");
    const dir = path.join(parent, name);
    mkdirSync(dir, { recursive: true });
    if (limits.cpus > 0) {
      writeFileSync(path.join(dir, "cpu.max"), `${Math.round(limits.cpus * CPU_PERIOD_US)} ${CPU_PERIOD_US}`);
      writeFileSync(
        path.join(dir, "cpu.weight"),
        String(Math.min(10_000, Math.max(1, Math.round(limits.cpus * 100)))),
      );
    }
    if (limits.memBytes > 0) {
      writeFileSync(path.join(dir, "memory.max"), String(limits.memBytes));
      writeIfPresent(path.join(dir, "memory.swap.max"), "0");
    }
    return this.handle(dir);
  }

  existing(name: string): TaskCgroup | undefined {
    const dir = path.join(this.root, "agora", name);
    return existsSync(dir) ? this.handle(dir) : undefined;
  }

  private handle(dir: string): TaskCgroup {
    return {
      procsFiles: [path.join(dir, "cgroup.procs")],
      oomKilled: async () => ((await readKeyed(path.join(dir, "memory.events"))).get("oom_kill") ?? 0) > 0,
      usage: async () => {
        const stat = await readKeyed(path.join(dir, "cpu.stat"));
        return {
          cpuUserSeconds: (stat.get("user_usec") ?? 0) / 1e6,
          cpuSystemSeconds: (stat.get("system_usec") ?? 0) / 1e6,
          memBytes: await readNumber(path.join(dir, "memory.current")).catch(() => 0),
        };
      },
      remove: () => removeWhenEmpty(dir),
    };
  }
}
