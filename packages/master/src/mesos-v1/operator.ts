import { AGORA_VERSION, type Resource } from "@agora/protocol";
import { toMesosExecutorInfo, toMesosFrameworkInfo } from "@agora/protocol/mesos-v1";
import type {
  AgentEntryView,
  FrameworkEntryView,
  MasterView,
  OfferEntryView,
  TaskEntryView,
} from "../view.js";
import { toMesosAttribute, toMesosLabels, toMesosResources } from "./resources.js";
import { toMesosMasterInfo, toMesosOffer, toMesosTaskStatus } from "./scheduler-events.js";

/** What the operator's read calls answer from, besides the registry view: facts the master computes. */
export interface OperatorFacts {
  readonly view: MasterView;
  readonly weights: readonly { role: string; weight: number }[];
  readonly quotas: readonly { role: string; guarantee: readonly Resource[]; limit: readonly Resource[] }[];
  readonly maintenanceStatus: unknown;
  readonly maintenanceSchedule: unknown;
  /** `/metrics/snapshot`'s keys and values. */
  readonly metrics: Readonly<Record<string, number>>;
  /** The master's flags as `/master/state` shows them. */
  readonly flags: Readonly<Record<string, string>>;
}

/** The read calls of Mesos' operator API this master answers. */
export const OPERATOR_READ_CALLS = [
  "GET_HEALTH",
  "GET_VERSION",
  "GET_FLAGS",
  "GET_METRICS",
  "GET_STATE",
  "GET_AGENTS",
  "GET_FRAMEWORKS",
  "GET_EXECUTORS",
  "GET_TASKS",
  "GET_ROLES",
  "GET_WEIGHTS",
  "GET_QUOTA",
  "GET_MASTER",
  "GET_MAINTENANCE_STATUS",
  "GET_MAINTENANCE_SCHEDULE",
] as const;
export type OperatorReadCall = (typeof OPERATOR_READ_CALLS)[number];

const time = (ms: number) => ({ nanoseconds: Math.round(ms * 1e6) });

/** Capabilities Agora's agents have in Mesos' terms (roles are hierarchical, reservations refined one level). */
const AGENT_CAPABILITIES = ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"].map((type) => ({
  type,
}));

/** Mesos' `master::Response` for a read call: `{type, get_x: {…}}`. */
export function operatorResponse(type: OperatorReadCall, facts: OperatorFacts): Record<string, unknown> {
  const key = type.toLowerCase();
  return { type, [key]: responseBody(type, facts) };
}

function responseBody(type: OperatorReadCall, facts: OperatorFacts): unknown {
  const { view } = facts;
  switch (type) {
    case "GET_HEALTH":
      return { healthy: true };
    case "GET_VERSION":
      return { version_info: { version: AGORA_VERSION } };
    case "GET_FLAGS":
      return { flags: Object.entries(facts.flags).map(([name, value]) => ({ name, value })) };
    case "GET_METRICS":
      return { metrics: Object.entries(facts.metrics).map(([name, value]) => ({ name, value })) };
    case "GET_STATE":
      return {
        get_tasks: getTasks(view),
        get_executors: getExecutors(view),
        get_frameworks: getFrameworks(view),
        get_agents: getAgents(view),
      };
    case "GET_AGENTS":
      return getAgents(view);
    case "GET_FRAMEWORKS":
      return getFrameworks(view);
    case "GET_EXECUTORS":
      return getExecutors(view);
    case "GET_TASKS":
      return getTasks(view);
    case "GET_ROLES":
      return {
        roles: view.roles().map((r) => ({
          name: r.name,
          weight: r.weight,
          frameworks: r.frameworks.map((value) => ({ value })),
          resources: toMesosResources(r.allocated),
          allocated: toMesosResources(r.allocated),
          reserved: toMesosResources(r.reserved),
        })),
      };
    case "GET_WEIGHTS":
      return { weight_infos: facts.weights.map(({ role, weight }) => ({ role, weight })) };
    case "GET_QUOTA":
      return {
        status: {
          infos: facts.quotas.map((q) => ({ role: q.role, guarantee: toMesosResources(q.guarantee) })),
          configs: facts.quotas.map((q) => ({
            role: q.role,
            guarantees: scalarMap(q.guarantee),
            limits: scalarMap(q.limit),
          })),
        },
      };
    case "GET_MASTER":
      return {
        master_info: toMesosMasterInfo(view.masterInfo),
        start_time: view.startedAt / 1000,
        ...(view.electedAt === undefined ? {} : { elected_time: view.electedAt / 1000 }),
      };
    case "GET_MAINTENANCE_STATUS":
      return { status: facts.maintenanceStatus };
    case "GET_MAINTENANCE_SCHEDULE":
      return { schedule: facts.maintenanceSchedule };
  }
}

function scalarMap(resources: readonly Resource[]): Record<string, { value: number }> {
  const out: Record<string, { value: number }> = {};
  for (const r of resources) if ("scalar" in r) out[r.name] = { value: r.scalar };
  return out;
}

export function getAgents(view: MasterView) {
  return {
    agents: [...view.agents.values()].map(mesosAgent),
    recovered_agents: [],
  };
}

export function mesosAgent(a: AgentEntryView) {
  const { info } = a;
  return {
    agent_info: {
      id: { value: a.id },
      hostname: info.hostname,
      port: info.port,
      resources: toMesosResources(a.resources.total),
      attributes: info.attributes.map(toMesosAttribute),
    },
    active: a.active,
    deactivated: !a.active,
    version: info.version,
    pid: `slave(1)@${info.hostname}:${info.port}`,
    registered_time: time(a.registeredAt),
    ...(a.reregisteredAt === undefined ? {} : { reregistered_time: time(a.reregisteredAt) }),
    total_resources: toMesosResources(a.resources.total),
    allocated_resources: toMesosResources(a.resources.used),
    offered_resources: toMesosResources(a.resources.offered),
    capabilities: AGENT_CAPABILITIES,
  };
}

export function getFrameworks(view: MasterView) {
  return {
    frameworks: [...view.frameworks.values()].map((f) => mesosFramework(view, f)),
    completed_frameworks: view.completedFrameworks.map((f) => mesosFramework(view, f)),
  };
}

export function mesosFramework(view: MasterView, f: FrameworkEntryView) {
  const { info } = f;
  return {
    framework_info: toMesosFrameworkInfo(info, f.id),
    active: f.active,
    connected: f.connected,
    recovered: false,
    registered_time: time(f.registeredAt),
    ...(f.reregisteredAt === undefined ? {} : { reregistered_time: time(f.reregisteredAt) }),
    ...(f.unregisteredAt === undefined ? {} : { unregistered_time: time(f.unregisteredAt) }),
    offers: [...f.offers].flatMap((id) => {
      const offer: OfferEntryView | undefined = view.offers.get(id);
      return offer ? [toMesosOffer(offer.offer, { reservations: "refined" })] : [];
    }),
    inverse_offers: [],
    allocated_resources: toMesosResources(f.resources.used),
    offered_resources: toMesosResources(f.resources.offered),
  };
}

/**
 * Frameworks' own executors, from the live tasks the agents hold (one entry per agent and executor),
 * those `view_executors` hides left out. The agents' books, as in `/master/state`, so that a framework
 * shown without its tasks (`view_tasks`) still shows the executors `view_executors` allows. Agora's
 * built-in executors (shell, Docker) have no ExecutorInfo and are not listed.
 */
export function getExecutors(view: MasterView) {
  const seen = new Set<string>();
  const executors: unknown[] = [];
  for (const agent of view.agents.values()) {
    for (const t of agent.tasks.values()) {
      const executor = t.task.executor;
      const f = view.frameworks.get(t.frameworkId);
      if (!executor || !f || view.executorsVisible?.(f, executor) === false) continue;
      const key = `${agent.id}/${f.id}/${executor.executorId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      executors.push({ agent_id: { value: agent.id }, executor_info: toMesosExecutorInfo(executor, f.id) });
    }
  }
  return { executors };
}

export function getTasks(view: MasterView) {
  const all = [...view.frameworks.values(), ...view.completedFrameworks];
  const live = all.flatMap((f) => [...f.tasks.values()]);
  return {
    tasks: live.filter((t) => t.state !== "TASK_UNREACHABLE").map(mesosTask),
    unreachable_tasks: live.filter((t) => t.state === "TASK_UNREACHABLE").map(mesosTask),
    completed_tasks: all.flatMap((f) => f.completedTasks.values().map(mesosTask)),
  };
}

/** Mesos' v1 `Task`. */
export function mesosTask(t: TaskEntryView) {
  const { task } = t;
  const last = t.statuses[t.statuses.length - 1];
  return {
    name: task.name,
    task_id: { value: task.taskId },
    framework_id: { value: t.frameworkId },
    agent_id: { value: t.agentId },
    ...(task.executor ? { executor_id: { value: task.executor.executorId } } : {}),
    state: t.state,
    resources: toMesosResources(task.resources),
    statuses: t.statuses.map(toMesosTaskStatus),
    ...(last ? { status_update_state: last.state } : {}),
    ...(task.labels === undefined ? {} : { labels: toMesosLabels(task.labels) }),
    ...(task.container
      ? {
          container: {
            type: task.container.type,
            ...(task.container.docker
              ? { docker: { image: task.container.docker.image, network: task.container.docker.network } }
              : {}),
          },
        }
      : {}),
    ...(task.killPolicy
      ? {
          kill_policy: {
            grace_period: { nanoseconds: Math.round(task.killPolicy.gracePeriodSeconds * 1e9) },
          },
        }
      : {}),
    ...(task.command?.user === undefined ? {} : { user: task.command.user }),
  };
}
