import { mesosResources, type Resource, roundScalar, type TaskStatus } from "@agora/protocol";
import type { TaskEntryView } from "../view.js";

/**
 * A task's `/master/state` JSON written as text, the same bytes as `JSON.stringify(mesosTask(t))`
 * (mesos-task-json.test.ts holds the two together), and where its state and statuses lie in it
 * (offsets of their first character and past their last). In a launch burst every task changed since
 * the last request, so the render is nearly all tasks: building each one's object tree (its resources
 * through Maps) and stringifying it was two thirds of a cold render's CPU and most of its garbage
 * (bench/master-state.bench.ts). The rest of the text (the task's info, framework, agent and role) is
 * fixed for the task's life, so a new status needs only those two written (`withNewStatus`).
 */
export interface TaskJson {
  readonly json: string;
  readonly stateStart: number;
  readonly stateEnd: number;
  readonly statusesStart: number;
  readonly statusesEnd: number;
}

export function taskJson(t: TaskEntryView): TaskJson {
  const { task } = t;
  const head =
    `{"id":${JSON.stringify(task.taskId)},"name":${JSON.stringify(task.name)}` +
    `,"framework_id":${JSON.stringify(t.frameworkId)}` +
    `,"executor_id":${JSON.stringify(task.executor?.executorId ?? "")}` +
    `,"slave_id":${JSON.stringify(t.agentId)},"state":"`;
  const middle = `","resources":${resourcesJson(task.resources)},"role":${JSON.stringify(t.role)},"statuses":[`;
  const tail =
    `],"labels":${labelsJson(task.labels)}` +
    `${task.container ? `,"container":{"type":${JSON.stringify(task.container.type)}}` : ""}}`;
  return framed(head, t.state, middle, statusesJson(t.statuses), tail);
}

/**
 * `taskJson(t)` from the task's JSON before its last statuses came (`previous`):
 * what never changes is taken from it, only the state and the statuses are written.
 */
export function withNewStatus(previous: TaskJson, t: TaskEntryView): TaskJson {
  const { json } = previous;
  return framed(
    json.slice(0, previous.stateStart),
    t.state,
    json.slice(previous.stateEnd, previous.statusesStart),
    statusesJson(t.statuses),
    json.slice(previous.statusesEnd),
  );
}

function framed(head: string, state: string, middle: string, statuses: string, tail: string): TaskJson {
  const stateEnd = head.length + state.length;
  const statusesStart = stateEnd + middle.length;
  return {
    json: head + state + middle + statuses + tail,
    stateStart: head.length,
    stateEnd,
    statusesStart,
    statusesEnd: statusesStart + statuses.length,
  };
}

function statusesJson(statuses: readonly TaskStatus[]): string {
  let json = "";
  for (let i = 0; i < statuses.length; i++) {
    if (i > 0) json += ",";
    json += statusJson(statuses[i]!);
  }
  return json;
}

function statusJson(s: TaskStatus): string {
  let json = `{"state":"${s.state}","timestamp":${number(s.timestamp)}`;
  if (s.healthy !== undefined) json += `,"healthy":${s.healthy}`;
  if (s.reason !== undefined) json += `,"reason":${JSON.stringify(s.reason)}`;
  if (s.message !== undefined) json += `,"message":${JSON.stringify(s.message)}`;
  if (s.containerStatus !== undefined) json += `,"container_status":${JSON.stringify(s.containerStatus)}`;
  return `${json}}`;
}

/** The four scalars every `mesosResources` object starts with, in its order. */
const BASE_SCALARS = ["cpus", "mem", "disk", "gpus"] as const;
type BaseScalar = (typeof BASE_SCALARS)[number];

/**
 * `mesosResources` as JSON. A task's resources are nearly always some of the four base scalars: those
 * are summed here without its Maps and object; anything else (ports, sets, custom names, whose place in
 * the object depends on their order) goes through `mesosResources` itself.
 */
function resourcesJson(resources: readonly Resource[]): string {
  const sums: Record<BaseScalar, number> = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  for (const r of resources) {
    if (!("scalar" in r) || !isBaseScalar(r.name)) return JSON.stringify(mesosResources(resources));
    sums[r.name] += r.scalar;
  }
  return (
    `{"cpus":${number(roundScalar(sums.cpus))},"mem":${number(roundScalar(sums.mem))}` +
    `,"disk":${number(roundScalar(sums.disk))},"gpus":${number(roundScalar(sums.gpus))}}`
  );
}

function isBaseScalar(name: string): name is BaseScalar {
  return name === "cpus" || name === "mem" || name === "disk" || name === "gpus";
}

/** `mesosLabels` as JSON. */
function labelsJson(labels: Readonly<Record<string, string>> | undefined): string {
  if (labels === undefined) return "[]";
  let json = "";
  for (const [key, value] of Object.entries(labels)) {
    json += `${json === "" ? "" : ","}{"key":${JSON.stringify(key)},"value":${JSON.stringify(value)}}`;
  }
  return `[${json}]`;
}

/** A number as JSON writes it: `String` for finite numbers, `null` for the rest. */
function number(n: number): string {
  return Number.isFinite(n) ? String(n) : "null";
}
