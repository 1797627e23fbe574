import type {
  AgentId,
  AgentInfo,
  FrameworkId,
  FrameworkInfo,
  KillPolicy,
  Offer,
  OfferId,
  TaskId,
  TaskInfo,
  TaskState,
  TaskStatus,
} from "@agora/protocol";
import type { TimerHandle } from "@agora/transport";
import type { ResourceLedger } from "./resource-ledger.js";
import type { Ring } from "./ring.js";

/** A task as the master books it: what was launched, where, and what happened to it since. */
export interface TaskEntry {
  readonly task: TaskInfo;
  readonly frameworkId: FrameworkId;
  readonly agentId: AgentId;
  readonly role: string;
  state: TaskState;
  /** Every status the master accepted, oldest first (bounded). */
  readonly statuses: TaskStatus[];
  /** True while the task's resources are counted as used on its agent and framework. */
  holdsResources: boolean;
  /**
   * Set once its framework asked to kill it (with the kill policy it asked for): the kill is sent
   * again when the agent reregisters still reporting the task live (Mesos' `killedTasks`).
   */
  killRequested?: { readonly killPolicy?: KillPolicy };
}

export interface AgentEntry {
  readonly id: AgentId;
  info: AgentInfo;
  readonly resources: ResourceLedger;
  /** Clock times in ms. */
  registeredAt: number;
  reregisteredAt: number | undefined;
  lastSeenAt: number;
  active: boolean;
  /** Consecutive pings without a pong. */
  missedPings: number;
  pingInFlight: boolean;
  readonly offers: Set<OfferId>;
  /** Tasks on this agent, keyed by `taskKey`. */
  readonly tasks: Map<string, TaskEntry>;
  /** The agent process's `instanceId` from its `register`: a retry of it gets this entry's id. */
  instanceId?: string | undefined;
  /** Tasks STAGING too long that the master asked the agent about (a reregistration settles them). */
  launchCheck?: { readonly requestedAt: number; readonly tasks: ReadonlySet<string> } | undefined;
  /**
   * When the last launch check this agent answered was sent: a task STAGING since before then was
   * settled by that answer (the agent reported it, or it was dropped), and is not asked about again.
   */
  launchesConfirmedBefore?: number | undefined;
}

/** An agent removed after too many missed pings; kept so reconciliation can answer UNREACHABLE. */
export interface UnreachableAgent {
  readonly info: AgentInfo;
  readonly unreachableAt: number;
}

/** An agent a new leader knows from the registry, awaited until it reregisters or its time runs out. */
export interface RecoveringAgent {
  readonly info: AgentInfo;
  /** When this master took over and started waiting (ms, clock time). */
  readonly since: number;
}

export interface FrameworkEntry {
  readonly id: FrameworkId;
  info: FrameworkInfo;
  /** Its first role: the one views report (offers carry the role they were made for). */
  role: string;
  registeredAt: number;
  reregisteredAt: number | undefined;
  unregisteredAt: number | undefined;
  lastSeenAt: number;
  connected: boolean;
  active: boolean;
  /**
   * While disconnected: when its failover timeout runs out and it is torn down (ms, clock time);
   * undefined while connected.
   */
  failoverDeadline: number | undefined;
  /** Roles it suppressed offers for (until revive). */
  readonly suppressedRoles: Set<string>;
  /** Tasks not yet terminal (including unreachable ones). */
  readonly tasks: Map<TaskId, TaskEntry>;
  readonly completedTasks: Ring<TaskEntry>;
  readonly offers: Set<OfferId>;
  /** Offered and used resources across agents: its DRF allocation. */
  readonly resources: ResourceLedger;
}

export interface OfferEntry {
  readonly offer: Offer;
  readonly createdAt: number;
  timer: TimerHandle | undefined;
}

export function taskKey(frameworkId: FrameworkId, taskId: TaskId): string {
  return `${frameworkId}/${taskId}`;
}
