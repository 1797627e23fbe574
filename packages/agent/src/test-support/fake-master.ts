import { readFileSync } from "node:fs";
import {
  type AgentCommand,
  type AgentId,
  AgentMessage,
  type AgentMessageOf,
  type AgentRegistered,
  DEFAULT_CLUSTER,
  decode,
  encode,
  type FrameworkId,
  type FrameworkInfo,
  Pong,
  type StatusUpdate,
  subjects,
  type TaskId,
  type TaskInfo,
  type TaskState,
} from "@agora/protocol";
import type { Bus, BusSubscription } from "@agora/transport";
import { waitFor } from "@agora/transport/testing";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** True while `pid` is a live process (a zombie nobody reaped counts as dead: it runs nothing). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export const FRAMEWORK_ID = "fw-1" as FrameworkId;
export const FRAMEWORK_INFO: FrameworkInfo = {
  id: FRAMEWORK_ID,
  name: "test-framework",
  user: "root",
  roles: ["*"],
  failoverTimeout: 0,
  checkpoint: false,
};

/**
 * A master written for tests: answers register/reregister, records every message, sends
 * commands, and acknowledges updates when told to.
 */
export class FakeMaster {
  readonly subjects = subjects(DEFAULT_CLUSTER);
  readonly registrations: (AgentMessageOf<"register"> | AgentMessageOf<"reregister">)[] = [];
  /** The ids new agents said they listen under (`listeningAs`). */
  readonly listening: AgentId[] = [];
  readonly statusMessages: AgentMessageOf<"statusUpdate">[] = [];
  readonly updates: StatusUpdate[] = [];
  epoch = 1;
  agentId = "agent-1" as AgentId;
  pingIntervalSeconds = 15;
  /** Acknowledge every update as it arrives. */
  autoAck = true;
  /** Called right after a reregistration is answered, as the real master sends its follow-ups (kills) then. */
  afterReregistered: (() => void) | undefined;
  private sub: BusSubscription | undefined;

  constructor(private readonly bus: Bus) {}

  start(): this {
    this.sub = this.bus.subscribe(this.subjects.masterAgent, (msg) => {
      const decoded = decode(AgentMessage, msg.data);
      if (!decoded.ok) throw decoded.error;
      const m = decoded.value;
      if (m.type === "register" || m.type === "reregister") {
        // A new agent's word that it listens under its id is answered, not counted as a registration.
        if (m.type === "register" && m.listeningAs !== undefined) this.listening.push(m.listeningAs);
        else this.registrations.push(m);
        const reply: AgentRegistered = {
          type: "registered",
          epoch: this.epoch,
          agentId: this.agentId,
          masterInfo: { id: "master-1", hostname: "localhost", port: 5050, version: "0.1.0" },
          pingIntervalSeconds: this.pingIntervalSeconds,
        };
        msg.respond(encode(reply));
        if (m.type === "reregister") this.afterReregistered?.();
        // As the real master: the updates a reregistration carries are relayed and acknowledged.
        if (m.type === "reregister" && m.updates.length > 0) {
          this.updates.push(...m.updates);
          if (this.autoAck) this.ack(m.updates);
        }
      } else if (m.type === "statusUpdate") {
        this.statusMessages.push(m);
        this.updates.push(...m.updates);
        if (this.autoAck) this.ack(m.updates);
      }
    });
    return this;
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  send(command: DistributiveOmit<AgentCommand, "epoch"> & { epoch?: number }): void {
    this.bus.publish(this.subjects.agentCommands(this.agentId), encode({ epoch: this.epoch, ...command }));
  }

  sendRaw(payload: unknown): void {
    this.bus.publish(this.subjects.agentCommands(this.agentId), encode(payload));
  }

  runTasks(tasks: TaskInfo[], frameworkInfo: FrameworkInfo = FRAMEWORK_INFO): void {
    this.send({ type: "runTask", frameworkId: frameworkInfo.id!, frameworkInfo, tasks });
  }

  kill(taskId: string, gracePeriodSeconds?: number): void {
    this.send({
      type: "killTask",
      frameworkId: FRAMEWORK_ID,
      taskId: taskId as TaskId,
      ...(gracePeriodSeconds === undefined ? {} : { killPolicy: { gracePeriodSeconds } }),
    });
  }

  ack(updates: StatusUpdate[]): void {
    if (updates.length === 0) return;
    this.send({
      type: "statusAcknowledgement",
      acks: updates.map((u) => ({
        frameworkId: u.frameworkId,
        taskId: u.status.taskId,
        uuid: u.status.uuid,
      })),
    });
  }

  async ping(): Promise<Pong> {
    const bytes = await this.bus.request(
      this.subjects.agentCommands(this.agentId),
      encode({ type: "ping", epoch: this.epoch }),
    );
    const pong = decode(Pong, bytes);
    if (!pong.ok) throw pong.error;
    return pong.value;
  }

  statesOf(taskId: string): TaskState[] {
    return this.updates.filter((u) => u.status.taskId === taskId).map((u) => u.status.state);
  }

  /** The first update of `taskId` in `state`. */
  updateOf(taskId: string, state: TaskState): StatusUpdate | undefined {
    return this.updates.find((u) => u.status.taskId === taskId && u.status.state === state);
  }

  /** Waits for the first update of `taskId` in `state` (15 s by default: real processes run under load). */
  waitForState(taskId: string, state: TaskState, timeoutMs = 15_000): Promise<StatusUpdate> {
    return waitFor(() => this.updateOf(taskId, state), `${taskId} to reach ${state}`, timeoutMs);
  }
}

let taskSeq = 0;

/**
 * A command that needs 100 MB, and resources that refuse it: mem 32 and a whole cpu. Under a 0.1-cpu
 * quota the kernel's reclaim and its kill of the victim run throttled, which stretched the OOM from
 * about a second to over 30 s on a loaded machine.
 */
export const OUT_OF_MEMORY = {
  command: "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived",
  resources: [
    { name: "cpus", scalar: 1 },
    { name: "mem", scalar: 32 },
  ],
} satisfies Pick<TaskInfo, "resources"> & { command: string };

/** A shell task for agent `agentId` with the given command and 2 ports. */
export function shellTask(
  command: string,
  overrides: Partial<TaskInfo> & { agentId?: AgentId } = {},
): TaskInfo {
  taskSeq++;
  return {
    taskId: `task-${taskSeq}` as TaskId,
    name: `task ${taskSeq}`,
    agentId: "agent-1" as AgentId,
    resources: [
      { name: "cpus", scalar: 0.1 },
      { name: "mem", scalar: 32 },
      { name: "ports", ranges: [{ begin: 31005, end: 31006 }] },
    ],
    command: { value: command, shell: true },
    ...overrides,
  };
}
