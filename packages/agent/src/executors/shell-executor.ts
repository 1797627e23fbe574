import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { chmodSync, closeSync, openSync } from "node:fs";
import { stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { scalarOf, type TaskInfo } from "@agora/protocol";
import { type Clock, systemClock } from "@agora/transport";
import type { CgroupMode, Cgroups, TaskCgroup } from "../cgroups/cgroups.js";
import { AgentError } from "../errors.js";
import type {
  Executor,
  ExecutorHandle,
  LaunchContext,
  RecoverContext,
  TaskExit,
  TaskUsage,
} from "../executor.js";
import { type CommandRunner, hostCommandRunner } from "../health/probes.js";
import { chownSandbox, OUTPUT_FILES } from "../sandbox.js";
import { taskEnvironment } from "../task-env.js";
import { processGroupUsage } from "../usage/proc-usage.js";
import { GracefulKill } from "./graceful-kill.js";
import { ReadyShells, readyShellLine } from "./ready-shells.js";
import {
  EXIT_STATUS_FILE,
  OUT_OF_MEMORY_EXIT,
  RECORD_EXIT_STATUS,
  recoverShellTask,
  signalGroup,
} from "./shell-recovery.js";
import { TaskUsers, type UserAccount } from "./task-user.js";

export interface ShellExecutorOptions {
  /** PATH given to tasks; defaults to the agent's own. */
  path?: string;
  /** Times the kill grace period. */
  clock?: Clock;
  /**
   * Confines each task in a cgroup with its cpu and memory limits (see `detectCgroups`). Without,
   * limits are advisory: usage is measured from /proc and nothing enforces them.
   */
  cgroups?: Cgroups;
  /**
   * Runs each command under a small `/bin/sh` wrapper that writes its exit status to the sandbox,
   * so an agent restarted after the task ended can still tell FINISHED from FAILED (on with
   * checkpointing). A task with a custom argv[0] runs without it.
   */
  recordExitStatus?: boolean;
  /** How often a recovered task (not our child) is checked for its end (default 1 s). */
  recoveredPollMs?: number;
  /**
   * Shells kept started ahead of their tasks (default 2; 0: none): a wrapped task (in a cgroup, or
   * with its exit status recorded) takes one instead of a spawn, once `prepare` has started them. An
   * executor that wraps no task keeps none.
   */
  readyShells?: number;
  /**
   * Mesos' `--switch_user` (default true): each task runs as its `command.user` (see `TaskUsers`);
   * off, every task runs as the agent's user.
   */
  switchUser?: boolean;
}

/** A shell task's sandbox: rwx for its owner, r-x for the owner's group, nothing for others. */
const SANDBOX_MODE = 0o750;

/**
 * Joins the cgroups listed in AGORA_CGROUP_PROCS before exec'ing the task, so every process the
 * task starts is confined from its first instruction.
 */
const JOIN_CGROUPS =
  'for f in $AGORA_CGROUP_PROCS; do echo $$ > "$f" || exit 127; done; unset AGORA_CGROUP_PROCS';

/**
 * Runs a task's command as a local process: `/bin/sh -c value` (or `value` with `arguments` as its
 * argv, `arguments[0]` being argv[0] as in Mesos), detached into its own process group, in its
 * sandbox, with stdout and stderr written by the process itself to `stdout`/`stderr` files there.
 */
export class ShellExecutor implements Executor {
  private readonly path: string;
  private readonly clock: Clock;
  private readonly cgroups: Cgroups | undefined;
  private readonly recordExitStatus: boolean;
  private readonly recoveredPollMs: number;
  private readonly users: TaskUsers;
  private readonly readyShells: ReadyShells;
  /** Removals of ended tasks' cgroups under way (see `settled`). */
  private readonly removals = new Set<Promise<void>>();

  constructor(options: ShellExecutorOptions = {}) {
    this.path = options.path ?? process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
    this.clock = options.clock ?? systemClock;
    this.cgroups = options.cgroups;
    this.recordExitStatus = options.recordExitStatus ?? false;
    this.recoveredPollMs = options.recoveredPollMs ?? 1000;
    this.users = new TaskUsers({ switchUser: options.switchUser ?? true });
    // Only a wrapped task takes one: without cgroups or exit statuses to record, none would be used.
    const wraps = this.cgroups !== undefined || this.recordExitStatus;
    this.readyShells = new ReadyShells(wraps ? (options.readyShells ?? 2) : 0);
  }

  /** Starts the shells the next launches take (a fork each): call it when no update waits to be sent. */
  prepare(): void {
    this.readyShells.refill();
  }

  /** Ends the shells that wait for a task. */
  async stop(): Promise<void> {
    await this.readyShells.stop();
  }

  async recover(task: TaskInfo, ctx: RecoverContext): Promise<ExecutorHandle | undefined> {
    const cgroup = this.tracked(this.cgroups?.existing(`${ctx.frameworkId}.${task.taskId}`));
    const handle = await recoverShellTask(ctx, this.clock, this.recoveredPollMs, cgroup);
    if (!handle || !task.healthCheck) return handle;
    // Its checks run as its user, as they did before the restart. Whom it was switched to is read
    // from its sandbox's owner (the launch chowned it), as the recovery context carries neither the
    // framework (whose user it may have run as) nor the environment: that is rebuilt, with this
    // machine's hostname as HOST.
    const owner = await stat(ctx.sandbox).catch(() => undefined);
    if (!owner || owner.uid === this.users.policy.agentUid) return handle;
    const env = taskEnvironment({ ...ctx, task, hostname: os.hostname() });
    const user = { uid: owner.uid, gid: owner.gid };
    return {
      pid: handle.pid!,
      runCommand: hostCommandRunner({ cwd: ctx.sandbox, env, path: this.path, user }),
      usage: () => handle.usage!(),
      kill: (gracePeriodMs) => handle.kill(gracePeriodMs),
      release: () => handle.release(),
    };
  }

  admit(task: TaskInfo, ctx: Pick<LaunchContext, "framework">): Promise<UserAccount | undefined> {
    return this.users.accountFor(this.users.requested(task.command?.user, ctx.framework?.user));
  }

  get cgroupMode(): CgroupMode {
    return this.cgroups?.mode ?? "none";
  }

  /**
   * A task's cgroup goes once its end is reported, so the report does not wait for its last processes
   * to leave it; an agent stopping right after (a framework torn down, then the agent shut down) waits
   * here for those removals instead of leaving the cgroups behind.
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.removals]);
  }

  /** `cgroup`, its removal counted in `removals` while under way. */
  private tracked(cgroup: TaskCgroup | undefined): TaskCgroup | undefined {
    if (!cgroup) return undefined;
    return {
      ...cgroup,
      remove: () => {
        const removal = cgroup.remove();
        this.removals.add(removal);
        void removal.finally(() => this.removals.delete(removal));
        return removal;
      },
    };
  }

  async launch(task: TaskInfo, ctx: LaunchContext): Promise<ExecutorHandle> {
    const command = task.command;
    if (!command) {
      throw new AgentError("LAUNCH_FAILED", "the shell executor needs a command", {
        reason: "REASON_COMMAND_EXECUTOR_FAILED",
      });
    }
    // Before anything is created for it: a task that may not run as its user fails here.
    const account = await this.users.accountFor(
      this.users.requested(task.command?.user, ctx.framework?.user),
    );
    const [file, args, argv0] = command.shell
      ? ["/bin/sh", ["-c", command.value ?? ""], undefined]
      : [command.value ?? command.arguments![0]!, command.arguments?.slice(1) ?? [], command.arguments?.[0]];

    const cgroup = await this.cgroups
      ?.create(`${ctx.frameworkId}.${task.taskId}`, {
        cpus: scalarOf(task.resources, "cpus"),
        memBytes: Math.round(scalarOf(task.resources, "mem") * 1024 * 1024),
      })
      .catch((cause: unknown) => {
        throw new AgentError(
          "LAUNCH_FAILED",
          `could not create the task's cgroup: ${(cause as Error).message}`,
          {
            reason: "REASON_CONTAINER_LAUNCH_FAILED",
            cause,
          },
        );
      });
    // With a custom argv[0] the task cannot be exec'd through the joining shell; it joins right after spawn.
    const plainArgv0 = argv0 === undefined || argv0 === file;
    const joinBeforeExec = cgroup !== undefined && plainArgv0;
    const record = this.recordExitStatus && plainArgv0;
    const run = record ? RECORD_EXIT_STATUS : 'exec "$@"';
    // A task run as another user may not write the cgroup's files: the wrapper joins while still the
    // agent's user, then becomes the task's through setpriv (util-linux), so no process of the task
    // ever runs outside its cgroup. Otherwise the process is spawned as the user directly.
    const dropInWrapper = joinBeforeExec && account !== undefined;
    const wrapper = [
      ...(joinBeforeExec ? [JOIN_CGROUPS] : []),
      dropInWrapper
        ? `run=$1; shift; exec setpriv --reuid=${account.uid} --regid=${account.gid} --clear-groups -- /bin/sh -c "$run" sh "$@"`
        : run,
    ].join("; ");
    const wrapped = joinBeforeExec || record;
    const env: Record<string, string> = { PATH: this.path, ...accountEnv(account), ...ctx.env };
    if (joinBeforeExec) env.AGORA_CGROUP_PROCS = cgroup.procsFiles.join(" ");
    if (record) env.AGORA_EXIT_FILE = path.join(ctx.sandbox, EXIT_STATUS_FILE);
    const wrapperArgs = ["-c", wrapper, "sh", ...(dropInWrapper ? [run] : []), file, ...args];
    // A wrapped task runs shell code first anyway: a ready shell can run it. Switching users
    // without the wrapper (no cgroup) is the spawn's (Node's uid and gid).
    const readyLine =
      wrapped && !(account && !dropInWrapper)
        ? readyShellLine({ sandbox: ctx.sandbox, env, args: wrapperArgs.slice(3), wrapper })
        : undefined;
    try {
      if (account) {
        // Made before the sandbox is given to the task's user (the chown covers what it holds), not
        // by the task's shell or spawn, which run as the agent's user.
        for (const file of OUTPUT_FILES) closeSync(openSync(path.join(ctx.sandbox, file), "a"));
        await chownSandbox(ctx.sandbox, account);
      }
      // Its owner's alone (and the agent's): tasks run as other users on this machine must not read
      // what this one fetched or wrote. (A container's sandbox stays as it is: the image's user may
      // be another uid that still needs to read it.)
      chmodSync(ctx.sandbox, SANDBOX_MODE);
      // A ready shell points its output at the sandbox's files itself and runs the wrapper: a write to
      // a pipe where a spawn forks and execs this process.
      const child =
        (readyLine === undefined ? undefined : this.readyShells.run(readyLine)) ??
        (await spawnInSandbox(wrapped ? "/bin/sh" : file, wrapped ? wrapperArgs : args, {
          cwd: ctx.sandbox,
          env,
          ...(argv0 === undefined || wrapped ? {} : { argv0 }),
          // Node drops the supplementary groups when it switches (setgroups(0) before setgid/setuid),
          // as setpriv --clear-groups does.
          ...(account && !dropInWrapper ? { uid: account.uid, gid: account.gid } : {}),
        }));
      if (cgroup && !joinBeforeExec) {
        await Promise.all(cgroup.procsFiles.map((f) => writeFile(f, String(child.pid))));
      }
      // Health check commands run as the task's user too, never as the agent's root.
      const runCommand = account
        ? hostCommandRunner({ cwd: ctx.sandbox, env: ctx.env, path: this.path, user: account })
        : undefined;
      return new ShellTaskHandle(child, ctx, this.clock, this.tracked(cgroup), runCommand);
    } catch (cause) {
      await cgroup?.remove();
      const as = account ? ` as user '${account.name}'` : "";
      throw new AgentError("LAUNCH_FAILED", `could not start '${file}'${as}: ${(cause as Error).message}`, {
        reason: "REASON_COMMAND_EXECUTOR_FAILED",
        cause,
      });
    }
  }
}

/**
 * Spawns a task's process in its own process group (a kill reaches everything the task started, and
 * the task outlives the agent process, which a restarted agent recovers), its output going to the
 * `stdout` and `stderr` files of its sandbox (`options.cwd`). The files are opened, and the
 * descriptors closed, synchronously: each is a few microseconds of metadata work, while every awaited
 * fs call is a trip through libuv's thread pool and back through a busy event loop (1–5 ms each on
 * a loaded 2-core machine: most of the launch overhead once measured over a raw spawn, BENCHMARKS.md).
 * The spawn blocks the loop far longer (fork and exec) anyway.
 */
async function spawnInSandbox(
  file: string,
  args: readonly string[],
  options: Omit<SpawnOptions, "detached" | "stdio"> & { cwd: string },
): Promise<ChildProcess> {
  const stdout = openSync(path.join(options.cwd, OUTPUT_FILES[0]), "a");
  let stderr: number | undefined;
  try {
    stderr = openSync(path.join(options.cwd, OUTPUT_FILES[1]), "a");
    const child = spawn(file, args, { ...options, detached: true, stdio: ["ignore", stdout, stderr] });
    await spawned(child);
    return child;
  } finally {
    // The child holds its own copies of the descriptors.
    closeSync(stdout);
    if (stderr !== undefined) closeSync(stderr);
  }
}

/** What a login gives a user's processes, so tools that look for a home find the task user's, not the agent's. */
function accountEnv(account: UserAccount | undefined): Record<string, string> {
  if (!account) return {};
  return { HOME: account.home, USER: account.name, LOGNAME: account.name };
}

function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
}

class ShellTaskHandle implements ExecutorHandle {
  readonly pid: number;
  private released = false;
  private readonly killer: GracefulKill;
  private readonly exited: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    ctx: LaunchContext,
    clock: Clock,
    private readonly cgroup: TaskCgroup | undefined,
    readonly runCommand: CommandRunner | undefined,
  ) {
    this.pid = child.pid!;
    this.killer = new GracefulKill(clock, (signal) => signalGroup(this.pid, signal));
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.killer.cancel();
        if (this.released) return resolve();
        // Whatever the main process left behind (`sleep 100 &`) goes with it, so nothing is orphaned.
        signalGroup(this.pid, "SIGKILL");
        void this.exitOf(code, signal)
          .then((exit) => ctx.onExit(exit))
          // After the report: the group's last processes may take a moment to leave the cgroup.
          .then(() => this.cgroup?.remove())
          .then(() => resolve());
      });
    });
  }

  usage(): Promise<TaskUsage> {
    if (this.cgroup) return this.cgroup.usage();
    return processGroupUsage(this.pid);
  }

  kill(gracePeriodMs: number): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.killer.start(gracePeriodMs);
    return this.exited;
  }

  release(): void {
    this.released = true;
    this.child.unref();
  }

  private async exitOf(code: number | null, signal: NodeJS.Signals | null): Promise<TaskExit> {
    const oom = (await this.cgroup?.oomKilled()) ?? false;
    if (this.killer.requested) return { kind: "killed" };
    if (oom) return OUT_OF_MEMORY_EXIT;
    if (signal) return { kind: "signaled", signal };
    return { kind: "exited", exitCode: code ?? 0 };
  }
}
