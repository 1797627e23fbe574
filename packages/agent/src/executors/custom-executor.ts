import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import type { ExecutorId, ExecutorInfo, FrameworkId, FrameworkInfo, TaskId, TaskInfo } from "@agora/protocol";
import { isTerminalState } from "@agora/protocol";
import { type Clock, systemClock, type TimerHandle } from "@agora/transport";
import { type Logger, pino } from "pino";
import { AgentError } from "../errors.js";
import type { Executor, ExecutorHandle, LaunchContext, TaskUsage } from "../executor.js";
import { MesosAgentApiError } from "../mesos-v1/errors.js";
import type { ExecutorStatus } from "../mesos-v1/executor-calls.js";
import { executorEnvironment } from "../mesos-v1/executor-env.js";
import { type AgentFacts, executorEvents } from "../mesos-v1/executor-events.js";
import { chownSandbox } from "../sandbox.js";
import { processGroupUsage } from "../usage/proc-usage.js";
import { GracefulKill } from "./graceful-kill.js";
import { signalGroup } from "./shell-recovery.js";
import { TaskUsers, type UserAccount } from "./task-user.js";

/** Mesos' `executor_registration_timeout`: an executor that has not subscribed by then is killed. */
export const DEFAULT_EXECUTOR_REGISTRATION_TIMEOUT_MS = 60_000;
/** Mesos' `executor_shutdown_grace_period`. */
export const DEFAULT_EXECUTOR_SHUTDOWN_GRACE_MS = 5_000;
/** Mesos' DEFAULT_EXECUTOR_HEARTBEAT_INTERVAL. */
export const DEFAULT_EXECUTOR_HEARTBEAT_MS = 30 * 60_000;

/** The open SUBSCRIBE response of an executor: RecordIO-framed events go out through it. */
export interface ExecutorSink {
  send(event: unknown): void;
  close(): void;
}

export interface CustomExecutorsOptions {
  /** The agent's id, hostname, HTTP port and resources, for SUBSCRIBED and the executor's environment. */
  agent(): AgentFacts;
  /** `ip:port` where executors reach the agent's `/api/v1/executor`. */
  endpoint(): string;
  /** Delivers an executor's MESSAGE to its framework (best effort). */
  onMessage(frameworkId: FrameworkId, executorId: ExecutorId, text: string): void;
  /** Sandboxes of executors: `<root>/<frameworkId>/executors/<executorId>`. */
  sandboxOf(frameworkId: FrameworkId, executorId: ExecutorId): string;
  clock?: Clock;
  logger?: Logger;
  /** PATH given to executors; defaults to the agent's own. */
  path?: string;
  registrationTimeoutMs?: number;
  /** Default time an executor has to end after SHUTDOWN (its ExecutorInfo may say otherwise). */
  shutdownGracePeriodMs?: number;
  heartbeatMs?: number;
  /** Mesos' `--switch_user` (default true): executors run as their `command.user`, as tasks do. */
  switchUser?: boolean;
}

/** A task given to a custom executor. */
interface CustomTask {
  readonly task: TaskInfo;
  readonly ctx: LaunchContext;
  /** Seen terminal (from the executor's UPDATE, or the executor's end). */
  terminal: boolean;
  killRequested: boolean;
  readonly ended: Promise<void>;
  markEnded(): void;
}

/** One running executor process of a framework. */
interface RunningExecutor {
  readonly frameworkId: FrameworkId;
  readonly info: ExecutorInfo;
  readonly framework: FrameworkInfo;
  readonly sandbox: string;
  readonly containerId: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly tasks: Map<TaskId, CustomTask>;
  sink: ExecutorSink | undefined;
  heartbeat: TimerHandle | undefined;
  registrationTimer: TimerHandle | undefined;
  /** Its shutdown: SHUTDOWN (or SIGTERM while it is not connected), then SIGKILL after its grace period. */
  readonly killer: GracefulKill;
  /** Resolves once the executor first subscribed; rejects if it ends or times out first. */
  readonly subscribed: Promise<void>;
  resolveSubscribed(): void;
  rejectSubscribed(err: AgentError): void;
  state: "registering" | "running" | "terminating" | "terminated";
  /** It subscribed at least once, so its tasks were sent to it. */
  subscribedOnce: boolean;
  /** Why the agent ended the executor, for its tasks' terminal updates. */
  terminationMessage: string | undefined;
  readonly exited: Promise<void>;
}

/** What the agent's operator API shows of an executor. */
export interface CustomExecutorView {
  readonly frameworkId: FrameworkId;
  readonly info: ExecutorInfo;
  readonly sandbox: string;
  readonly containerId: string;
  readonly pid: number;
  readonly state: RunningExecutor["state"];
  readonly taskIds: readonly TaskId[];
}

const hasEnded = (e: RunningExecutor) => e.state === "terminated";

const keyOf = (frameworkId: FrameworkId, executorId: ExecutorId) => `${frameworkId}/${executorId}`;

/**
 * Runs frameworks' own executors (Mesos' `ExecutorInfo` with a command) and is the agent's side of
 * Mesos' executor HTTP API. The first task naming an executor starts it: its command runs in the
 * executor's sandbox, in its own process group, with Mesos' environment (MESOS_AGENT_ENDPOINT …);
 * once it SUBSCRIBEs, each task is sent as a LAUNCH event. The executor reports its tasks' statuses
 * (UPDATE), which go through the agent's status update manager, and is sent ACKNOWLEDGED for each
 * once the agent holds it. Kills are KILL events; an executor that ends takes its unfinished tasks
 * with it (TASK_FAILED, REASON_EXECUTOR_TERMINATED).
 */
export class CustomExecutors implements Executor {
  private readonly running = new Map<string, RunningExecutor>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly path: string;
  private readonly registrationTimeoutMs: number;
  private readonly shutdownGraceMs: number;
  private readonly heartbeatMs: number;

  private readonly users: TaskUsers;

  constructor(private readonly options: CustomExecutorsOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ level: "silent" });
    this.path = options.path ?? process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
    this.registrationTimeoutMs = options.registrationTimeoutMs ?? DEFAULT_EXECUTOR_REGISTRATION_TIMEOUT_MS;
    this.shutdownGraceMs = options.shutdownGracePeriodMs ?? DEFAULT_EXECUTOR_SHUTDOWN_GRACE_MS;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_EXECUTOR_HEARTBEAT_MS;
    this.users = new TaskUsers({ switchUser: options.switchUser ?? true });
  }

  /** Refuses a task whose executor may not run as its user here; resolves to that user's account. */
  async admit(task: TaskInfo, ctx: Pick<LaunchContext, "framework">): Promise<UserAccount | undefined> {
    const user = task.executor?.command.user;
    return this.users.accountFor(this.users.requested(user, ctx.framework?.user));
  }

  /** Starts the task's executor if it does not run yet, waits for it to subscribe, then sends LAUNCH. */
  async launch(task: TaskInfo, ctx: LaunchContext): Promise<ExecutorHandle> {
    const info = task.executor;
    if (!info || !ctx.framework || !ctx.onStatus)
      throw new AgentError("LAUNCH_FAILED", "a custom executor needs the task's executor and framework", {
        reason: "REASON_TASK_INVALID",
      });
    const executor =
      this.running.get(keyOf(ctx.frameworkId, info.executorId)) ?? (await this.start(info, ctx));
    if (executor.state === "terminating" || executor.state === "terminated") {
      // One that ended before it ever subscribed says why (its exit status, a registration timeout).
      if (!executor.subscribedOnce) await executor.subscribed;
      throw new AgentError("LAUNCH_FAILED", `executor ${info.executorId} is shutting down`, {
        reason: "REASON_EXECUTOR_TERMINATED",
      });
    }
    let markEnded = () => {};
    const ended = new Promise<void>((resolve) => {
      markEnded = resolve;
    });
    const entry: CustomTask = { task, ctx, terminal: false, killRequested: false, ended, markEnded };
    executor.tasks.set(task.taskId, entry);
    try {
      await executor.subscribed;
    } catch (err) {
      executor.tasks.delete(task.taskId);
      throw err;
    }
    // It may have ended while this launch waited for its subscription.
    if (hasEnded(executor)) {
      executor.tasks.delete(task.taskId);
      throw new AgentError(
        "LAUNCH_FAILED",
        `executor ${info.executorId} ended before the task was sent to it`,
        {
          reason: "REASON_EXECUTOR_TERMINATED",
        },
      );
    }
    executor.sink?.send(executorEvents.launch(task, executor.frameworkId));
    return this.handleOf(executor, entry);
  }

  private handleOf(executor: RunningExecutor, entry: CustomTask): ExecutorHandle {
    return {
      pid: executor.pid,
      containerId: executor.containerId,
      reportsOwnStatus: true,
      usage: (): Promise<TaskUsage> => processGroupUsage(executor.pid),
      kill: async (gracePeriodMs: number) => {
        if (entry.terminal) return;
        entry.killRequested = true;
        if (executor.state === "terminated") return entry.ended;
        // As Mesos: the executor decides how to kill its task; it answers with TASK_KILLED.
        executor.sink?.send(executorEvents.kill(entry.task.taskId, gracePeriodMs / 1000));
        return entry.ended;
      },
      // Custom executors are not taken over by a restarted agent: `shutdownAll` ends them instead.
      release: () => {},
    };
  }

  private async start(info: ExecutorInfo, ctx: LaunchContext): Promise<RunningExecutor> {
    const frameworkId = ctx.frameworkId;
    const sandbox = this.options.sandboxOf(frameworkId, info.executorId);
    await mkdir(sandbox, { recursive: true });
    // Another task of the same executor may have started it while the sandbox was created.
    const raced = this.running.get(keyOf(frameworkId, info.executorId));
    if (raced) return raced;
    const env = {
      PATH: this.path,
      ...executorEnvironment({
        executor: info,
        frameworkId,
        agentId: ctx.agentId,
        agentEndpoint: this.options.endpoint(),
        sandbox,
        checkpoint: ctx.framework?.checkpoint ?? false,
        shutdownGracePeriodSeconds: this.graceMsOf(info) / 1000,
      }),
    };
    const command = info.command;
    const account = await this.users.accountFor(this.users.requested(command.user, ctx.framework?.user));
    const [file, args, argv0] = command.shell
      ? ["/bin/sh", ["-c", command.value ?? ""], undefined]
      : [command.value ?? command.arguments![0]!, command.arguments?.slice(1) ?? [], command.arguments?.[0]];
    const stdout = await open(path.join(sandbox, "stdout"), "a");
    const stderr = await open(path.join(sandbox, "stderr"), "a");
    let child: ChildProcess;
    let exit: Promise<string>;
    try {
      if (account) await chownSandbox(sandbox, account);
      child = spawn(file, args, {
        cwd: sandbox,
        env: account ? { HOME: account.home, USER: account.name, LOGNAME: account.name, ...env } : env,
        detached: true,
        stdio: ["ignore", stdout.fd, stderr.fd],
        ...(argv0 === undefined ? {} : { argv0 }),
        ...(account ? { uid: account.uid, gid: account.gid } : {}),
      });
      // Listened for at once: an executor that ends quickly exits while the sandbox files close below.
      const started = child;
      exit = new Promise((resolve) =>
        started.once("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `status ${code ?? 0}`)),
      );
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        child.once("error", reject);
      });
    } catch (cause) {
      throw new AgentError(
        "LAUNCH_FAILED",
        `could not start executor '${info.executorId}': ${(cause as Error).message}`,
        {
          reason: "REASON_CONTAINER_LAUNCH_FAILED",
          cause,
        },
      );
    } finally {
      await Promise.all([stdout.close(), stderr.close()]);
    }
    let resolveSubscribed = () => {};
    let rejectSubscribed: (err: AgentError) => void = () => {};
    const subscribed = new Promise<void>((resolve, reject) => {
      resolveSubscribed = resolve;
      rejectSubscribed = reject;
    });
    // Launches await it; a rejection nobody awaits (no task left) must not crash the agent.
    subscribed.catch(() => undefined);
    let markExited = () => {};
    const exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    const pid = child.pid!;
    const executor: RunningExecutor = {
      frameworkId,
      info,
      framework: ctx.framework!,
      sandbox,
      containerId: randomUUID(),
      child,
      pid,
      tasks: new Map(),
      sink: undefined,
      heartbeat: undefined,
      registrationTimer: undefined,
      // A connected executor is asked to end its tasks and exit; one that is not is signalled.
      killer: new GracefulKill(this.clock, (signal) => {
        if (signal === "SIGTERM" && executor.sink) executor.sink.send(executorEvents.shutdown());
        else signalGroup(pid, signal);
      }),
      subscribed,
      resolveSubscribed,
      rejectSubscribed,
      state: "registering",
      subscribedOnce: false,
      terminationMessage: undefined,
      exited,
    };
    executor.registrationTimer = this.clock.setTimeout(() => {
      if (executor.state !== "registering") return;
      executor.terminationMessage = "Executor did not register within the registration timeout";
      executor.rejectSubscribed(
        new AgentError("LAUNCH_FAILED", executor.terminationMessage, {
          reason: "REASON_EXECUTOR_REGISTRATION_TIMEOUT",
        }),
      );
      executor.state = "terminating";
      signalGroup(executor.pid, "SIGKILL");
    }, this.registrationTimeoutMs);
    void exit.then((how) => {
      this.ended(executor, how);
      markExited();
    });
    this.running.set(keyOf(frameworkId, info.executorId), executor);
    this.logger.info({ frameworkId, executorId: info.executorId, pid: executor.pid }, "executor started");
    return executor;
  }

  private graceMsOf(info: ExecutorInfo): number {
    return info.shutdownGracePeriodSeconds === undefined
      ? this.shutdownGraceMs
      : info.shutdownGracePeriodSeconds * 1000;
  }

  /** The executor's process ended: its group goes, its stream closes, its unfinished tasks fail. */
  private ended(executor: RunningExecutor, how: string): void {
    const wasRegistering = !executor.subscribedOnce;
    executor.state = "terminated";
    for (const t of [executor.registrationTimer, executor.heartbeat]) if (t) this.clock.clear(t);
    executor.killer.cancel();
    signalGroup(executor.pid, "SIGKILL");
    executor.sink?.close();
    executor.sink = undefined;
    this.running.delete(keyOf(executor.frameworkId, executor.info.executorId));
    const message = executor.terminationMessage ?? `Executor terminated (exited with ${how})`;
    this.logger.info({ executorId: executor.info.executorId, how }, "executor ended");
    if (wasRegistering) {
      executor.rejectSubscribed(
        new AgentError("LAUNCH_FAILED", `${message} before it subscribed`, {
          reason: "REASON_EXECUTOR_TERMINATED",
        }),
      );
      return;
    }
    for (const t of executor.tasks.values()) {
      if (t.terminal) continue;
      t.terminal = true;
      t.ctx.onExit(t.killRequested ? { kind: "killed" } : { kind: "executorTerminated", message });
      t.markEnded();
    }
  }

  /**
   * An executor's SUBSCRIBE: answers SUBSCRIBED on `sink` (replacing an earlier stream of the same
   * executor), then lets its pending launches go. Mesos' answers for unknown ones: 400.
   */
  subscribe(frameworkId: FrameworkId, executorId: ExecutorId, sink: ExecutorSink): void {
    const executor = this.find(frameworkId, executorId);
    if (executor.state === "terminating" || executor.state === "terminated")
      throw new MesosAgentApiError("Executor is terminating", 403);
    executor.sink?.close();
    executor.sink = sink;
    sink.send(
      executorEvents.subscribed({
        executor: executor.info,
        frameworkId,
        framework: executor.framework,
        agent: this.options.agent(),
        containerId: executor.containerId,
      }),
    );
    if (executor.heartbeat) this.clock.clear(executor.heartbeat);
    const beat = () => {
      executor.sink?.send(executorEvents.heartbeat());
      executor.heartbeat = this.clock.setTimeout(beat, this.heartbeatMs);
    };
    executor.heartbeat = this.clock.setTimeout(beat, this.heartbeatMs);
    if (executor.state === "registering") {
      executor.state = "running";
      executor.subscribedOnce = true;
      if (executor.registrationTimer) this.clock.clear(executor.registrationTimer);
      executor.resolveSubscribed();
    }
    this.logger.info({ frameworkId, executorId }, "executor subscribed");
  }

  /** The executor's stream closed (by it, or the network): events wait for it to subscribe again. */
  disconnected(frameworkId: FrameworkId, executorId: ExecutorId, sink: ExecutorSink): void {
    const executor = this.running.get(keyOf(frameworkId, executorId));
    if (executor?.sink !== sink) return;
    executor.sink = undefined;
    if (executor.heartbeat) this.clock.clear(executor.heartbeat);
    executor.heartbeat = undefined;
  }

  /**
   * An executor's UPDATE: recorded as the task's status (and so delivered to the framework at least
   * once), then ACKNOWLEDGED to the executor with its own uuid. A repeated update of a task that
   * already ended is acknowledged and dropped, as Mesos' status update manager drops duplicates.
   */
  update(frameworkId: FrameworkId, executorId: ExecutorId, status: ExecutorStatus): void {
    const executor = this.subscribedExecutor(frameworkId, executorId);
    const entry = executor.tasks.get(status.taskId);
    if (!entry)
      throw new MesosAgentApiError(
        `Task ${status.taskId} was not launched on executor ${executorId} of framework ${frameworkId}`,
      );
    if (!entry.terminal) {
      entry.ctx.onStatus!({
        state: status.state,
        source: "SOURCE_EXECUTOR",
        executorId,
        ...(status.reason === undefined ? {} : { reason: status.reason }),
        ...(status.message === undefined ? {} : { message: status.message }),
        ...(status.healthy === undefined ? {} : { healthy: status.healthy }),
        ...(status.labels === undefined ? {} : { labels: status.labels }),
        // As Mesos' agent, which adds the container's status to what the executor sent.
        containerStatus: { containerId: executor.containerId, executorPid: executor.pid },
      });
      if (isTerminalState(status.state)) {
        entry.terminal = true;
        entry.markEnded();
      }
    }
    executor.sink?.send(executorEvents.acknowledged(status.taskId, status.uuid));
  }

  /** An executor's MESSAGE for its framework. */
  message(frameworkId: FrameworkId, executorId: ExecutorId, base64: string): void {
    this.subscribedExecutor(frameworkId, executorId);
    this.options.onMessage(frameworkId, executorId, Buffer.from(base64, "base64").toString("utf8"));
  }

  /** A framework's message for one of its executors; false when no such executor listens here. */
  deliverMessage(frameworkId: FrameworkId, executorId: ExecutorId, text: string): boolean {
    const sink = this.running.get(keyOf(frameworkId, executorId))?.sink;
    sink?.send(executorEvents.message(text));
    return sink !== undefined;
  }

  /**
   * Sends SHUTDOWN to the framework's executors and kills each that has not ended after its
   * shutdown grace period. Resolves once they have all ended.
   */
  async shutdownFramework(frameworkId: FrameworkId, maxGraceMs = Number.POSITIVE_INFINITY): Promise<void> {
    const executors = [...this.running.values()].filter((e) => e.frameworkId === frameworkId);
    await Promise.all(executors.map((e) => this.shutdown(e, maxGraceMs)));
  }

  /** Shuts down every executor (the agent is stopping), none waiting longer than `maxGraceMs`. */
  async shutdownAll(maxGraceMs: number): Promise<void> {
    await Promise.all([...this.running.values()].map((e) => this.shutdown(e, maxGraceMs)));
  }

  private shutdown(executor: RunningExecutor, maxGraceMs: number): Promise<void> {
    if (executor.state === "terminated") return executor.exited;
    if (executor.state !== "terminating") {
      executor.state = "terminating";
      executor.terminationMessage = "Executor shut down";
      executor.killer.start(Math.min(this.graceMsOf(executor.info), maxGraceMs));
    }
    return executor.exited;
  }

  /** The executors running now, for the agent's operator API. */
  list(): CustomExecutorView[] {
    return [...this.running.values()].map((e) => ({
      frameworkId: e.frameworkId,
      info: e.info,
      sandbox: e.sandbox,
      containerId: e.containerId,
      pid: e.pid,
      state: e.state,
      taskIds: [...e.tasks.keys()],
    }));
  }

  private find(frameworkId: FrameworkId, executorId: ExecutorId): RunningExecutor {
    const executor = this.running.get(keyOf(frameworkId, executorId));
    if (executor) return executor;
    if (![...this.running.values()].some((e) => e.frameworkId === frameworkId))
      throw new MesosAgentApiError("Framework cannot be found");
    throw new MesosAgentApiError("Executor cannot be found");
  }

  private subscribedExecutor(frameworkId: FrameworkId, executorId: ExecutorId): RunningExecutor {
    const executor = this.find(frameworkId, executorId);
    if (executor.state === "registering") throw new MesosAgentApiError("Executor is not subscribed", 403);
    return executor;
  }
}
