import {
  AGORA_VERSION,
  add,
  type ExecutorInfo,
  type FrameworkId,
  mesosAttributes,
  mesosResources,
  type TaskStatus,
} from "@agora/protocol";
import { toMesosCommandInfo } from "@agora/protocol/mesos-v1";
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
import { type TaskJson, taskJson, withNewStatus } from "./mesos-task-json.js";

/**
 * `/master/state` in Mesos' JSON shape (snake_case, `slaves`, resources as objects), so tools written
 * for Mesos can read an Agora master, rendered as JSON text.
 *
 * At 100,000 tasks the state is ~50 MB of JSON: building it as one object tree and stringifying it
 * took 1-2 s of the master's only thread and 300+ MB of garbage per request. So each task, agent and
 * offer is rendered once into a JSON fragment, kept until it changes (a task's statuses, an agent's
 * resources), and a request joins the fragments. The fragments do not depend on who asks: a view
 * filtered by ACLs (`view_frameworks`, `view_tasks`, `view_executors`) reuses them too.
 */
export class MesosStateRenderer {
  private readonly tasks = new WeakMap<TaskEntryView, RenderedTask>();
  private readonly agents = new WeakMap<AgentEntryView, RenderedAgent>();
  private readonly offers = new WeakMap<OfferEntryView, JsonPiece>();

  /** The whole state as JSON text, in pieces to be written in order (`jsonBytes`). */
  render(view: MasterView): JsonPiece[] {
    const agents = [...view.agents.values()];
    const total = clusterTotal(agents);
    const out: JsonPiece[] = [];
    const head = JSON.stringify({
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
    });
    out.push(openObject(head), ',"slaves":[');
    each(out, agents, (a) => out.push(this.agent(a)));
    out.push('],"frameworks":[');
    const executors = executorsByFramework(view);
    each(out, view.frameworks.values(), (f) => this.framework(out, view, f, total, executors));
    out.push('],"completed_frameworks":[');
    each(out, view.completedFrameworks, (f) => this.framework(out, view, f, total, executors));
    out.push('],"orphan_tasks":[],"unregistered_frameworks":[]}');
    return out;
  }

  private framework(
    out: JsonPiece[],
    view: MasterView,
    f: FrameworkEntryView,
    total: ReadonlyMap<string, number>,
    executors: ReadonlyMap<FrameworkId, MesosExecutor[]>,
  ): void {
    out.push(openObject(JSON.stringify(mesosFrameworkHead(f, total))), ',"tasks":[');
    const unreachable: TaskEntryView[] = [];
    let first = true;
    for (const t of f.tasks.values()) {
      if (t.state === "TASK_UNREACHABLE") {
        unreachable.push(t);
        continue;
      }
      if (!first) out.push(",");
      first = false;
      out.push(this.task(t));
    }
    out.push('],"unreachable_tasks":[');
    each(out, unreachable, (t) => out.push(this.task(t)));
    out.push('],"completed_tasks":[');
    each(out, f.completedTasks.values(), (t) => out.push(this.task(t)));
    out.push('],"offers":[');
    each(out, f.offers, (id) => {
      const offer = view.offers.get(id);
      return offer ? out.push(this.offer(offer)) : false;
    });
    out.push('],"executors":[');
    each(out, executors.get(f.id) ?? [], (e) => out.push(piece(JSON.stringify(e))));
    out.push('],"completed_executors":[]}');
  }

  private task(t: TaskEntryView): JsonPiece {
    const last = t.statuses[t.statuses.length - 1];
    const cached = this.tasks.get(t);
    // Statuses only ever grow by one at the end (the oldest may drop off), and the state changes with them.
    if (cached && cached.last === last && cached.count === t.statuses.length) return cached.json;
    // A task seen before is written again from its last text (its info never changes): a launch makes
    // two or three statuses per task, and rewriting all of it was most of a re-render.
    const text = cached === undefined ? taskJson(t) : withNewStatus(cached.text, t);
    const json = piece(text.json);
    this.tasks.set(t, { last, count: t.statuses.length, json, text });
    return json;
  }

  private agent(a: AgentEntryView): JsonPiece {
    const { info, resources } = a;
    const key: AgentKey = [
      info,
      resources.total,
      resources.used,
      resources.offered,
      a.active,
      a.registeredAt,
      a.reregisteredAt,
    ];
    const cached = this.agents.get(a);
    if (cached?.key.every((part, i) => part === key[i])) return cached.json;
    const json = piece(JSON.stringify(mesosAgent(a)));
    this.agents.set(a, { key, json });
    return json;
  }

  private offer(o: OfferEntryView): JsonPiece {
    let json = this.offers.get(o);
    if (json === undefined) {
      json = piece(JSON.stringify(mesosOffer(o)));
      this.offers.set(o, json);
    }
    return json;
  }
}

/**
 * JSON text in pieces: strings of ASCII only (copied byte for byte, the cheapest write there is), or
 * text already encoded as UTF-8.
 */
export type JsonPiece = string | Buffer;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range starts at NUL
const NON_ASCII = /[^\x00-\x7f]/;

function piece(json: string): JsonPiece {
  return NON_ASCII.test(json) ? Buffer.from(json) : json;
}

/** An object's JSON without its closing brace, to append fields to (its head has at least one). */
function openObject(json: string): JsonPiece {
  return piece(json.slice(0, -1));
}

/** Calls `render` for each item with a comma between them; a `render` that returns false wrote nothing. */
function each<T>(out: JsonPiece[], items: Iterable<T>, render: (item: T) => unknown): void {
  let first = true;
  for (const item of items) {
    const comma = out.length;
    if (!first) out.push(",");
    if (render(item) === false) out.length = comma;
    else first = false;
  }
}

interface RenderedTask {
  readonly last: TaskStatus | undefined;
  readonly count: number;
  readonly json: JsonPiece;
  /** Its text and where state and statuses lie in it (string offsets, whatever `json` holds). */
  readonly text: TaskJson;
}

/**
 * What an agent's rendering depends on: its info is replaced, never changed, on reregistration, and its
 * ledger's lists are replaced on every change.
 */
type AgentKey = readonly unknown[];

interface RenderedAgent {
  readonly key: AgentKey;
  readonly json: JsonPiece;
}

/**
 * JSON pieces as one buffer, handed to the socket in one write: libuv then sends it without the event
 * loop's help. (Streamed in 1 MB chunks, each chunk waited for a turn of a loop busy with a launch
 * burst: 53 chunks took 5.7 s at p50 while rendering them took ~0.1 s.) Off the V8 heap and freed once
 * sent, so a 50 MB reply does not raise the heap's high-water mark as the object tree did.
 */
export function jsonBytes(pieces: readonly JsonPiece[]): Buffer {
  return writeJson(pieces, Buffer.allocUnsafe(jsonSize(pieces)));
}

/** The bytes `pieces` take. */
export function jsonSize(pieces: readonly JsonPiece[]): number {
  let size = 0;
  for (const p of pieces) size += p.length;
  return size;
}

/** Writes `pieces` into `out`, exactly `jsonSize(pieces)` bytes long, and returns it. */
export function writeJson(pieces: readonly JsonPiece[], out: Buffer): Buffer {
  let used = 0;
  for (const p of pieces) used += typeof p === "string" ? out.write(p, used, "latin1") : p.copy(out, used);
  return out;
}

type MesosExecutor = ReturnType<typeof mesosExecutor>;

/**
 * Each framework's own executors, one per agent and executor id, from the live tasks the agents hold
 * (Agora's shell and Docker executors have no ExecutorInfo and are not listed), those `view_executors`
 * hides left out. The agents' books, not the frameworks', so that a framework shown without its tasks
 * (`view_tasks`) still shows its executors when `view_executors` allows, as Mesos decides the two apart.
 */
function executorsByFramework(view: MasterView): Map<FrameworkId, MesosExecutor[]> {
  const out = new Map<FrameworkId, MesosExecutor[]>();
  const seen = new Set<string>();
  for (const agent of view.agents.values()) {
    for (const t of agent.tasks.values()) {
      const executor = t.task.executor;
      // Most tasks run under Agora's own executors: skip them before any lookup (100,000 per request).
      if (executor === undefined) continue;
      const framework = view.frameworks.get(t.frameworkId);
      if (framework === undefined) continue;
      if (view.executorsVisible?.(framework, executor) === false) continue;
      const key = `${agent.id}/${t.frameworkId}/${executor.executorId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = out.get(t.frameworkId) ?? [];
      list.push(mesosExecutor(executor, t));
      out.set(t.frameworkId, list);
    }
  }
  return out;
}

/** Mesos' executor in `/master/state` (`json(ExecutorInfo)` in its common/http.cpp, then `slave_id`). */
function mesosExecutor(e: ExecutorInfo, t: TaskEntryView) {
  const { environment } = toMesosCommandInfo(e.command);
  const resources = e.resources ?? [];
  return {
    executor_id: e.executorId,
    name: e.name ?? "",
    framework_id: t.frameworkId,
    command: {
      shell: e.command.shell,
      ...(e.command.value === undefined ? {} : { value: e.command.value }),
      argv: e.command.arguments ?? [],
      // Secret values masked, as everywhere a task's command is shown.
      ...(environment === undefined ? {} : { environment }),
      uris: (e.command.uris ?? []).map((u) => ({ value: u.value, executable: u.executable ?? false })),
    },
    resources: mesosResources(resources),
    ...(resources.length > 0 ? { role: t.role } : {}),
    ...(e.labels === undefined ? {} : { labels: mesosLabels(e.labels) }),
    type: "CUSTOM",
    slave_id: t.agentId,
  };
}

export function masterPid(view: MasterView): string {
  return `master@${view.hostname}:${view.masterInfo.port}`;
}

export function leaderInfo(view: MasterView) {
  const { id, hostname, port, version } = view.masterInfo;
  return { id, pid: masterPid(view), hostname, port, version, address: { hostname, port } };
}

export function mesosFlags(view: MasterView): Record<string, string> {
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

/** A framework's fields before its task, offer and executor lists. */
function mesosFrameworkHead(f: FrameworkEntryView, total: ReadonlyMap<string, number>) {
  const { info } = f;
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
  };
}

export function mesosTask(t: TaskEntryView) {
  return {
    id: t.task.taskId,
    name: t.task.name,
    framework_id: t.frameworkId,
    executor_id: t.task.executor?.executorId ?? "",
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
