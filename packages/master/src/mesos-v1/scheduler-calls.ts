import {
  Call,
  type CallInput,
  type FrameworkId,
  type FrameworkInfoInput,
  firstIssue,
  type OperationInput,
  UPDATE_BATCHES,
} from "@agora/protocol";
import type { z } from "zod";
import { MesosV1Error } from "./errors.js";
import { fromMesosLabels, fromMesosResources } from "./resources.js";
import {
  type MesosFilters,
  type MesosFrameworkInfo,
  type MesosOperation,
  MesosSchedulerCall,
  parseMesos,
} from "./schemas.js";
import { fromMesosTaskInfo } from "./tasks.js";
import { uuidFromBase64 } from "./uuid.js";

/**
 * Reads a Mesos `scheduler::Call` from parsed JSON; a call that does not fit fails with the field
 * named in Mesos' JSON.
 */
export function parseSchedulerCall(json: unknown): MesosSchedulerCall {
  return parseMesos(MesosSchedulerCall, json, "Call");
}

/**
 * Mesos' scheduler call as our protocol's `Call`, validated by our schema. `newFrameworkId` mints
 * the id of a framework subscribing for the first time (ours are proposed by the subscriber, see
 * docs/protocol.md). REQUEST, which Mesos' allocator ignores, becomes a `heartbeat`.
 */
export function fromMesosCall(call: MesosSchedulerCall, newFrameworkId: () => FrameworkId): Call {
  const input = translate(call, newFrameworkId);
  const parsed = Call.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = firstIssue(parsed.error);
  throw new MesosV1Error(mesosPath(call, issue.path), `Failed to validate scheduler::Call: ${issue.message}`);
}

function translate(call: MesosSchedulerCall, newFrameworkId: () => FrameworkId): CallInput {
  if (call.type === "SUBSCRIBE") {
    const sub = present(call, "subscribe");
    const info = sub.framework_info;
    if (call.framework_id && info.id && call.framework_id.value !== info.id.value)
      throw new MesosV1Error("framework_id", "'framework_id' differs from 'subscribe.framework_info.id'");
    const id = (info.id?.value ?? call.framework_id?.value ?? newFrameworkId()) as FrameworkId;
    return { type: "subscribe", frameworkInfo: fromMesosFrameworkInfo(info, id) };
  }
  if (!call.framework_id) throw new MesosV1Error("framework_id", "Expecting 'framework_id' to be present");
  const frameworkId = call.framework_id.value as FrameworkId;
  const fw = { frameworkId };
  switch (call.type) {
    case "TEARDOWN":
      return { type: "teardown", ...fw };
    case "ACCEPT": {
      const a = present(call, "accept");
      return {
        type: "accept",
        ...fw,
        offerIds: a.offer_ids.map((o) => o.value) as never,
        operations: a.operations.map((op, i) => fromMesosOperation(op, `accept.operations[${i}]`)),
        ...filters(a.filters),
      };
    }
    case "DECLINE": {
      const d = present(call, "decline");
      return {
        type: "decline",
        ...fw,
        offerIds: d.offer_ids.map((o) => o.value) as never,
        ...filters(d.filters),
      };
    }
    case "REVIVE": {
      const roles = call.revive?.roles ?? (call.revive?.role === undefined ? undefined : [call.revive.role]);
      return { type: "revive", ...fw, ...(roles && roles.length > 0 ? { roles } : {}) };
    }
    case "SUPPRESS": {
      const roles = call.suppress?.roles;
      return { type: "suppress", ...fw, ...(roles && roles.length > 0 ? { roles } : {}) };
    }
    case "KILL": {
      const k = present(call, "kill");
      const grace = k.kill_policy?.grace_period;
      return {
        type: "kill",
        ...fw,
        taskId: k.task_id.value as never,
        ...(k.agent_id ? { agentId: k.agent_id.value as never } : {}),
        ...(grace ? { killPolicy: { gracePeriodSeconds: grace.nanoseconds / 1e9 } } : {}),
      };
    }
    case "SHUTDOWN": {
      // Agora's executors run one task each, named as Mesos' command executor is: by the task's id.
      const s = present(call, "shutdown");
      return {
        type: "kill",
        ...fw,
        taskId: s.executor_id.value as never,
        agentId: s.agent_id.value as never,
      };
    }
    case "ACKNOWLEDGE": {
      const a = present(call, "acknowledge");
      return {
        type: "acknowledge",
        ...fw,
        agentId: a.agent_id.value as never,
        taskId: a.task_id.value as never,
        uuid: uuidFromBase64(a.uuid, "acknowledge.uuid"),
      };
    }
    case "RECONCILE": {
      const r = present(call, "reconcile");
      return {
        type: "reconcile",
        ...fw,
        tasks: r.tasks.map((t) => ({
          taskId: t.task_id.value as never,
          ...(t.agent_id ? { agentId: t.agent_id.value as never } : {}),
        })),
      };
    }
    case "MESSAGE": {
      const m = present(call, "message");
      return {
        type: "message",
        ...fw,
        agentId: m.agent_id.value as never,
        executorId: m.executor_id.value as never,
        data: Buffer.from(m.data, "base64").toString("utf8"),
      };
    }
    case "REQUEST":
      return { type: "heartbeat", ...fw };
    case "UPDATE_FRAMEWORK": {
      // Our protocol updates a framework's info by a re-subscribe with its id (see docs/mesos-v1.md).
      const info = present(call, "update_framework").framework_info;
      if (info.id && info.id.value !== frameworkId)
        throw new MesosV1Error(
          "update_framework.framework_info.id",
          "'update_framework.framework_info.id' differs from 'framework_id'",
        );
      return {
        type: "subscribe",
        frameworkInfo: fromMesosFrameworkInfo(info, frameworkId, "update_framework"),
      };
    }
    default:
      throw new MesosV1Error("type", `${call.type} is not supported by Agora yet (see docs/mesos-v1.md)`);
  }
}

/** Mesos' `FrameworkInfo` as ours: MULTI_ROLE frameworks name `roles`, the others a single `role`. */
export function fromMesosFrameworkInfo(
  info: MesosFrameworkInfo,
  id: FrameworkId,
  callField: "subscribe" | "update_framework" = "subscribe",
): FrameworkInfoInput {
  const field = `${callField}.framework_info`;
  // UPDATE_BATCHES is ours, not Mesos': the events of a Mesos stream are Mesos' (one UPDATE each).
  const capabilities = (info.capabilities ?? []).map((c) => c.type).filter((c) => c !== UPDATE_BATCHES);
  const multiRole = capabilities.includes("MULTI_ROLE");
  if (multiRole && info.role !== undefined)
    throw new MesosV1Error(
      `${field}.role`,
      "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable",
    );
  if (!multiRole && info.roles !== undefined)
    throw new MesosV1Error(
      `${field}.roles`,
      "'FrameworkInfo.roles' is set but the framework is not MULTI_ROLE capable",
    );
  const roles = multiRole ? (info.roles ?? []) : [info.role ?? "*"];
  if (roles.length === 0)
    throw new MesosV1Error(`${field}.roles`, "a framework needs at least one role in Agora");
  return {
    id,
    name: info.name,
    user: info.user ?? "root",
    roles,
    ...(info.principal === undefined ? {} : { principal: info.principal }),
    ...(info.failover_timeout === undefined ? {} : { failoverTimeout: info.failover_timeout }),
    ...(info.checkpoint === undefined ? {} : { checkpoint: info.checkpoint }),
    ...(info.hostname === undefined ? {} : { hostname: info.hostname }),
    ...(info.webui_url === undefined ? {} : { webuiUrl: info.webui_url }),
    ...(info.labels ? { labels: fromMesosLabels(info.labels) } : {}),
    ...(capabilities.length > 0 ? { capabilities } : {}),
  };
}

function fromMesosOperation(op: MesosOperation, field: string): OperationInput {
  switch (op.type) {
    case "LAUNCH": {
      const tasks = present(op, "launch", field).task_infos;
      return {
        type: "launch",
        tasks: tasks.map((t, i) => fromMesosTaskInfo(t, `${field}.launch.task_infos[${i}]`)),
      };
    }
    case "LAUNCH_GROUP": {
      const g = present(op, "launch_group", field);
      return {
        type: "launchGroup",
        executorId: g.executor.executor_id.value as never,
        tasks: g.task_group.tasks.map((t, i) =>
          fromMesosTaskInfo(t, `${field}.launch_group.task_group.tasks[${i}]`),
        ),
      };
    }
    case "RESERVE":
      return {
        type: "reserve",
        resources: fromMesosResources(present(op, "reserve", field).resources, `${field}.reserve.resources`),
      };
    case "UNRESERVE":
      return {
        type: "unreserve",
        resources: fromMesosResources(
          present(op, "unreserve", field).resources,
          `${field}.unreserve.resources`,
        ),
      };
    default:
      throw new MesosV1Error(`${field}.type`, `offer operation ${op.type} is not supported by Agora`);
  }
}

function filters(f: z.infer<typeof MesosFilters> | undefined): { filters?: { refuseSeconds?: number } } {
  if (f === undefined) return {};
  return { filters: f.refuse_seconds === undefined ? {} : { refuseSeconds: f.refuse_seconds } };
}

function present<T extends object, K extends keyof T & string>(
  message: T,
  key: K,
  field?: string,
): NonNullable<T[K]> {
  const value = message[key];
  if (value === undefined || value === null)
    throw new MesosV1Error(field ? `${field}.${key}` : key, `Expecting '${key}' to be present`);
  return value as NonNullable<T[K]>;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Our schema's error path (`operations.0.tasks.1.taskId`) as the Mesos field the framework sent
 * (`accept.operations[0].launch.task_infos[1].task_id`).
 */
export function mesosPath(call: MesosSchedulerCall, path: readonly PropertyKey[]): string {
  const parts = path.map(String);
  if (parts[0] === "frameworkId") return "framework_id";
  const out: string[] = [call.type.toLowerCase()];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (/^\d+$/.test(p)) {
      out[out.length - 1] += `[${p}]`;
      continue;
    }
    if (p === "frameworkInfo") out.push("framework_info");
    else if (p === "tasks" && parts[i - 2] === "operations") {
      const op = call.accept?.operations[Number(parts[i - 1])];
      out.push(op?.type === "LAUNCH_GROUP" ? "launch_group.task_group.tasks" : "launch.task_infos");
    } else if (p === "resources" && parts[i - 2] === "operations") {
      const op = call.accept?.operations[Number(parts[i - 1])];
      out.push(`${(op?.type ?? "reserve").toLowerCase()}.resources`);
    } else if (p === "uuid" || p === "data") out.push(p);
    else out.push(snake(p));
  }
  return out.join(".");
}
