import type { TaskStatus } from "@agora/protocol";
import type { FrameworkEntryView, MasterView, TaskEntryView } from "../view.js";
import {
  getAgents,
  getExecutors,
  getFrameworks,
  getTasks,
  mesosAgent,
  mesosFramework,
  mesosTask,
} from "./operator.js";
import { toMesosTaskStatus } from "./scheduler-events.js";

/** What an operator SUBSCRIBE stream has told its client so far, to tell it only what changed. */
export interface OperatorWatch {
  /** Per task (`<framework>/<task>`), the last status sent (undefined: added, no status yet). */
  readonly tasks: ReadonlyMap<string, TaskStatus | undefined>;
  readonly agents: ReadonlySet<string>;
  /** Per live framework, a fingerprint of what FRAMEWORK_UPDATED reports. */
  readonly frameworks: ReadonlyMap<string, string>;
}

/** Mesos' operator SUBSCRIBED event: the whole state as GET_STATE gives it (filtered as `view` is), then changes. */
export function operatorSubscribed(view: MasterView): Record<string, unknown> {
  return {
    type: "SUBSCRIBED",
    subscribed: {
      get_state: {
        get_tasks: getTasks(view),
        get_executors: getExecutors(view),
        get_frameworks: getFrameworks(view),
        get_agents: getAgents(view),
      },
      heartbeat_interval_seconds: view.options.heartbeatIntervalSeconds,
    },
  };
}

/** The watch matching a view, as if everything in it had been sent (after SUBSCRIBED). */
export function watchOf(view: MasterView): OperatorWatch {
  return operatorEvents({ tasks: new Map(), agents: new Set(), frameworks: new Map() }, view).next;
}

/**
 * The operator events between what a client was told (`prev`) and the master now (`view`): TASK_ADDED
 * and a TASK_UPDATED per new status, AGENT_ADDED/REMOVED, FRAMEWORK_ADDED/UPDATED/REMOVED.
 */
export function operatorEvents(
  prev: OperatorWatch,
  view: MasterView,
): { events: Record<string, unknown>[]; next: OperatorWatch } {
  const events: Record<string, unknown>[] = [];

  const frameworks = new Map<string, string>();
  for (const f of view.frameworks.values()) {
    const print = fingerprint(f);
    frameworks.set(f.id, print);
    const before = prev.frameworks.get(f.id);
    if (before === undefined)
      events.push({ type: "FRAMEWORK_ADDED", framework_added: { framework: mesosFramework(view, f) } });
    else if (before !== print)
      events.push({ type: "FRAMEWORK_UPDATED", framework_updated: { framework: mesosFramework(view, f) } });
  }
  for (const f of view.completedFrameworks)
    if (prev.frameworks.has(f.id))
      events.push({
        type: "FRAMEWORK_REMOVED",
        framework_removed: { framework_info: mesosFramework(view, f).framework_info },
      });

  const agents = new Set<string>();
  for (const a of view.agents.values()) {
    agents.add(a.id);
    if (!prev.agents.has(a.id)) events.push({ type: "AGENT_ADDED", agent_added: { agent: mesosAgent(a) } });
  }
  for (const id of prev.agents)
    if (!agents.has(id)) events.push({ type: "AGENT_REMOVED", agent_removed: { agent_id: { value: id } } });

  const tasks = new Map<string, TaskStatus | undefined>();
  const all = [...view.frameworks.values(), ...view.completedFrameworks];
  for (const t of all.flatMap((f) => [...f.tasks.values(), ...f.completedTasks.values()])) {
    const key = `${t.frameworkId}/${t.task.taskId}`;
    const known = prev.tasks.has(key);
    if (!known) events.push({ type: "TASK_ADDED", task_added: { task: mesosTask(t) } });
    for (const status of newStatuses(t, known ? prev.tasks.get(key) : undefined, known))
      events.push({
        type: "TASK_UPDATED",
        task_updated: {
          framework_id: { value: t.frameworkId },
          status: toMesosTaskStatus(status),
          state: status.state,
        },
      });
    tasks.set(key, t.statuses[t.statuses.length - 1]);
  }
  return { events, next: { tasks, agents, frameworks } };
}

function newStatuses(
  t: TaskEntryView,
  lastSent: TaskStatus | undefined,
  known: boolean,
): readonly TaskStatus[] {
  if (!known) return t.statuses;
  if (lastSent === undefined) return t.statuses;
  const i = t.statuses.indexOf(lastSent);
  // Not found: the bounded history dropped it, so everything kept is newer.
  return i < 0 ? t.statuses : t.statuses.slice(i + 1);
}

function fingerprint(f: FrameworkEntryView): string {
  return JSON.stringify([f.active, f.connected, f.info.name, f.info.roles, f.reregisteredAt ?? 0]);
}
