import { z } from "zod";

/**
 * An ACL entity as Mesos writes it: `{"values": [...]}` (some), `{"type": "ANY"}` or `{"type": "NONE"}`.
 * NONE matches everything and allows nothing, so a rule with it denies.
 */
export const AclEntity = z.union([
  z.strictObject({ type: z.enum(["ANY", "NONE"]) }),
  z.strictObject({ type: z.literal("SOME").optional(), values: z.array(z.string()).min(1) }),
]);
export type AclEntity = z.infer<typeof AclEntity>;

/**
 * Each action Agora authorizes and the name of its object field, as in Mesos' `acls.proto` (its actions
 * keep their names); `update_apps` and `update_jobs` are Marathon's and Chronos' writes, by app id and job name,
 * and `view_apps` and `view_jobs` what their reads show (Mesos defines no action for either framework).
 */
export const aclActions = {
  register_frameworks: "roles",
  register_agents: "agents",
  run_tasks: "users",
  teardown_frameworks: "framework_principals",
  reserve_resources: "roles",
  unreserve_resources: "reserver_principals",
  create_volumes: "roles",
  destroy_volumes: "creator_principals",
  get_quotas: "roles",
  update_quotas: "roles",
  view_roles: "roles",
  update_weights: "roles",
  view_frameworks: "users",
  view_tasks: "users",
  view_executors: "users",
  view_containers: "users",
  access_sandboxes: "users",
  get_endpoints: "paths",
  view_flags: "flags",
  get_maintenance_schedules: "machines",
  update_maintenance_schedules: "machines",
  start_maintenances: "machines",
  stop_maintenances: "machines",
  mark_agents_gone: "agents",
  update_apps: "apps",
  view_apps: "apps",
  update_jobs: "jobs",
  view_jobs: "jobs",
} as const;
export type AclAction = keyof typeof aclActions;

/** One rule: its principals and the action's object field (`roles`, `users`, …). */
export type AclRule = { principals: AclEntity } & Record<string, AclEntity>;

const rule = (objectField: string): z.ZodType<AclRule> =>
  z.strictObject({ principals: AclEntity, [objectField]: AclEntity }) as unknown as z.ZodType<AclRule>;

const rules = Object.fromEntries(
  Object.entries(aclActions).map(([action, field]) => [action, z.array(rule(field)).optional()]),
) as Record<AclAction, z.ZodOptional<z.ZodArray<z.ZodType<AclRule>>>>;

/** Mesos' ACL JSON (`--acls`): ordered rules per action; `permissive` (default true) decides when none matches. */
export const Acls = z.strictObject({ permissive: z.boolean().default(true), ...rules });
export type Acls = z.infer<typeof Acls>;
