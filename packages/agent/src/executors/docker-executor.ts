import { randomUUID } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import path from "node:path";
import type { AgentId, CommandInfo, TaskInfo } from "@agora/protocol";
import { type Clock, systemClock, type TimerHandle } from "@agora/transport";
import type Dockerode from "dockerode";
import { type Logger, pino } from "pino";
import { AgentError } from "../errors.js";
import type {
  Executor,
  ExecutorHandle,
  LaunchContext,
  RecoverContext,
  TaskExit,
  TaskUsage,
} from "../executor.js";
import { chownSandbox } from "../sandbox.js";
import { type ContainerPolicy, checkContainerPolicy, STRICT_CONTAINER_POLICY } from "./container-policy.js";
import { dockerCreateOptions, LABELS } from "./docker-spec.js";
import { GracefulKill } from "./graceful-kill.js";
import { TaskUsers, type UserAccount } from "./task-user.js";

export interface DockerExecutorOptions {
  docker: Dockerode;
  clock?: Clock;
  logger?: Logger;
  /** Whether privileged containers and host-path volumes may run (default: neither). */
  containerPolicy?: ContainerPolicy;
  /** Mesos' `--switch_user` (default true): `command.user` becomes the container's `User`. */
  switchUser?: boolean;
}

/** How long an exited container's output may take to drain into the sandbox files. */
const LOG_DRAIN_MS = 2000;

/**
 * Runs each task in a Docker container (through dockerode): labelled with its task, framework and
 * agent ids, cpu shares and quota and a memory limit from its resources, the agent's task
 * environment, the sandbox mounted at `/mnt/mesos/sandbox`, stdout and stderr streamed into the
 * sandbox's `stdout`/`stderr` files. Containers are removed once they ended and their exit was read.
 */
export class DockerExecutor implements Executor {
  readonly docker: Dockerode;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly containerPolicy: ContainerPolicy;
  private readonly users: TaskUsers;

  constructor(options: DockerExecutorOptions) {
    this.docker = options.docker;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ level: "silent" });
    this.containerPolicy = options.containerPolicy ?? STRICT_CONTAINER_POLICY;
    this.users = new TaskUsers({ switchUser: options.switchUser ?? true });
  }

  /**
   * A container's user is checked on the host only where the same name exists there (as the sandbox
   * is given to it); otherwise its local URIs are read with the agent's rights, as Mesos' fetcher
   * does for a user it cannot switch to.
   */
  async admit(task: TaskInfo, ctx: Pick<LaunchContext, "sandbox">): Promise<UserAccount | undefined> {
    await checkContainerPolicy(task, ctx.sandbox, this.containerPolicy);
    const user = this.users.containerUser(task);
    return user === undefined ? undefined : this.users.hostAccount(user);
  }

  async launch(task: TaskInfo, ctx: LaunchContext): Promise<ExecutorHandle> {
    const docker = task.container?.docker;
    if (!docker) {
      throw launchFailed("the Docker executor needs a task with container.docker");
    }
    if (docker.network === "BRIDGE" && !(await this.hasNetwork("bridge"))) {
      throw launchFailed(
        "BRIDGE networking is unavailable: this agent's Docker daemon has no 'bridge' network " +
          "(dockerd --bridge=none); use HOST or NONE",
      );
    }
    await checkContainerPolicy(task, ctx.sandbox, this.containerPolicy);
    const user = await this.containerUser(task, ctx.sandbox);
    await this.ensureImage(docker.image, docker.forcePullImage);
    const name = `agora-${randomUUID()}`;
    const options = dockerCreateOptions(task, { ...ctx, name, ...(user === undefined ? {} : { user }) });
    let container: Dockerode.Container;
    try {
      container = await this.docker.createContainer(options);
    } catch (cause) {
      throw launchFailed(`could not create the container: ${messageOf(cause)}`, cause);
    }
    try {
      // Attached before start so no output is lost.
      const logs = await this.attachLogs(container, ctx.sandbox, { attach: true });
      await container.start();
      const info = await container.inspect();
      return new DockerTaskHandle(container, info.State.Pid, logs, ctx, this.clock, this.logger);
    } catch (cause) {
      await container.remove({ force: true }).catch(() => {});
      throw launchFailed(`could not start the container: ${messageOf(cause)}`, cause);
    }
  }

  /**
   * The `User` a task's container runs as (see `TaskUsers.containerUser`). When the same user exists
   * on this machine and the agent is root, the sandbox, mounted into the container, becomes theirs,
   * as Mesos does (the image may map the name to another uid; then the sandbox stays the host's).
   */
  private async containerUser(task: TaskInfo, sandbox: string): Promise<string | undefined> {
    const user = this.users.containerUser(task);
    if (user === undefined) return undefined;
    const account = await this.users.hostAccount(user);
    if (account) {
      await chownSandbox(sandbox, account).catch((cause: unknown) => {
        throw launchFailed(`could not give the sandbox to user '${user}': ${messageOf(cause)}`, cause);
      });
    }
    return user;
  }

  /**
   * Finds the container of a task a previous agent process launched (by its labels) and watches
   * it again. Output from now on is appended to the sandbox files. A container that ended while no
   * agent watched reports its exit at once; no container at all resolves undefined.
   */
  async recover(task: TaskInfo, ctx: RecoverContext): Promise<ExecutorHandle | undefined> {
    const found = await this.docker.listContainers({
      all: true,
      filters: {
        label: [
          `${LABELS.taskId}=${task.taskId}`,
          `${LABELS.frameworkId}=${ctx.frameworkId}`,
          `${LABELS.agentId}=${ctx.agentId}`,
        ],
      },
    });
    const summary = found[0];
    if (!summary) return undefined;
    const container = this.docker.getContainer(summary.Id);
    const info = await container.inspect();
    const logs = info.State.Running
      ? await this.attachLogs(container, ctx.sandbox, { attach: false })
      : undefined;
    return new DockerTaskHandle(container, info.State.Pid, logs, ctx, this.clock, this.logger);
  }

  /**
   * Removes the containers labelled with this agent's id whose task the agent does not know (`known`
   * answers for `frameworkId/taskId` keys): what a crashed agent left behind. Returns how many were removed.
   */
  async removeOrphans(agentId: AgentId, known: (key: string) => boolean): Promise<number> {
    const found = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.agentId}=${agentId}`] },
    });
    const orphans = found.filter((c) => !known(`${c.Labels[LABELS.frameworkId]}/${c.Labels[LABELS.taskId]}`));
    await Promise.all(
      orphans.map((c) =>
        this.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch((err: unknown) => this.logger.warn({ err, id: c.Id }, "could not remove an orphan")),
      ),
    );
    if (orphans.length > 0) this.logger.info({ count: orphans.length }, "removed orphan containers");
    return orphans.length;
  }

  private async hasNetwork(name: string): Promise<boolean> {
    const networks = await this.docker.listNetworks({ filters: { name: [name] } });
    return networks.some((n) => n.Name === name);
  }

  /** The image's pull policy: pulled when absent, or always with `forcePullImage`. */
  private async ensureImage(image: string, forcePull: boolean): Promise<void> {
    if (!forcePull) {
      const present = await this.docker
        .getImage(image)
        .inspect()
        .then(
          () => true,
          () => false,
        );
      if (present) return;
    }
    try {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
      });
    } catch (cause) {
      throw launchFailed(
        `could not pull image '${image}' (is a registry reachable?): ${messageOf(cause)}`,
        cause,
      );
    }
  }

  /** Streams the container's stdout and stderr into the sandbox; resolves with what to await at exit. */
  private async attachLogs(
    container: Dockerode.Container,
    sandbox: string,
    { attach }: { attach: boolean },
  ): Promise<LogStreams> {
    const stdout = createWriteStream(path.join(sandbox, "stdout"), { flags: "a" });
    const stderr = createWriteStream(path.join(sandbox, "stderr"), { flags: "a" });
    const source = attach
      ? await container.attach({ stream: true, stdout: true, stderr: true })
      : await container.logs({
          follow: true,
          stdout: true,
          stderr: true,
          since: Math.floor(this.clock.now() / 1000),
        });
    this.docker.modem.demuxStream(source, stdout, stderr);
    const ended = new Promise<void>((resolve) => {
      source.once("end", resolve);
      source.once("close", resolve);
      source.once("error", resolve);
    });
    return { source, stdout, stderr, ended };
  }
}

interface LogStreams {
  readonly source: NodeJS.ReadableStream;
  readonly stdout: WriteStream;
  readonly stderr: WriteStream;
  readonly ended: Promise<void>;
}

function launchFailed(message: string, cause?: unknown): AgentError {
  return new AgentError("LAUNCH_FAILED", message, { reason: "REASON_CONTAINER_LAUNCH_FAILED", cause });
}

function messageOf(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return e.json?.message ?? e.message ?? String(err);
}

class DockerTaskHandle implements ExecutorHandle {
  readonly containerId: string;
  private released = false;
  /** Cancels the pending wait when the handle is released, so nothing holds the process open. */
  private readonly watching = new AbortController();
  private readonly killer: GracefulKill;
  private readonly exited: Promise<void>;

  constructor(
    private readonly container: Dockerode.Container,
    readonly pid: number | undefined,
    private readonly logs: LogStreams | undefined,
    ctx: LaunchContext | RecoverContext,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.containerId = container.id;
    this.killer = new GracefulKill(clock, (signal) => {
      this.container.kill({ signal }).catch((err: unknown) => {
        // 409: not running any more, 404: already gone; both mean the kill has nothing to do.
        const status = (err as { statusCode?: number }).statusCode;
        if (status !== 409 && status !== 404) this.logger.warn({ err }, "killing a container failed");
      });
    });
    this.exited = this.watch(ctx);
  }

  /** The container's cpu time and memory, from Docker's stats. */
  async usage(): Promise<TaskUsage> {
    const stats = (await this.container.stats({ stream: false })) as Dockerode.ContainerStats;
    const cpu = stats.cpu_stats.cpu_usage;
    return {
      cpuUserSeconds: cpu.usage_in_usermode / 1e9,
      cpuSystemSeconds: cpu.usage_in_kernelmode / 1e9,
      memBytes: stats.memory_stats.usage ?? 0,
    };
  }

  /** Runs a health check command inside the container (`docker exec`); exit 0 is healthy. */
  readonly runCommand = async (command: CommandInfo, timeoutMs: number): Promise<boolean> => {
    const cmd = command.shell
      ? ["/bin/sh", "-c", command.value ?? ""]
      : command.value !== undefined
        ? [command.value, ...(command.arguments ?? [])]
        : [...(command.arguments ?? [])];
    try {
      const exec = await this.container.exec({
        Cmd: cmd,
        Env: Object.entries(command.environment ?? {}).map(([k, v]) => `${k}=${v}`),
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({ hijack: true, stdin: false });
      stream.resume();
      const ended = new Promise<void>((resolve) => {
        stream.once("end", resolve);
        stream.once("close", resolve);
        stream.once("error", resolve);
      });
      let timer: TimerHandle | undefined;
      const finished = await Promise.race([
        ended.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = this.clock.setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      if (timer) this.clock.clear(timer);
      if (!finished) {
        stream.destroy();
        return false;
      }
      return (await exec.inspect()).ExitCode === 0;
    } catch {
      return false;
    }
  };

  kill(gracePeriodMs: number): Promise<void> {
    this.killer.start(gracePeriodMs);
    return this.exited;
  }

  release(): void {
    this.released = true;
    this.killer.cancel();
    this.watching.abort();
    void this.closeLogs();
  }

  private async watch(ctx: LaunchContext | RecoverContext): Promise<void> {
    let exit: TaskExit;
    try {
      await this.container.wait({ abortSignal: this.watching.signal });
      const info = await this.container.inspect();
      exit = this.exitOf(info.State);
    } catch (err) {
      if (this.released) return;
      this.logger.warn({ err }, "lost sight of a container");
      exit = { kind: "signaled", signal: "SIGKILL" };
    }
    this.killer.cancel();
    if (this.released) return;
    await this.drainLogs();
    await this.container.remove({ force: true }).catch(() => {});
    ctx.onExit(exit);
  }

  private exitOf(state: Dockerode.ContainerInspectInfo["State"]): TaskExit {
    if (state.OOMKilled) {
      return {
        kind: "limited",
        reason: "REASON_CONTAINER_LIMITATION_MEMORY",
        message: "Container exceeded its memory limit and was killed (out of memory)",
      };
    }
    if (this.killer.requested) return { kind: "killed" };
    return { kind: "exited", exitCode: state.ExitCode };
  }

  private async drainLogs(): Promise<void> {
    if (!this.logs) return;
    let timer: TimerHandle | undefined;
    await Promise.race([
      this.logs.ended,
      new Promise<void>((resolve) => {
        timer = this.clock.setTimeout(resolve, LOG_DRAIN_MS);
      }),
    ]);
    if (timer) this.clock.clear(timer);
    await this.closeLogs();
  }

  private closeLogs(): Promise<void> {
    if (!this.logs) return Promise.resolve();
    const { source, stdout, stderr } = this.logs;
    (source as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    const close = (s: WriteStream) => new Promise<void>((resolve) => s.end(resolve));
    return Promise.all([close(stdout), close(stderr)]).then(() => {});
  }
}
