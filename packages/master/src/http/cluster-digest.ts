import { mesosResources } from "@agora/protocol";
import type { MaintenanceSchedule, MaintenanceStatus } from "../maintenance/schedule.js";
import type { RoleSummary } from "../roles/role-summary.js";
import type { MasterView, TaskEntryView } from "../view.js";
import { mesosAgent, mesosTask } from "./mesos-state.js";
import { mesosRole } from "./role-routes.js";

/** What the UI's event stream reports on. */
export type ClusterEntityKind = "agent" | "framework" | "task" | "offer" | "role" | "maintenance";

/** One change in the cluster since the previous look: what, which, and its new shape (absent when removed). */
export interface ClusterChange {
  readonly kind: ClusterEntityKind;
  readonly op: "added" | "updated" | "removed";
  readonly id: string;
  readonly data?: unknown;
}

/**
 * One entry of a digest: a cheap signature to compare, and the payload (built lazily, only when the
 * signature changed, so an idle cluster with many tasks costs one string per task per look).
 */
interface Entry {
  readonly sig: string;
  readonly data: () => unknown;
}

/** The cluster reduced to signatures per entity, compared look after look. */
export type ClusterDigest = ReadonlyMap<ClusterEntityKind, ReadonlyMap<string, Entry>>;

export interface MaintenanceView {
  readonly schedule: MaintenanceSchedule;
  readonly status: MaintenanceStatus;
}

/** Reduces a snapshot (and the maintenance state, which the view does not carry) to a digest. */
export function clusterDigest(view: MasterView, maintenance: MaintenanceView): ClusterDigest {
  const agents = new Map<string, Entry>();
  // Offers come and go every allocation cycle and have events of their own: agents and frameworks
  // change (and are sent again) only when something else about them does.
  for (const a of view.agents.values()) {
    const { offered_resources: _offered, ...json } = {
      ...mesosAgent(a),
      state: a.active ? "active" : "inactive",
    };
    agents.set(a.id, fromJson(json));
  }
  for (const [id, u] of view.unreachableAgents) {
    const json = { id, hostname: u.info.hostname, port: u.info.port, state: "unreachable", active: false };
    agents.set(id, fromJson(json));
  }

  const frameworks = new Map<string, Entry>();
  const tasks = new Map<string, Entry>();
  for (const f of [...view.frameworks.values(), ...view.completedFrameworks]) {
    const used = mesosResources(f.resources.used);
    const summary = {
      id: f.id,
      name: f.info.name,
      active: f.active,
      connected: f.connected,
      role: f.role,
      roles: f.info.roles,
      principal: f.info.principal,
      webui_url: f.info.webuiUrl ?? "",
      used_resources: used,
      task_count: f.tasks.size,
      completed: f.unregisteredAt !== undefined,
    };
    frameworks.set(f.id, fromJson(summary));
    for (const t of f.tasks.values()) tasks.set(taskId(t), taskEntry(t));
    for (const t of f.completedTasks.values()) tasks.set(taskId(t), taskEntry(t));
  }

  const offers = new Map<string, Entry>();
  for (const [id, { offer }] of view.offers) {
    offers.set(id, {
      sig: "",
      data: () => ({
        id,
        framework_id: offer.frameworkId,
        slave_id: offer.agentId,
        role: offer.role,
        resources: mesosResources(offer.resources),
      }),
    });
  }

  const roles = new Map<string, Entry>();
  for (const r of view.roles() as RoleSummary[]) roles.set(r.name, fromJson(mesosRole(r)));

  const maint = new Map<string, Entry>([["schedule", fromJson(maintenance)]]);

  return new Map<ClusterEntityKind, Map<string, Entry>>([
    ["agent", agents],
    ["framework", frameworks],
    ["task", tasks],
    ["offer", offers],
    ["role", roles],
    ["maintenance", maint],
  ]);
}

/** Every difference between two digests, in a stable order (kinds as listed, then ids as found). */
export function diffDigests(prev: ClusterDigest, next: ClusterDigest): ClusterChange[] {
  const changes: ClusterChange[] = [];
  for (const [kind, entries] of next) {
    const before = prev.get(kind) ?? new Map<string, Entry>();
    for (const [id, entry] of entries) {
      const old = before.get(id);
      if (old === undefined) changes.push({ kind, op: "added", id, data: entry.data() });
      else if (old.sig !== entry.sig) changes.push({ kind, op: "updated", id, data: entry.data() });
    }
    for (const id of before.keys()) if (!entries.has(id)) changes.push({ kind, op: "removed", id });
  }
  return changes;
}

/** A task's key in the stream: framework and task id (task ids are unique per framework only). */
function taskId(t: TaskEntryView): string {
  return `${t.frameworkId}/${t.task.taskId}`;
}

function taskEntry(t: TaskEntryView): Entry {
  const last = t.statuses[t.statuses.length - 1];
  return {
    sig: `${t.state}|${t.statuses.length}|${last?.timestamp ?? 0}|${last?.healthy ?? ""}`,
    data: () => mesosTask(t),
  };
}

function fromJson(json: unknown): Entry {
  const sig = JSON.stringify(json);
  return { sig, data: () => json };
}
