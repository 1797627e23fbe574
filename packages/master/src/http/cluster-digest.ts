import { type AgentId, mesosResources, type OfferId } from "@agora/protocol";
import { z } from "zod";
import type { MaintenanceSchedule, MaintenanceStatus } from "../maintenance/schedule.js";
import type { RegistryChanges } from "../registry/changes.js";
import { taskKey } from "../registry/entries.js";
import type { RoleSummary } from "../roles/role-summary.js";
import type { MasterView, TaskEntryView } from "../view.js";
import { mesosAgent, mesosTask } from "./mesos-state.js";
import { mesosRole } from "./role-routes.js";

/** What the UI's event stream reports on. */
export const ClusterEntityKind = z.enum(["agent", "framework", "task", "offer", "role", "maintenance"]);
export type ClusterEntityKind = z.infer<typeof ClusterEntityKind>;

/** One change in the cluster since the previous look: what, which, and its new shape (absent when removed). */
export interface ClusterChange {
  readonly kind: ClusterEntityKind;
  readonly op: "added" | "updated" | "removed";
  readonly id: string;
  /**
   * Its new shape, built on the first call (the same every call): most events are never read, and
   * building each task's JSON as it changed took most of the log's cost in a 10,000-task simulation.
   */
  readonly data?: () => unknown;
}

/**
 * One entity as reported: a cheap signature to compare, and `freeze`, called only when the signature
 * changed, which keeps what the payload is built from as it is now and returns the payload's builder.
 */
interface Entry {
  readonly sig: string;
  readonly freeze: () => () => unknown;
}

export interface MaintenanceView {
  readonly schedule: MaintenanceSchedule;
  readonly status: MaintenanceStatus;
}

const KINDS = ClusterEntityKind.options;

/**
 * How often roles are compared at most while only their allocations can have changed (ms): a
 * summary of every role reads every agent and framework, 10 % of the CPU of a 5,000-agent,
 * 50,000-task workload when done every second. A weight or quota set is compared at the next look.
 */
const ROLE_LOOK_MS = 5000;

/**
 * The cluster as the event stream last reported it (each entity's signature), brought up to date
 * from the registry's changes: only the agents, tasks and offers the registry marked are read, so a
 * look costs what changed, not the cluster's size (a digest of 10,000 agents every second took
 * 13–23 % of a master's CPU). Frameworks are compared all at every look (a handful; their
 * connection flags change outside the books); roles when their weights or quotas were set, or
 * something else changed at least `ROLE_LOOK_MS` after they were last compared, since their
 * allocations follow every offer and task.
 */
export class ClusterWatch {
  private readonly known = new Map<ClusterEntityKind, Map<string, string>>(
    KINDS.map((kind) => [kind, new Map()]),
  );
  /** Something that changes roles' allocations changed since roles were last compared. */
  private rolesStale = false;
  private rolesComparedAt = Number.NEGATIVE_INFINITY;

  /**
   * What differs from the previous look among what `changed` names (and frameworks, and roles as
   * told above), in a stable order: kinds as listed, then as found. Entities marked but back
   * as they were (an offer made and gone between two looks) make no change.
   */
  changes(view: MasterView, changed: RegistryChanges, maintenance: () => MaintenanceView): ClusterChange[] {
    const out: ClusterChange[] = [];
    for (const id of changed.agents) this.compare(out, "agent", id, agentEntry(view, id));
    const frameworks = this.compareAll(out, "framework", frameworkEntries(view));
    for (const t of changed.tasks)
      if (!changed.forgottenTasks.has(t)) this.compare(out, "task", keyOf(t), taskEntry(t));
    for (const t of changed.forgottenTasks) this.compare(out, "task", keyOf(t), undefined);
    for (const id of changed.offers) this.compare(out, "offer", id, offerEntry(view, id));
    this.rolesStale ||= frameworks || changed.agents.size + changed.tasks.size + changed.offers.size > 0;
    if (changed.roles || (this.rolesStale && view.now - this.rolesComparedAt >= ROLE_LOOK_MS)) {
      this.compareAll(out, "role", roleEntries(view));
      this.rolesStale = false;
      this.rolesComparedAt = view.now;
    }
    if (changed.maintenance) this.compare(out, "maintenance", "schedule", fromJson(maintenance()));
    return out;
  }

  /**
   * Takes the registry as it is as already reported, without events: a watch started on a busy
   * master (an HTTP API added late, as tests do) reports changes from then on, not the whole cluster
   * as new. A master builds its HTTP API before it leads, so there this costs nothing.
   */
  baseline(view: MasterView, maintenance: MaintenanceView): void {
    const known = (kind: ClusterEntityKind) => this.known.get(kind)!;
    for (const id of [...view.agents.keys(), ...view.unreachableAgents.keys()])
      known("agent").set(id, agentEntry(view, id)!.sig);
    for (const [id, entry] of frameworkEntries(view)) known("framework").set(id, entry.sig);
    for (const f of [...view.frameworks.values(), ...view.completedFrameworks])
      for (const t of [...f.tasks.values(), ...f.completedTasks.values()])
        known("task").set(keyOf(t), taskEntry(t).sig);
    for (const id of view.offers.keys()) known("offer").set(id, "");
    for (const [id, entry] of roleEntries(view)) known("role").set(id, entry.sig);
    known("maintenance").set("schedule", fromJson(maintenance).sig);
  }

  /** Forgets every entity (the registry is no longer followed); true when it knew any. */
  forget(): boolean {
    let knew = false;
    for (const entries of this.known.values()) {
      knew ||= entries.size > 0;
      entries.clear();
    }
    return knew;
  }

  private compare(out: ClusterChange[], kind: ClusterEntityKind, id: string, entry: Entry | undefined): void {
    const known = this.known.get(kind)!;
    const sig = known.get(id);
    if (entry === undefined) {
      if (sig !== undefined) out.push({ kind, op: "removed", id });
      known.delete(id);
    } else if (sig === undefined) out.push({ kind, op: "added", id, data: entry.freeze() });
    else if (sig !== entry.sig) out.push({ kind, op: "updated", id, data: entry.freeze() });
    if (entry !== undefined) known.set(id, entry.sig);
  }

  /** Compares every entity of a kind, those gone since included; true when any changed. */
  private compareAll(out: ClusterChange[], kind: ClusterEntityKind, entries: Map<string, Entry>): boolean {
    const before = out.length;
    for (const [id, entry] of entries) this.compare(out, kind, id, entry);
    for (const id of this.known.get(kind)!.keys())
      if (!entries.has(id)) this.compare(out, kind, id, undefined);
    return out.length > before;
  }
}

/** A registered agent, or one unreachable; undefined once gone from both. */
function agentEntry(view: MasterView, id: AgentId): Entry | undefined {
  const agent = view.agents.get(id);
  if (agent) {
    // Offers come and go every allocation cycle and have events of their own: an agent is sent
    // again only when something else about it changes.
    const { offered_resources: _offered, ...json } = {
      ...mesosAgent(agent),
      state: agent.active ? "active" : "inactive",
    };
    return fromJson(json);
  }
  const u = view.unreachableAgents.get(id);
  return (
    u && fromJson({ id, hostname: u.info.hostname, port: u.info.port, state: "unreachable", active: false })
  );
}

function frameworkEntries(view: MasterView): Map<string, Entry> {
  const frameworks = new Map<string, Entry>();
  for (const f of [...view.frameworks.values(), ...view.completedFrameworks]) {
    const summary = {
      id: f.id,
      name: f.info.name,
      active: f.active,
      connected: f.connected,
      role: f.role,
      roles: f.info.roles,
      principal: f.info.principal,
      webui_url: f.info.webuiUrl ?? "",
      used_resources: mesosResources(f.resources.used),
      task_count: f.tasks.size,
      completed: f.unregisteredAt !== undefined,
    };
    frameworks.set(f.id, fromJson(summary));
  }
  return frameworks;
}

/** A task's key in the stream: task ids are unique per framework only. */
function keyOf(t: TaskEntryView): string {
  return taskKey(t.frameworkId, t.task.taskId);
}

function taskEntry(t: TaskEntryView): Entry {
  const last = t.statuses[t.statuses.length - 1];
  return {
    sig: `${t.state}|${t.statuses.length}|${last?.timestamp ?? 0}|${last?.healthy ?? ""}`,
    // A task's info never changes; its state and statuses do (the list in place), so they are copied.
    freeze: () => {
      const now = { ...t, statuses: t.statuses.slice() };
      return once(() => mesosTask(now));
    },
  };
}

function offerEntry(view: MasterView, id: OfferId): Entry | undefined {
  const entry = view.offers.get(id);
  if (!entry) return undefined;
  const { offer } = entry;
  return {
    sig: "",
    freeze: () =>
      once(() => ({
        id,
        framework_id: offer.frameworkId,
        slave_id: offer.agentId,
        role: offer.role,
        resources: mesosResources(offer.resources),
      })),
  };
}

function roleEntries(view: MasterView): Map<string, Entry> {
  const roles = new Map<string, Entry>();
  for (const r of view.roles() as RoleSummary[]) roles.set(r.name, fromJson(mesosRole(r)));
  return roles;
}

function fromJson(json: unknown): Entry {
  const sig = JSON.stringify(json);
  return { sig, freeze: () => () => json };
}

function once(build: () => unknown): () => unknown {
  let built: { value: unknown } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
