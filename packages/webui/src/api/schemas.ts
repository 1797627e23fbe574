import { z } from "zod";

/** Mesos' resources object (`{cpus, mem, disk, gpus, ports: "[31000-32000]"}`), scalars made numbers. */
export const Resources = z.record(z.string(), z.union([z.number(), z.string()])).transform((r) => ({
  cpus: num(r.cpus),
  mem: num(r.mem),
  disk: num(r.disk),
  gpus: num(r.gpus),
  ports: typeof r.ports === "string" ? r.ports : "",
}));
export type Resources = z.output<typeof Resources>;

function num(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

export const TaskStatus = z.object({
  state: z.string(),
  timestamp: z.number(),
  healthy: z.boolean().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  /** Agora's agents report a command's exit code here (Mesos only has it in the message). */
  container_status: z.object({ exitCode: z.number().optional() }).optional(),
});
export type TaskStatus = z.output<typeof TaskStatus>;

export const Task = z
  .object({
    id: z.string(),
    name: z.string(),
    framework_id: z.string(),
    slave_id: z.string(),
    state: z.string(),
    role: z.string().optional(),
    resources: Resources,
    statuses: z.array(TaskStatus),
  })
  .transform((t) => {
    const last = t.statuses[t.statuses.length - 1];
    return {
      ...t,
      key: `${t.framework_id}/${t.id}`,
      updatedAt: last?.timestamp ?? 0,
      healthy: last?.healthy,
      exitCode: last?.container_status?.exitCode,
    };
  });
export type Task = z.output<typeof Task>;

export const Offer = z.object({
  id: z.string(),
  framework_id: z.string(),
  slave_id: z.string(),
  resources: Resources,
});

export const Agent = z.object({
  id: z.string(),
  hostname: z.string(),
  port: z.number(),
  attributes: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  registered_time: z.number(),
  resources: Resources,
  used_resources: Resources,
  offered_resources: Resources,
  reserved_resources: z.record(z.string(), Resources).default({}),
  active: z.boolean(),
  version: z.string().optional(),
  capabilities: z.array(z.string()).default([]),
});
export type Agent = z.output<typeof Agent>;

export const Framework = z.object({
  id: z.string(),
  name: z.string(),
  hostname: z.string().default(""),
  webui_url: z.string().default(""),
  active: z.boolean(),
  connected: z.boolean(),
  role: z.string(),
  roles: z.array(z.string()).default([]),
  principal: z.string().optional(),
  registered_time: z.number(),
  unregistered_time: z.number().default(0),
  dominant_share: z.number().default(0),
  used_resources: Resources,
  offered_resources: Resources,
  tasks: z.array(Task),
  unreachable_tasks: z.array(Task).default([]),
  completed_tasks: z.array(Task).default([]),
  offers: z.array(Offer).default([]),
});
export type Framework = z.output<typeof Framework>;

export const MasterState = z.object({
  version: z.string(),
  id: z.string(),
  hostname: z.string(),
  cluster: z.string().default(""),
  start_time: z.number(),
  elected_time: z.number().optional(),
  leader_info: z.object({ hostname: z.string(), port: z.number() }).optional(),
  activated_slaves: z.number(),
  deactivated_slaves: z.number(),
  unreachable_slaves: z.number(),
  slaves: z.array(Agent),
  frameworks: z.array(Framework),
  completed_frameworks: z.array(Framework).default([]),
});
export type MasterState = z.output<typeof MasterState>;

const Scalars = z.object({ cpus: z.number(), mem: z.number(), disk: z.number(), gpus: z.number() });
export type Scalars = z.output<typeof Scalars>;
export const UsageSample = z.object({ t: z.number(), total: Scalars, allocated: Scalars, offered: Scalars });
export type UsageSample = z.output<typeof UsageSample>;
export const Usage = z.object({
  intervalMs: z.number(),
  samples: z.array(UsageSample),
  current: UsageSample,
});
export type Usage = z.output<typeof Usage>;

export const Role = z.object({
  name: z.string(),
  weight: z.number(),
  frameworks: z.array(z.string()),
  allocated: Resources,
  reserved: Resources,
  dominant_share: z.number(),
  quota: z.object({
    guarantee: z.record(z.string(), z.number()),
    limit: z.record(z.string(), z.number()),
  }),
});
export type Role = z.output<typeof Role>;
export const Roles = z.object({ roles: z.array(Role) });

export const ClusterEvent = z.object({
  id: z.string(),
  at: z.number(),
  kind: z.enum(["agent", "framework", "task", "offer", "role", "maintenance"]),
  op: z.enum(["added", "updated", "removed"]),
  key: z.string(),
  data: z.unknown().optional(),
});
export type ClusterEvent = z.output<typeof ClusterEvent>;
export const RecentEvents = z.object({ lastEventId: z.string(), events: z.array(ClusterEvent) });

const MachineId = z.object({ hostname: z.string().optional(), ip: z.string().optional() });
export type MachineId = z.output<typeof MachineId>;
export const MaintenanceSchedule = z.object({
  windows: z.array(
    z.object({
      machine_ids: z.array(MachineId),
      unavailability: z.unknown(),
    }),
  ),
});
export type MaintenanceSchedule = z.output<typeof MaintenanceSchedule>;
export const MaintenanceStatus = z.object({
  draining_machines: z.array(z.object({ id: MachineId })),
  down_machines: z.array(MachineId),
});
export type MaintenanceStatus = z.output<typeof MaintenanceStatus>;

export const SandboxEntry = z.object({
  path: z.string(),
  size: z.number(),
  mtime: z.number(),
  mode: z.string(),
  uid: z.union([z.string(), z.number()]).optional(),
  gid: z.union([z.string(), z.number()]).optional(),
  nlink: z.number().optional(),
});
export type SandboxEntry = z.output<typeof SandboxEntry>;
export const FileRead = z.object({ data: z.string(), offset: z.number() });

/** The agent's `/state`, only as far as finding a task's sandbox directory. */
export const AgentState = z.object({
  frameworks: z.array(
    z.object({
      id: z.string(),
      executors: z.array(z.object({ id: z.string(), directory: z.string() })).default([]),
    }),
  ),
});

/** The master's `GET /login`: whether it has principals at all, and which requests need a login. */
export const LoginInfo = z.object({
  credentials: z.boolean(),
  authenticateReadonly: z.boolean(),
  authenticateReadwrite: z.boolean(),
});
