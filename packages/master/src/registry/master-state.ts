import {
  type AgentId,
  type AgentInfo,
  type FrameworkId,
  type FrameworkInfo,
  isActiveState,
  isTerminalState,
  type Offer,
  type OfferId,
  type Resources,
  type TaskInfo,
  type TaskState,
  type TaskStatus,
} from "@agora/protocol";
import { DeclineFilterIndex } from "../allocator/filter-index.js";
import { EMPTY_MAINTENANCE, type MaintenanceState } from "../maintenance/schedule.js";
import type { QuotaInfo } from "../roles/quota.js";
import { withReservations } from "../roles/reservation-math.js";
import { ChangeFeed, WatchedMap } from "./changes.js";
import type {
  AgentEntry,
  FrameworkEntry,
  OfferEntry,
  RecoveringAgent,
  TaskEntry,
  UnreachableAgent,
} from "./entries.js";
import { taskKey } from "./entries.js";
import { RelayMemory } from "./relay-memory.js";
import { ResourceLedger } from "./resource-ledger.js";
import { Ring } from "./ring.js";

/** Statuses kept per task; older ones are dropped (a flapping health check must not grow it forever). */
const MAX_STATUSES_PER_TASK = 50;

export interface MasterStateLimits {
  readonly maxCompletedTasksPerFramework: number;
  readonly maxCompletedFrameworks: number;
}

/**
 * The master's in-memory registry and its bookkeeping: which resources are offered or used where,
 * and where each task lives. No I/O: the master's handlers decide, this keeps the books straight,
 * so offered + used + available = total on every agent at all times.
 */
export class MasterState {
  /** Every change to agents, offers, tasks, roles' settings and maintenance, for the UI's event log. */
  readonly changes = new ChangeFeed();
  readonly agents = new Map<AgentId, AgentEntry>();
  /** Registered agents by the `instanceId` of the agent process that registered them. */
  readonly agentInstances = new Map<string, AgentId>();
  readonly unreachableAgents: Map<AgentId, UnreachableAgent> = new WatchedMap((id) => this.changes.agent(id));
  /** Agents from the registry a new leader waits for (`agentReregisterTimeoutMs`); not offered. */
  readonly recoveringAgents = new Map<AgentId, RecoveringAgent>();
  /** Agents the operator marked gone (persisted under `gone.<agentId>`): refused, never offered. */
  readonly goneAgents = new Map<AgentId, { readonly goneAt: number }>();
  readonly frameworks = new Map<FrameworkId, FrameworkEntry>();
  readonly completedFrameworks: Ring<FrameworkEntry>;
  readonly offers = new Map<OfferId, OfferEntry>();
  /** Decline filters of every framework on every agent. */
  readonly filters = new DeclineFilterIndex();
  /** Agent updates relayed lately, so that their copies are not relayed again (see `RelayMemory`). */
  readonly relays = new RelayMemory();
  /** Role weights set by the operator (default 1), persisted under `weights.<role>`. */
  readonly weights: Map<string, number> = new WatchedMap(() => this.changes.roles());
  /** Role quotas set by the operator, persisted under `quotas.<role>`. */
  readonly quotas: Map<string, QuotaInfo> = new WatchedMap(() => this.changes.roles());
  /** Agents' dynamic reservations (by agent id), persisted under `reservations.<agentId>`. */
  readonly reservations = new Map<AgentId, Resources>();
  private maintenanceState: MaintenanceState = EMPTY_MAINTENANCE;
  /** Tasks that reached each terminal state since start (Mesos' `master/tasks_<state>` counters). */
  readonly terminalCounts = new Map<TaskState, number>();
  /** Allocation cycles run so far: with the epoch, the seed of the next cycle's agent order. */
  allocationCycles = 0;
  /**
   * Every registered agent's total scalars, summed by name and kept up to date as agents come, go
   * and change: an allocation cycle over one agent must not sum 10,000 (it took 15 % of a master's
   * CPU while 5,000 agents registered).
   */
  private readonly scalarTotals = new Map<string, number>();
  /** The part of `scalarTotals` reserved, by role then name: quota counts reservations as consumed. */
  private readonly reservedTotals = new Map<string, Map<string, number>>();

  constructor(private readonly limits: MasterStateLimits) {
    this.completedFrameworks = new Ring(limits.maxCompletedFrameworks);
  }

  /** The operator's maintenance schedule and DOWN machines, persisted under `maintenance.state`. */
  get maintenance(): MaintenanceState {
    return this.maintenanceState;
  }

  set maintenance(state: MaintenanceState) {
    this.maintenanceState = state;
    this.changes.maintenance();
  }

  addAgent(info: AgentInfo & { id: AgentId }, now: number): AgentEntry {
    const replaced = this.agents.get(info.id);
    if (replaced) this.countTotal(replaced.resources.total, -1);
    const entry: AgentEntry = {
      id: info.id,
      info,
      resources: new ResourceLedger(withReservations(info.resources, this.reservations.get(info.id) ?? [])),
      registeredAt: now,
      reregisteredAt: undefined,
      lastSeenAt: now,
      active: true,
      missedPings: 0,
      pingInFlight: false,
      offers: new Set(),
      tasks: new Map(),
    };
    this.agents.set(info.id, entry);
    this.changes.agent(info.id);
    this.countTotal(entry.resources.total, 1);
    this.unreachableAgents.delete(info.id);
    this.recoveringAgents.delete(info.id);
    return entry;
  }

  /** Drops an agent whose offers are already gone; its tasks stay with their frameworks. */
  removeAgent(agent: AgentEntry): void {
    for (const task of agent.tasks.values()) this.releaseTask(task);
    agent.tasks.clear();
    this.filters.removeAgent(agent.id);
    if (this.agents.get(agent.id) === agent) this.countTotal(agent.resources.total, -1);
    this.agents.delete(agent.id);
    this.changes.agent(agent.id);
    if (agent.instanceId !== undefined) this.agentInstances.delete(agent.instanceId);
  }

  /** Changes an agent's total (it reregistered with other resources, or its reservations changed). */
  setAgentTotal(agent: AgentEntry, total: Resources): void {
    const registered = this.agents.get(agent.id) === agent;
    if (registered) this.countTotal(agent.resources.total, -1);
    agent.resources.setTotal(total);
    this.changes.agent(agent.id);
    if (registered) this.countTotal(agent.resources.total, 1);
  }

  /** The registered agents' total scalars by name (what shares are fractions of). */
  clusterTotal(): ReadonlyMap<string, number> {
    return this.scalarTotals;
  }

  /** The registered agents' reserved scalars, by role and name (a part of `clusterTotal`). */
  clusterReserved(): ReadonlyMap<string, ReadonlyMap<string, number>> {
    return this.reservedTotals;
  }

  private countTotal(resources: Resources, sign: 1 | -1): void {
    for (const r of resources) {
      if (!("scalar" in r)) continue;
      addRounded(this.scalarTotals, r.name, sign * r.scalar);
      if (!r.reservation) continue;
      let role = this.reservedTotals.get(r.reservation.role);
      if (!role) {
        role = new Map();
        this.reservedTotals.set(r.reservation.role, role);
      }
      addRounded(role, r.name, sign * r.scalar);
      if (role.size === 0) this.reservedTotals.delete(r.reservation.role);
    }
  }

  addFramework(info: FrameworkInfo & { id: FrameworkId }, now: number, connected: boolean): FrameworkEntry {
    const entry: FrameworkEntry = {
      id: info.id,
      info,
      role: info.roles[0] ?? "*",
      registeredAt: now,
      reregisteredAt: undefined,
      unregisteredAt: undefined,
      lastSeenAt: now,
      connected,
      active: connected,
      failoverDeadline: undefined,
      suppressedRoles: new Set(),
      tasks: new Map(),
      completedTasks: new Ring(this.limits.maxCompletedTasksPerFramework),
      offers: new Set(),
      resources: new ResourceLedger(),
    };
    this.frameworks.set(info.id, entry);
    return entry;
  }

  /** Moves a framework whose tasks and offers are already gone to the completed ring. */
  completeFramework(framework: FrameworkEntry, now: number): void {
    framework.connected = false;
    framework.active = false;
    framework.unregisteredAt = now;
    this.filters.removeFramework(framework.id);
    this.relays.forgetFramework(framework.id);
    this.frameworks.delete(framework.id);
    const forgotten = this.completedFrameworks.push(framework);
    if (forgotten) for (const t of forgotten.completedTasks.values()) this.changes.task(t, true);
  }

  isCompletedFramework(id: FrameworkId): boolean {
    return this.completedFrameworks.find((f) => f.id === id) !== undefined;
  }

  addOffer(offer: Offer, now: number): OfferEntry {
    const agent = this.agents.get(offer.agentId);
    const framework = this.frameworks.get(offer.frameworkId);
    if (!agent || !framework) throw new Error(`offer ${offer.id} names an unknown agent or framework`);
    agent.resources.offer(offer.resources);
    agent.offers.add(offer.id);
    framework.resources.offer(offer.resources);
    framework.offers.add(offer.id);
    const entry: OfferEntry = { offer, createdAt: now, timer: undefined };
    this.offers.set(offer.id, entry);
    this.changes.offer(offer.id);
    return entry;
  }

  /** Removes an offer and puts its resources back in its agent's pool. */
  removeOffer(id: OfferId): OfferEntry | undefined {
    const entry = this.offers.get(id);
    if (!entry) return undefined;
    this.offers.delete(id);
    this.changes.offer(id);
    const { agentId, frameworkId, resources } = entry.offer;
    const agent = this.agents.get(agentId);
    if (agent) {
      agent.resources.unoffer(resources);
      agent.offers.delete(id);
    }
    const framework = this.frameworks.get(frameworkId);
    if (framework) {
      framework.resources.unoffer(resources);
      framework.offers.delete(id);
    }
    return entry;
  }

  /**
   * Books a task on its framework and agent. Active tasks on a registered agent hold their
   * resources; a terminal one goes straight to the completed ring.
   */
  addTask(framework: FrameworkEntry, task: TaskInfo, status: TaskStatus, role = framework.role): TaskEntry {
    const entry: TaskEntry = {
      task,
      frameworkId: framework.id,
      agentId: task.agentId,
      role,
      state: status.state,
      statuses: [status],
      holdsResources: false,
    };
    this.changes.task(entry);
    if (isTerminalState(status.state)) {
      this.recordTerminal(framework, entry);
      return entry;
    }
    framework.tasks.set(task.taskId, entry);
    const agent = this.agents.get(task.agentId);
    if (agent) {
      agent.tasks.set(taskKey(framework.id, task.taskId), entry);
      if (isActiveState(status.state)) this.holdTask(entry);
    }
    return entry;
  }

  /** Links a known task to its (re)registered agent, holding its resources again if it is active. */
  attachTask(task: TaskEntry): void {
    const agent = this.agents.get(task.agentId);
    if (!agent) return;
    agent.tasks.set(taskKey(task.frameworkId, task.task.taskId), task);
    if (isActiveState(task.state)) this.holdTask(task);
  }

  /**
   * Records a status the task state machine allows. A terminal one releases the task's
   * resources and moves it to its framework's completed tasks.
   */
  applyStatus(task: TaskEntry, status: TaskStatus): void {
    task.state = status.state;
    task.statuses.push(status);
    this.changes.task(task);
    if (task.statuses.length > MAX_STATUSES_PER_TASK) task.statuses.shift();
    if (isTerminalState(status.state)) {
      this.releaseTask(task);
      const framework = this.frameworks.get(task.frameworkId);
      framework?.tasks.delete(task.task.taskId);
      this.agents.get(task.agentId)?.tasks.delete(taskKey(task.frameworkId, task.task.taskId));
      if (framework) this.recordTerminal(framework, task);
    } else if (isActiveState(status.state)) {
      this.holdTask(task);
    } else {
      this.releaseTask(task);
    }
  }

  private recordTerminal(framework: FrameworkEntry, task: TaskEntry): void {
    const forgotten = framework.completedTasks.push(task);
    if (forgotten) this.changes.task(forgotten, true);
    this.terminalCounts.set(task.state, (this.terminalCounts.get(task.state) ?? 0) + 1);
  }

  private holdTask(task: TaskEntry): void {
    if (task.holdsResources) return;
    const agent = this.agents.get(task.agentId);
    if (!agent) return;
    agent.resources.use(task.task.resources);
    this.frameworks.get(task.frameworkId)?.resources.use(task.task.resources);
    task.holdsResources = true;
  }

  private releaseTask(task: TaskEntry): void {
    if (!task.holdsResources) return;
    this.agents.get(task.agentId)?.resources.release(task.task.resources);
    this.frameworks.get(task.frameworkId)?.resources.release(task.task.resources);
    task.holdsResources = false;
  }
}

/** Sums of scalars rounded to 3 decimals, as Mesos keeps them: no drift after many adds and removes. */
function addRounded(sums: Map<string, number>, name: string, amount: number): void {
  const rounded = Math.round(((sums.get(name) ?? 0) + amount) * 1000) / 1000;
  if (rounded === 0) sums.delete(name);
  else sums.set(name, rounded);
}
