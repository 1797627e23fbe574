import { AGORA_VERSION, add, mesosAttributes, mesosResources } from "@agora/protocol";
import { seconds } from "../context.js";
import { clusterTotal, dominantShare } from "../roles/role-summary.js";
import type {
  AgentEntryView,
  FrameworkEntryView,
  MasterView,
  OfferEntryView,
  TaskEntryView,
} from "../view.js";
import { mesosLabels, mesosReservedByRole, mesosUnreserved } from "./mesos-resources.js";

/**
 * `/master/state` in Mesos' JSON shape (snake_case, `slaves`, resources as objects), so tools
 * written for Mesos can read an Agora master.
 */
export function mesosState(view: MasterView) {
  const agents = [...view.agents.values()];
  const total = clusterTotal(agents);
  return {
    version: AGORA_VERSION,
    id: view.id,
    pid: masterPid(view),
    hostname: view.hostname,
    start_time: seconds(view.startedAt),
    ...(view.electedAt === undefined ? {} : { elected_time: seconds(view.electedAt) }),
    leader: masterPid(view),
    leader_info: leaderInfo(view),
    cluster: view.cluster,
    activated_slaves: agents.filter((a) => a.active).length,
    deactivated_slaves: agents.filter((a) => !a.active).length,
    unreachable_slaves: view.unreachableAgents.size,
    flags: mesosFlags(view),
    slaves: agents.map(mesosAgent),
    frameworks: [...view.frameworks.values()].map((f) => mesosFramework(view, f, total)),
    completed_frameworks: view.completedFrameworks.map((f) => mesosFramework(view, f, total)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

export function masterPid(view: MasterView): string {
  return `master@${view.hostname}:${view.masterInfo.port}`;
}

export function leaderInfo(view: MasterView) {
  const { id, hostname, port, version } = view.masterInfo;
  return { id, pid: masterPid(view), hostname, port, version, address: { hostname, port } };
}

function mesosFlags(view: MasterView): Record<string, string> {
  const o = view.options;
  return {
    cluster: view.cluster,
    hostname: view.hostname,
    port: String(view.masterInfo.port),
    allocation_interval: `${o.allocationIntervalMs}ms`,
    agent_ping_timeout: `${o.agentPingTimeoutMs}ms`,
    max_agent_ping_timeouts: String(o.maxAgentPingTimeouts),
    ...(o.offerTimeoutMs === undefined ? {} : { offer_timeout: `${o.offerTimeoutMs}ms` }),
  };
}

export function agentPid(agent: AgentEntryView): string {
  return `slave(1)@${agent.info.hostname}:${agent.info.port}`;
}

export function mesosAgent(agent: AgentEntryView) {
  const { info, resources } = agent;
  return {
    id: agent.id,
    pid: agentPid(agent),
    hostname: info.hostname,
    port: info.port,
    attributes: mesosAttributes(info.attributes),
    registered_time: seconds(agent.registeredAt),
    ...(agent.reregisteredAt === undefined ? {} : { reregistered_time: seconds(agent.reregisteredAt) }),
    resources: mesosResources(resources.total),
    used_resources: mesosResources(resources.used),
    offered_resources: mesosResources(resources.offered),
    reserved_resources: mesosReservedByRole(resources.total),
    unreserved_resources: mesosUnreserved(resources.total),
    active: agent.active,
    version: info.version,
    capabilities: info.capabilities,
  };
}

export function mesosFramework(
  view: MasterView,
  f: FrameworkEntryView,
  total: ReadonlyMap<string, number> = clusterTotal(view.agents.values()),
) {
  const { info } = f;
  const tasks = [...f.tasks.values()];
  return {
    id: f.id,
    name: info.name,
    hostname: info.hostname ?? "",
    webui_url: info.webuiUrl ?? "",
    active: f.active,
    connected: f.connected,
    recovered: false,
    user: info.user,
    failover_timeout: info.failoverTimeout,
    checkpoint: info.checkpoint,
    registered_time: seconds(f.registeredAt),
    ...(f.reregisteredAt === undefined ? {} : { reregistered_time: seconds(f.reregisteredAt) }),
    unregistered_time: f.unregisteredAt === undefined ? 0 : seconds(f.unregisteredAt),
    ...(info.principal === undefined ? {} : { principal: info.principal }),
    role: f.role,
    roles: info.roles,
    dominant_share: dominantShare(add(f.resources.used, f.resources.offered), total),
    capabilities: info.capabilities ?? [],
    labels: mesosLabels(info.labels),
    used_resources: mesosResources(f.resources.used),
    offered_resources: mesosResources(f.resources.offered),
    resources: mesosResources(add(f.resources.used, f.resources.offered)),
    tasks: tasks.filter((t) => t.state !== "TASK_UNREACHABLE").map(mesosTask),
    unreachable_tasks: tasks.filter((t) => t.state === "TASK_UNREACHABLE").map(mesosTask),
    completed_tasks: f.completedTasks.values().map(mesosTask),
    offers: [...f.offers].flatMap((id) => {
      const offer = view.offers.get(id);
      return offer ? [mesosOffer(offer)] : [];
    }),
    executors: [],
    completed_executors: [],
  };
}

export function mesosTask(t: TaskEntryView) {
  return {
    id: t.task.taskId,
    name: t.task.name,
    framework_id: t.frameworkId,
    executor_id: "",
    slave_id: t.agentId,
    state: t.state,
    resources: mesosResources(t.task.resources),
    role: t.role,
    statuses: t.statuses.map((s) => ({
      state: s.state,
      timestamp: s.timestamp,
      ...(s.healthy === undefined ? {} : { healthy: s.healthy }),
      ...(s.reason === undefined ? {} : { reason: s.reason }),
      ...(s.message === undefined ? {} : { message: s.message }),
      ...(s.containerStatus === undefined ? {} : { container_status: { ...s.containerStatus } }),
    })),
    labels: mesosLabels(t.task.labels),
    ...(t.task.container ? { container: { type: t.task.container.type } } : {}),
  };
}

function mesosOffer({ offer }: OfferEntryView) {
  return {
    id: offer.id,
    framework_id: offer.frameworkId,
    slave_id: offer.agentId,
    resources: mesosResources(offer.resources),
    allocation_info: { role: offer.role },
  };
}
