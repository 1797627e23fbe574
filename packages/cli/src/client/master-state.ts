import { z } from "zod";
import type { HttpClient } from "./http.js";

/**
 * The parts of the master's Mesos-shaped `/master/state` the client verbs read. Loose objects: the
 * master may send more, and the verbs' `--json` passes what they read, not all of it.
 */
export const MesosResources = z.record(z.string(), z.union([z.number(), z.string()]));
export type MesosResources = z.infer<typeof MesosResources>;

export const TaskStatusJson = z.looseObject({
  state: z.string(),
  timestamp: z.number(),
  healthy: z.boolean().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

export const TaskJson = z.looseObject({
  id: z.string(),
  name: z.string(),
  framework_id: z.string(),
  slave_id: z.string(),
  state: z.string(),
  resources: MesosResources,
  role: z.string().optional(),
  statuses: z.array(TaskStatusJson),
});
export type TaskJson = z.infer<typeof TaskJson>;

export const FrameworkJson = z.looseObject({
  id: z.string(),
  name: z.string(),
  hostname: z.string().optional(),
  webui_url: z.string().optional(),
  active: z.boolean(),
  connected: z.boolean(),
  role: z.string().optional(),
  registered_time: z.number(),
  unregistered_time: z.number().optional(),
  used_resources: MesosResources,
  tasks: z.array(TaskJson),
  unreachable_tasks: z.array(TaskJson).default([]),
  completed_tasks: z.array(TaskJson).default([]),
});
export type FrameworkJson = z.infer<typeof FrameworkJson>;

export const AgentJson = z.looseObject({
  id: z.string(),
  hostname: z.string(),
  port: z.number(),
  active: z.boolean(),
  registered_time: z.number(),
  version: z.string().optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  resources: MesosResources,
  used_resources: MesosResources,
});
export type AgentJson = z.infer<typeof AgentJson>;

export const MasterStateJson = z.looseObject({
  version: z.string(),
  id: z.string(),
  hostname: z.string(),
  cluster: z.string().optional(),
  start_time: z.number(),
  elected_time: z.number().optional(),
  leader_info: z.looseObject({ hostname: z.string(), port: z.number() }).optional(),
  unreachable_slaves: z.number().default(0),
  slaves: z.array(AgentJson),
  frameworks: z.array(FrameworkJson),
  completed_frameworks: z.array(FrameworkJson).default([]),
});
export type MasterStateJson = z.infer<typeof MasterStateJson>;

export function masterState(http: HttpClient): Promise<MasterStateJson> {
  return http.get("master", "/master/state", MasterStateJson);
}

/** A scalar resource of a Mesos resources object (0 when absent or not a scalar). */
export function scalar(r: MesosResources | undefined, name: string): number {
  const v = r?.[name];
  return typeof v === "number" ? v : 0;
}

/** The one item whose id is `id`, or else the one whose id starts with it (ids are long). */
export function byIdOrPrefix<T extends { id: string }>(
  items: readonly T[],
  id: string,
): T | "ambiguous" | undefined {
  const exact = items.find((i) => i.id === id);
  if (exact) return exact;
  const prefixed = items.filter((i) => i.id.startsWith(id));
  if (prefixed.length > 1) return "ambiguous";
  return prefixed[0];
}

/** Every task the master knows with the framework that owns it: active first, then completed. */
export function allTasks(
  state: MasterStateJson,
  { completed }: { completed: boolean },
): { task: TaskJson; framework: FrameworkJson; active: boolean }[] {
  const out: { task: TaskJson; framework: FrameworkJson; active: boolean }[] = [];
  for (const framework of state.frameworks)
    for (const task of [...framework.tasks, ...framework.unreachable_tasks])
      out.push({ task, framework, active: true });
  if (completed)
    for (const framework of [...state.frameworks, ...state.completed_frameworks])
      for (const task of framework.completed_tasks) out.push({ task, framework, active: false });
  return out;
}

/** When the task last changed state (ms), from its newest status (Mesos gives seconds). */
export function lastChange(task: TaskJson): number | undefined {
  const last = task.statuses[task.statuses.length - 1];
  return last === undefined ? undefined : last.timestamp * 1000;
}
