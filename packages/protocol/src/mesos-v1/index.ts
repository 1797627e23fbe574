import { UPDATE_BATCHES } from "../events.js";
import type { FrameworkInfo } from "../framework.js";
import type { FrameworkId } from "../ids.js";
import type { Attribute, Reservation, Resource } from "../resources/schema.js";
import { type ExecutorInfo, SECRET_MASK, type TaskInfo, type TaskStatus } from "../task.js";

/*
 * Mesos' v1 JSON written from our records: the pure pieces both the master (scheduler and operator
 * APIs) and the agent (executor and agent operator APIs) need. Reading Mesos' JSON stays with each
 * edge, whose errors name the fields of its own calls.
 */

/** Mesos' `Labels` message: `{labels: [{key, value}]}`. */
export function toMesosLabels(labels: Readonly<Record<string, string>>): {
  labels: { key: string; value: string }[];
} {
  return { labels: Object.entries(labels).map(([key, value]) => ({ key, value })) };
}

export function fromMesosLabels(labels: {
  labels: { key: string; value: string }[];
}): Record<string, string> {
  return Object.fromEntries(labels.labels.map((l) => [l.key, l.value]));
}

/**
 * How reservations are written to a framework: `refined` (the `reservations` stack, for frameworks
 * with the RESERVATION_REFINEMENT capability) or `legacy` (`role` plus, when dynamic,
 * `reservation`), as Mesos' master downgrades resources for frameworks without the capability.
 */
export type ReservationFormat = "refined" | "legacy";

/** One of our resources as Mesos' `Resource` JSON; `allocationRole` sets `allocation_info` (offers). */
export function toMesosResource(
  r: Resource,
  format: ReservationFormat = "refined",
  allocationRole?: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { name: r.name };
  if ("scalar" in r) Object.assign(out, { type: "SCALAR", scalar: { value: r.scalar } });
  else if ("ranges" in r)
    Object.assign(out, {
      type: "RANGES",
      ranges: { range: r.ranges.map(({ begin, end }) => ({ begin, end })) },
    });
  else Object.assign(out, { type: "SET", set: { item: [...r.set] } });
  const res = r.reservation;
  if (format === "refined") {
    if (res) out.reservations = [mesosReservation(res)];
  } else {
    out.role = res?.role ?? "*";
    if (res?.type === "dynamic")
      out.reservation = {
        ...(res.principal === undefined ? {} : { principal: res.principal }),
        ...(res.labels === undefined ? {} : { labels: toMesosLabels(res.labels) }),
      };
  }
  if (allocationRole !== undefined) out.allocation_info = { role: allocationRole };
  return out;
}

function mesosReservation(res: Reservation): Record<string, unknown> {
  return {
    type: res.type === "static" ? "STATIC" : "DYNAMIC",
    role: res.role,
    ...(res.principal === undefined ? {} : { principal: res.principal }),
    ...(res.labels === undefined ? {} : { labels: toMesosLabels(res.labels) }),
  };
}

export function toMesosResources(
  resources: readonly Resource[],
  format: ReservationFormat = "refined",
  allocationRole?: string,
): Record<string, unknown>[] {
  return resources.map((r) => toMesosResource(r, format, allocationRole));
}

/** Our attributes as Mesos' `Attribute` JSON (`type` TEXT/SCALAR/RANGES/SET). */
export function toMesosAttribute(a: Attribute): Record<string, unknown> {
  if ("text" in a) return { name: a.name, type: "TEXT", text: { value: a.text } };
  if ("scalar" in a) return { name: a.name, type: "SCALAR", scalar: { value: a.scalar } };
  if ("ranges" in a)
    return {
      name: a.name,
      type: "RANGES",
      ranges: { range: a.ranges.map(({ begin, end }) => ({ begin, end })) },
    };
  return { name: a.name, type: "SET", set: { item: [...a.set] } };
}

/**
 * Status update uuids: ours are uuid strings, Mesos' are the 16 bytes of the uuid, base64 in JSON
 * (protobuf `bytes`). Translating both ways keeps them the same uuid.
 */
export function uuidToBase64(uuid: string): string {
  return Buffer.from(uuid.replaceAll("-", ""), "hex").toString("base64");
}

/** Seconds as Mesos' `DurationInfo`. */
export function toMesosDuration(seconds: number): { nanoseconds: number } {
  return { nanoseconds: Math.round(seconds * 1e9) };
}

/** Our task status as Mesos' `TaskStatus` (only fields Mesos defines: strict protobuf readers accept it). */
export function toMesosTaskStatus(s: TaskStatus): Record<string, unknown> {
  const c = s.containerStatus;
  return {
    task_id: { value: s.taskId },
    state: s.state,
    source: s.source,
    ...(s.reason === undefined ? {} : { reason: s.reason }),
    ...(s.message === undefined ? {} : { message: s.message }),
    ...(s.agentId === undefined ? {} : { agent_id: { value: s.agentId } }),
    ...(s.executorId === undefined ? {} : { executor_id: { value: s.executorId } }),
    timestamp: s.timestamp,
    ...(s.uuid === undefined ? {} : { uuid: uuidToBase64(s.uuid) }),
    ...(s.healthy === undefined ? {} : { healthy: s.healthy }),
    ...(s.labels === undefined ? {} : { labels: toMesosLabels(s.labels) }),
    ...(c && (c.containerId !== undefined || c.executorPid !== undefined)
      ? {
          container_status: {
            ...(c.containerId === undefined ? {} : { container_id: { value: c.containerId } }),
            ...(c.executorPid === undefined ? {} : { executor_pid: c.executorPid }),
          },
        }
      : {}),
  };
}

/**
 * Our framework as Mesos' `FrameworkInfo`: `roles` for MULTI_ROLE frameworks, `role` for the others,
 * as Mesos writes it back to each.
 */
export function toMesosFrameworkInfo(info: FrameworkInfo, id: FrameworkId): Record<string, unknown> {
  const capabilities = info.capabilities ?? [];
  const multiRole = capabilities.includes("MULTI_ROLE");
  return {
    id: { value: id },
    name: info.name,
    user: info.user,
    failover_timeout: info.failoverTimeout,
    checkpoint: info.checkpoint,
    ...(multiRole ? { roles: info.roles } : { role: info.roles[0] ?? "*" }),
    ...(info.hostname === undefined ? {} : { hostname: info.hostname }),
    ...(info.principal === undefined ? {} : { principal: info.principal }),
    ...(info.webuiUrl === undefined ? {} : { webui_url: info.webuiUrl }),
    // UPDATE_BATCHES is no Mesos capability: a Mesos client parsing the enum would refuse it.
    capabilities: capabilities.filter((type) => type !== UPDATE_BATCHES).map((type) => ({ type })),
    ...(info.labels === undefined ? {} : { labels: toMesosLabels(info.labels) }),
  };
}

/**
 * Our command as Mesos' `CommandInfo`. A secret variable is written as Mesos' type SECRET with a
 * VALUE secret whose data is `SECRET_MASK`: this JSON is only ever shown (operator APIs, an
 * executor's own info), and the process it names already got the real value in its environment.
 */
export function toMesosCommandInfo(c: NonNullable<TaskInfo["command"]>): Record<string, unknown> {
  const secrets = new Set(c.secrets);
  const masked = btoa(SECRET_MASK);
  return {
    ...(c.value === undefined ? {} : { value: c.value }),
    shell: c.shell,
    ...(c.arguments ? { arguments: [...c.arguments] } : {}),
    ...(c.environment
      ? {
          environment: {
            variables: Object.entries(c.environment).map(([name, value]) =>
              secrets.has(name)
                ? { name, type: "SECRET", secret: { type: "VALUE", value: { data: masked } } }
                : { name, type: "VALUE", value },
            ),
          },
        }
      : {}),
    ...(c.user === undefined ? {} : { user: c.user }),
    ...(c.uris ? { uris: c.uris.map((u) => ({ ...u })) } : {}),
  };
}

/** A framework's executor as Mesos' `ExecutorInfo` (type CUSTOM: Agora runs no DEFAULT executor). */
export function toMesosExecutorInfo(e: ExecutorInfo, frameworkId: FrameworkId): Record<string, unknown> {
  return {
    type: "CUSTOM",
    executor_id: { value: e.executorId },
    framework_id: { value: frameworkId },
    ...(e.name === undefined ? {} : { name: e.name }),
    command: toMesosCommandInfo(e.command),
    resources: toMesosResources(e.resources ?? []),
    ...(e.shutdownGracePeriodSeconds === undefined
      ? {}
      : { shutdown_grace_period: toMesosDuration(e.shutdownGracePeriodSeconds) }),
    ...(e.labels === undefined ? {} : { labels: toMesosLabels(e.labels) }),
  };
}

/**
 * Our task as Mesos' `TaskInfo`, as a custom executor receives it in a LAUNCH event: the fields a
 * framework sent (`executor`, `data`, `labels`, `kill_policy` …) written back the way Mesos names them.
 */
export function toMesosTaskInfo(t: TaskInfo, frameworkId: FrameworkId): Record<string, unknown> {
  return {
    name: t.name,
    task_id: { value: t.taskId },
    agent_id: { value: t.agentId },
    resources: toMesosResources(t.resources),
    ...(t.executor ? { executor: toMesosExecutorInfo(t.executor, frameworkId) } : {}),
    ...(t.command ? { command: toMesosCommandInfo(t.command) } : {}),
    ...(t.data === undefined ? {} : { data: t.data }),
    ...(t.labels === undefined ? {} : { labels: toMesosLabels(t.labels) }),
    ...(t.killPolicy
      ? { kill_policy: { grace_period: toMesosDuration(t.killPolicy.gracePeriodSeconds) } }
      : {}),
    ...(t.maxCompletionTimeSeconds === undefined
      ? {}
      : { max_completion_time: toMesosDuration(t.maxCompletionTimeSeconds) }),
  };
}

/**
 * Mesos' JSON with its `null`s removed: Mesos reads `null` as an unset field, in objects and arrays
 * alike (stout's protobuf parser), and clients built on protobuf libraries send unset fields as
 * `null` (`"role": null`), so readers must see them as absent, never as a wrong type.
 */
export function withoutNulls(json: unknown, depth = 0): unknown {
  // Below any depth a Mesos message reaches, JSON goes on as it is: walking a hostile body nested
  // thousands deep overflowed the stack (a 500, found by the fuzz suite); no schema reads that far.
  if (depth >= MAX_MESOS_DEPTH) return json;
  if (Array.isArray(json)) return json.filter((v) => v !== null).map((v) => withoutNulls(v, depth + 1));
  if (json === null || typeof json !== "object") return json;
  return Object.fromEntries(
    Object.entries(json)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v, depth + 1)]),
  );
}

/** Deeper than any Mesos v1 message nests (a task group's volumes are about 10 levels down). */
const MAX_MESOS_DEPTH = 64;
