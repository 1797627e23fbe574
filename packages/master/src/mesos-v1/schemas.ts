import { firstIssue } from "@agora/protocol";
import { withoutNulls } from "@agora/protocol/mesos-v1";
import { z } from "zod";
import { MesosV1Error } from "./errors.js";

/**
 * Mesos v1 JSON as frameworks send it (protobuf field names, snake_case; ids as `{value}`; enums as
 * strings). Fields we do not use are dropped (zod strips them), as Mesos' own JSON parser ignores
 * unknown fields; what we use is checked here, and our own protocol's schemas check the rest after
 * translation.
 */

export const MesosId = z.object({ value: z.string().min(1) });
export type MesosId = z.infer<typeof MesosId>;

const nanos = z.object({ nanoseconds: z.number().int() });

export const MesosLabels = z.object({
  labels: z.array(z.object({ key: z.string(), value: z.string().default("") })).default([]),
});

const MesosRange = z.object({ begin: z.number().int().nonnegative(), end: z.number().int().nonnegative() });

export const MesosReservationInfo = z.object({
  type: z.enum(["STATIC", "DYNAMIC"]).optional(),
  role: z.string().optional(),
  principal: z.string().optional(),
  labels: MesosLabels.optional(),
});

export const MesosResource = z.object({
  name: z.string().min(1),
  type: z.enum(["SCALAR", "RANGES", "SET"]),
  scalar: z.object({ value: z.number() }).optional(),
  ranges: z.object({ range: z.array(MesosRange).default([]) }).optional(),
  set: z.object({ item: z.array(z.string()).default([]) }).optional(),
  /** Pre-refinement format: the reserved role (`*` = unreserved) and, for dynamic ones, `reservation`. */
  role: z.string().optional(),
  reservation: z.object({ principal: z.string().optional(), labels: MesosLabels.optional() }).optional(),
  /** Refinement format: a stack of reservations, the last the most refined. */
  reservations: z.array(MesosReservationInfo).optional(),
  disk: z.object({ persistence: z.unknown().optional(), volume: z.unknown().optional() }).optional(),
  shared: z.object({}).optional(),
  allocation_info: z.object({ role: z.string().optional() }).optional(),
});
export type MesosResource = z.infer<typeof MesosResource>;

export const MesosCommandInfo = z.object({
  uris: z
    .array(
      z.object({
        value: z.string(),
        executable: z.boolean().optional(),
        extract: z.boolean().optional(),
        cache: z.boolean().optional(),
        output_file: z.string().optional(),
      }),
    )
    .optional(),
  environment: z
    .object({
      variables: z
        .array(
          z.object({
            name: z.string(),
            type: z.enum(["UNKNOWN", "VALUE", "SECRET"]).optional(),
            value: z.string().optional(),
            secret: z.unknown().optional(),
          }),
        )
        .default([]),
    })
    .optional(),
  shell: z.boolean().optional(),
  value: z.string().optional(),
  arguments: z.array(z.string()).optional(),
  user: z.string().optional(),
});
export type MesosCommandInfo = z.infer<typeof MesosCommandInfo>;

export const MesosContainerInfo = z.object({
  type: z.enum(["DOCKER", "MESOS"]),
  volumes: z
    .array(
      z.object({
        container_path: z.string(),
        host_path: z.string().optional(),
        mode: z.enum(["RW", "RO"]).optional(),
        image: z.unknown().optional(),
        source: z.unknown().optional(),
      }),
    )
    .optional(),
  docker: z
    .object({
      image: z.string(),
      network: z.enum(["HOST", "BRIDGE", "NONE", "USER"]).optional(),
      port_mappings: z
        .array(
          z.object({
            host_port: z.number().int(),
            container_port: z.number().int(),
            protocol: z.string().optional(),
          }),
        )
        .optional(),
      privileged: z.boolean().optional(),
      parameters: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
      force_pull_image: z.boolean().optional(),
    })
    .optional(),
  mesos: z.object({ image: z.unknown().optional() }).optional(),
});
export type MesosContainerInfo = z.infer<typeof MesosContainerInfo>;

export const MesosHealthCheck = z.object({
  type: z.enum(["UNKNOWN", "COMMAND", "HTTP", "TCP"]).optional(),
  delay_seconds: z.number().optional(),
  interval_seconds: z.number().optional(),
  timeout_seconds: z.number().optional(),
  consecutive_failures: z.number().int().optional(),
  grace_period_seconds: z.number().optional(),
  command: MesosCommandInfo.optional(),
  http: z
    .object({ port: z.number().int(), path: z.string().optional(), scheme: z.string().optional() })
    .optional(),
  tcp: z.object({ port: z.number().int() }).optional(),
});
export type MesosHealthCheck = z.infer<typeof MesosHealthCheck>;

export const MesosKillPolicy = z.object({ grace_period: nanos.optional() });

/** Mesos' `ExecutorInfo`: a framework's own executor, run from its command (type CUSTOM, the default). */
export const MesosExecutorInfo = z.object({
  type: z.enum(["UNKNOWN", "DEFAULT", "CUSTOM"]).optional(),
  executor_id: MesosId,
  framework_id: MesosId.optional(),
  name: z.string().optional(),
  command: MesosCommandInfo.optional(),
  container: MesosContainerInfo.optional(),
  resources: z.array(MesosResource).default([]),
  shutdown_grace_period: nanos.optional(),
  labels: MesosLabels.optional(),
});
export type MesosExecutorInfo = z.infer<typeof MesosExecutorInfo>;

export const MesosTaskInfo = z.object({
  name: z.string(),
  task_id: MesosId,
  agent_id: MesosId,
  resources: z.array(MesosResource).default([]),
  executor: MesosExecutorInfo.optional(),
  command: MesosCommandInfo.optional(),
  data: z.string().optional(),
  container: MesosContainerInfo.optional(),
  health_check: MesosHealthCheck.optional(),
  kill_policy: MesosKillPolicy.optional(),
  labels: MesosLabels.optional(),
  max_completion_time: nanos.optional(),
});
export type MesosTaskInfo = z.infer<typeof MesosTaskInfo>;

export const MesosFilters = z.object({ refuse_seconds: z.number().optional() });

export const MesosOperation = z.object({
  type: z.string(),
  id: MesosId.optional(),
  launch: z.object({ task_infos: z.array(MesosTaskInfo).default([]) }).optional(),
  launch_group: z
    .object({
      executor: z.object({ executor_id: MesosId }).loose(),
      task_group: z.object({ tasks: z.array(MesosTaskInfo).default([]) }),
    })
    .optional(),
  reserve: z.object({ resources: z.array(MesosResource).default([]) }).optional(),
  unreserve: z.object({ resources: z.array(MesosResource).default([]) }).optional(),
});
export type MesosOperation = z.infer<typeof MesosOperation>;

export const MesosFrameworkInfo = z.object({
  user: z.string().optional(),
  name: z.string(),
  id: MesosId.optional(),
  failover_timeout: z.number().optional(),
  checkpoint: z.boolean().optional(),
  role: z.string().optional(),
  roles: z.array(z.string()).optional(),
  hostname: z.string().optional(),
  principal: z.string().optional(),
  webui_url: z.string().optional(),
  capabilities: z.array(z.object({ type: z.string() })).optional(),
  labels: MesosLabels.optional(),
});
export type MesosFrameworkInfo = z.infer<typeof MesosFrameworkInfo>;

/** The scheduler calls Mesos defines; each carries its message under the snake_case of its type. */
export const SCHEDULER_CALL_TYPES = [
  "SUBSCRIBE",
  "TEARDOWN",
  "ACCEPT",
  "DECLINE",
  "ACCEPT_INVERSE_OFFERS",
  "DECLINE_INVERSE_OFFERS",
  "REVIVE",
  "KILL",
  "SHUTDOWN",
  "ACKNOWLEDGE",
  "ACKNOWLEDGE_OPERATION_STATUS",
  "RECONCILE",
  "RECONCILE_OPERATIONS",
  "MESSAGE",
  "REQUEST",
  "SUPPRESS",
  "UPDATE_FRAMEWORK",
] as const;

const offerIds = z.array(MesosId).default([]);

/** Mesos' `scheduler::Call`. */
export const MesosSchedulerCall = z.object({
  type: z.enum(SCHEDULER_CALL_TYPES),
  framework_id: MesosId.optional(),
  subscribe: z
    .object({ framework_info: MesosFrameworkInfo, suppressed_roles: z.array(z.string()).optional() })
    .optional(),
  accept: z
    .object({
      offer_ids: offerIds,
      operations: z.array(MesosOperation).default([]),
      filters: MesosFilters.optional(),
    })
    .optional(),
  decline: z.object({ offer_ids: offerIds, filters: MesosFilters.optional() }).optional(),
  revive: z.object({ role: z.string().optional(), roles: z.array(z.string()).optional() }).optional(),
  suppress: z.object({ roles: z.array(z.string()).optional() }).optional(),
  kill: z
    .object({ task_id: MesosId, agent_id: MesosId.optional(), kill_policy: MesosKillPolicy.optional() })
    .optional(),
  shutdown: z.object({ executor_id: MesosId, agent_id: MesosId }).optional(),
  acknowledge: z.object({ agent_id: MesosId, task_id: MesosId, uuid: z.string() }).optional(),
  reconcile: z
    .object({
      tasks: z.array(z.object({ task_id: MesosId, agent_id: MesosId.optional() })).default([]),
    })
    .optional(),
  message: z.object({ agent_id: MesosId, executor_id: MesosId, data: z.string() }).optional(),
  request: z.object({ requests: z.array(z.unknown()).default([]) }).optional(),
  update_framework: z
    .object({ framework_info: MesosFrameworkInfo, suppressed_roles: z.array(z.string()).optional() })
    .optional(),
});
export type MesosSchedulerCall = z.infer<typeof MesosSchedulerCall>;

/** The operator calls Mesos defines (master side). */
export const OPERATOR_CALL_TYPES = [
  "GET_HEALTH",
  "GET_FLAGS",
  "GET_VERSION",
  "GET_METRICS",
  "GET_LOGGING_LEVEL",
  "SET_LOGGING_LEVEL",
  "LIST_FILES",
  "READ_FILE",
  "GET_STATE",
  "GET_AGENTS",
  "GET_FRAMEWORKS",
  "GET_EXECUTORS",
  "GET_OPERATIONS",
  "GET_TASKS",
  "GET_ROLES",
  "GET_WEIGHTS",
  "UPDATE_WEIGHTS",
  "GET_MASTER",
  "SUBSCRIBE",
  "RESERVE_RESOURCES",
  "UNRESERVE_RESOURCES",
  "CREATE_VOLUMES",
  "DESTROY_VOLUMES",
  "GROW_VOLUME",
  "SHRINK_VOLUME",
  "GET_MAINTENANCE_STATUS",
  "GET_MAINTENANCE_SCHEDULE",
  "UPDATE_MAINTENANCE_SCHEDULE",
  "START_MAINTENANCE",
  "STOP_MAINTENANCE",
  "DRAIN_AGENT",
  "DEACTIVATE_AGENT",
  "REACTIVATE_AGENT",
  "GET_QUOTA",
  "UPDATE_QUOTA",
  "SET_QUOTA",
  "REMOVE_QUOTA",
  "TEARDOWN",
  "MARK_AGENT_GONE",
] as const;

const scalarMap = z.record(z.string(), z.object({ value: z.number() }));

/** Mesos' `master::Call` (the parts of it this master acts on). */
export const MesosOperatorCall = z.object({
  type: z.enum(OPERATOR_CALL_TYPES),
  update_weights: z.object({ weight_infos: z.array(z.unknown()).default([]) }).optional(),
  update_quota: z
    .object({
      force: z.boolean().optional(),
      quota_configs: z
        .array(z.object({ role: z.string(), guarantees: scalarMap.optional(), limits: scalarMap.optional() }))
        .default([]),
    })
    .optional(),
  reserve_resources: z
    .object({ agent_id: MesosId, resources: z.array(MesosResource).default([]) })
    .optional(),
  unreserve_resources: z
    .object({ agent_id: MesosId, resources: z.array(MesosResource).default([]) })
    .optional(),
  update_maintenance_schedule: z.object({ schedule: z.unknown() }).optional(),
  start_maintenance: z.object({ machines: z.array(z.unknown()).default([]) }).optional(),
  stop_maintenance: z.object({ machines: z.array(z.unknown()).default([]) }).optional(),
  mark_agent_gone: z.object({ agent_id: MesosId }).optional(),
  teardown: z.object({ framework_id: MesosId }).optional(),
});
export type MesosOperatorCall = z.infer<typeof MesosOperatorCall>;

/**
 * Parses Mesos JSON with `schema` (`null`s read as unset fields, as Mesos reads them); what does not
 * fit fails naming the field, in Mesos' words.
 */
export function parseMesos<S extends z.ZodType>(schema: S, json: unknown, message: string): z.infer<S> {
  const parsed = schema.safeParse(withoutNulls(json));
  if (parsed.success) return parsed.data;
  const issue = firstIssue(parsed.error);
  const field = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
  throw new MesosV1Error(field, `Failed to convert JSON into ${message} protobuf: ${issue.message}`);
}
