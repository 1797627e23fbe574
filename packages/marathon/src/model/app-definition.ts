import { z } from "zod";
import { AppId, PathId } from "./path-id.js";

/**
 * Marathon's app JSON with Marathon's defaults. Unknown fields are dropped rather than refused, so app
 * JSON written for any Marathon 1.x loads unchanged; read-only fields a client echoes back
 * (`tasksRunning`, `deployments`, …) are dropped the same way.
 */

const Labels = z.record(z.string(), z.string());

const PortName = z.string().regex(/^[a-z0-9-]+$/, "port names are lowercase letters, digits and hyphens");

export const PortDefinition = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  protocol: z.enum(["tcp", "udp", "udp,tcp", "tcp,udp"]).default("tcp"),
  name: PortName.optional(),
  labels: Labels.default({}),
});
export type PortDefinition = z.output<typeof PortDefinition>;

export const PortMapping = z.object({
  containerPort: z.number().int().min(0).max(65535).default(0),
  hostPort: z.number().int().min(0).max(65535).optional(),
  servicePort: z.number().int().min(0).max(65535).default(0),
  protocol: z.enum(["tcp", "udp", "udp,tcp", "tcp,udp"]).default("tcp"),
  name: PortName.optional(),
  labels: Labels.default({}),
});
export type PortMapping = z.output<typeof PortMapping>;

export const DockerContainer = z.object({
  image: z.string().min(1, "a docker image is required"),
  network: z.enum(["HOST", "BRIDGE", "USER", "NONE"]).optional(),
  portMappings: z.array(PortMapping).optional(),
  parameters: z.array(z.object({ key: z.string().min(1), value: z.string() })).default([]),
  forcePullImage: z.boolean().default(false),
  privileged: z.boolean().default(false),
});

export const Container = z.object({
  type: z.enum(["DOCKER", "MESOS"]).default("DOCKER"),
  docker: DockerContainer.optional(),
  /** Marathon ≥ 1.5 keeps port mappings on the container rather than under `docker`. */
  portMappings: z.array(PortMapping).optional(),
  volumes: z
    .array(
      z.object({
        containerPath: z.string().min(1),
        hostPath: z.string().min(1).optional(),
        mode: z.enum(["RO", "RW"]).default("RW"),
      }),
    )
    .default([]),
});
export type Container = z.output<typeof Container>;

export const Network = z.object({
  mode: z.enum(["host", "container", "container/bridge"]).default("host"),
  name: z.string().optional(),
  labels: Labels.default({}),
});

export const ConstraintOperator = z.enum([
  "UNIQUE",
  "CLUSTER",
  "GROUP_BY",
  "LIKE",
  "UNLIKE",
  "MAX_PER",
  "IS",
]);
export type ConstraintOperator = z.output<typeof ConstraintOperator>;

/**
 * `[field, OPERATOR, value?]` as Marathon's app JSON writes it; the object form of newer clients
 * (`{fieldName, operator, value}`) is read into the same tuple.
 */
export const Constraint = z
  .union([
    z.tuple([z.string().min(1), ConstraintOperator]),
    z.tuple([z.string().min(1), ConstraintOperator, z.string()]),
    z
      .object({ fieldName: z.string().min(1), operator: ConstraintOperator, value: z.string().optional() })
      .transform((c) =>
        c.value === undefined ? [c.fieldName, c.operator] : [c.fieldName, c.operator, c.value],
      ),
  ])
  .transform((c) => ({
    field: c[0],
    operator: c[1] as ConstraintOperator,
    value: c[2] as string | undefined,
  }))
  .superRefine((c, ctx) => {
    const needsValue =
      c.operator === "LIKE" || c.operator === "UNLIKE" || c.operator === "MAX_PER" || c.operator === "IS";
    if (needsValue && c.value === undefined)
      ctx.addIssue({ code: "custom", message: `${c.operator} needs a value` });
    if (c.operator === "MAX_PER" && c.value !== undefined && !/^[1-9][0-9]*$/.test(c.value))
      ctx.addIssue({ code: "custom", message: "MAX_PER needs a positive integer value" });
    if ((c.operator === "LIKE" || c.operator === "UNLIKE") && c.value !== undefined) {
      try {
        new RegExp(c.value);
      } catch {
        ctx.addIssue({ code: "custom", message: `'${c.value}' is not a valid regular expression` });
      }
    }
    if (c.operator === "GROUP_BY" && c.value !== undefined && !/^[1-9][0-9]*$/.test(c.value))
      ctx.addIssue({ code: "custom", message: "GROUP_BY takes an optional positive integer value" });
  });
export type Constraint = z.output<typeof Constraint>;

export const HealthCheckDefinition = z.object({
  protocol: z
    .enum(["HTTP", "HTTPS", "TCP", "COMMAND", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP"])
    .default("HTTP"),
  path: z.string().optional(),
  portIndex: z.number().int().min(0).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  command: z.object({ value: z.string().min(1) }).optional(),
  gracePeriodSeconds: z.number().int().min(0).default(300),
  intervalSeconds: z.number().int().min(0).default(60),
  timeoutSeconds: z.number().int().min(0).default(20),
  maxConsecutiveFailures: z.number().int().min(0).default(3),
  delaySeconds: z.number().int().min(0).default(15),
  ignoreHttp1xx: z.boolean().default(false),
});
export type HealthCheckDefinition = z.output<typeof HealthCheckDefinition>;

export const ReadinessCheck = z.object({
  name: z.string().default("readinessCheck"),
  protocol: z.enum(["HTTP", "HTTPS"]).default("HTTP"),
  path: z.string().default("/"),
  portName: z.string().default("http-api"),
  intervalSeconds: z.number().int().min(1).default(30),
  timeoutSeconds: z.number().int().min(1).default(10),
  httpStatusCodesForReady: z.array(z.number().int()).default([200]),
  preserveLastResponse: z.boolean().default(false),
});
export type ReadinessCheck = z.output<typeof ReadinessCheck>;

export const UpgradeStrategy = z.object({
  minimumHealthCapacity: z.number().min(0).max(1).default(1),
  maximumOverCapacity: z.number().min(0).max(1).default(1),
});
export type UpgradeStrategy = z.output<typeof UpgradeStrategy>;

export const FetchUri = z.object({
  uri: z.string().min(1),
  executable: z.boolean().default(false),
  extract: z.boolean().default(true),
  cache: z.boolean().default(false),
  destPath: z.string().optional(),
});

export const UnreachableStrategy = z.union([
  z.literal("disabled"),
  z.object({
    inactiveAfterSeconds: z.number().int().min(0).default(0),
    expungeAfterSeconds: z.number().int().min(0).default(0),
  }),
]);

export const VersionInfo = z.object({
  lastScalingAt: z.string(),
  lastConfigChangeAt: z.string(),
});
export type VersionInfo = z.output<typeof VersionInfo>;

const DEFAULT_PORT_DEFINITIONS = [{ port: 0, protocol: "tcp" as const, name: "default", labels: {} }];

const AppFields = z.object({
  id: AppId,
  cmd: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  user: z.string().optional(),
  env: z.record(z.string(), z.string()).default({}),
  instances: z.number().int().min(0).default(1),
  cpus: z.number().min(0.001, "cpus must be at least 0.001").default(1),
  mem: z.number().min(0).default(128),
  disk: z.number().min(0).default(0),
  gpus: z.number().int().min(0).default(0),
  executor: z.string().default(""),
  constraints: z.array(Constraint).default([]),
  /** Deprecated in Marathon 1.x but still sent by old clients; read into `fetch`. */
  uris: z.array(z.string()).optional(),
  fetch: z.array(FetchUri).default([]),
  storeUrls: z.array(z.string()).default([]),
  /** Deprecated numeric form of `portDefinitions`. */
  ports: z.array(z.number().int().min(0).max(65535)).optional(),
  portDefinitions: z.array(PortDefinition).optional(),
  requirePorts: z.boolean().default(false),
  backoffSeconds: z.number().min(0).default(1),
  backoffFactor: z.number().min(1).default(1.15),
  maxLaunchDelaySeconds: z.number().min(0).default(300),
  container: Container.optional(),
  networks: z.array(Network).optional(),
  healthChecks: z.array(HealthCheckDefinition).default([]),
  readinessChecks: z.array(ReadinessCheck).default([]),
  dependencies: z.array(PathId).default([]),
  upgradeStrategy: UpgradeStrategy.prefault({}),
  labels: Labels.default({}),
  acceptedResourceRoles: z.array(z.string().min(1)).optional(),
  role: z.string().min(1).optional(),
  killSelection: z.enum(["YOUNGEST_FIRST", "OLDEST_FIRST"]).default("YOUNGEST_FIRST"),
  taskKillGracePeriodSeconds: z.number().min(0).optional(),
  unreachableStrategy: UnreachableStrategy.optional(),
  secrets: z.record(z.string(), z.unknown()).default({}),
  /** Stamped by Marathon on every stored change; a client may send it back unchanged. */
  version: z.string().optional(),
  versionInfo: VersionInfo.optional(),
});

/**
 * A validated app definition: Marathon's JSON in, Marathon's defaults applied, deprecated forms
 * (`ports`, `uris`) read into their successors, and `portDefinitions` defaulted as Marathon does
 * (one port named `default` unless the container maps its own ports).
 */
export const AppDefinition = AppFields.superRefine((app, ctx) => {
  if (app.cmd !== undefined && app.args !== undefined)
    ctx.addIssue({
      code: "custom",
      path: ["cmd"],
      message: "AppDefinition must not contain both 'cmd' and 'args'",
    });
  if (app.cmd === undefined && app.args === undefined && app.container?.docker === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["cmd"],
      message: "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'",
    });
  if (app.ports !== undefined && app.portDefinitions !== undefined)
    ctx.addIssue({
      code: "custom",
      path: ["ports"],
      message: "use either 'ports' or 'portDefinitions', not both",
    });
  const definitions = app.portDefinitions ?? [];
  uniqueness(
    ctx,
    ["portDefinitions"],
    definitions.map((p) => p.name).filter((n) => n !== undefined),
    "port names",
  );
  uniqueness(
    ctx,
    ["portDefinitions"],
    definitions.map((p) => p.port).filter((p) => p !== 0),
    "ports",
  );
  if (app.requirePorts && definitions.some((p) => p.port === 0))
    ctx.addIssue({
      code: "custom",
      path: ["requirePorts"],
      message: "requirePorts needs every port to be non-zero",
    });
  app.healthChecks.forEach((check, i) => {
    if (check.protocol === "COMMAND" && check.command === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["healthChecks", i, "command"],
        message: "a COMMAND health check needs a command",
      });
    if (check.portIndex !== undefined && check.port !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["healthChecks", i],
        message: "use either portIndex or port, not both",
      });
  });
}).transform((app) => {
  const { ports, uris, ...rest } = app;
  const containerMapsPorts =
    (app.container?.portMappings?.length ?? 0) > 0 || (app.container?.docker?.portMappings?.length ?? 0) > 0;
  const portDefinitions =
    app.portDefinitions ??
    ports?.map((port) => ({ port, protocol: "tcp" as const, labels: {} })) ??
    (containerMapsPorts ? [] : DEFAULT_PORT_DEFINITIONS);
  const fetch =
    uris === undefined ? app.fetch : [...app.fetch, ...uris.map((uri) => FetchUri.parse({ uri }))];
  return { ...rest, portDefinitions, fetch };
});
export type AppDefinition = z.output<typeof AppDefinition>;
/** App JSON as a client may send it: everything but `id` optional. */
export type AppDefinitionInput = z.input<typeof AppDefinition>;

/**
 * An app as Marathon stores it: `AppDefinition`'s output, read back without re-running the request
 * rules (a stored app passed them when it was written). Constraints are kept in their parsed
 * `{field, operator, value}` form, which the request form would not accept, and `ports`/`uris` are
 * already folded into `portDefinitions`/`fetch`.
 */
export const StoredApp = AppFields.omit({ ports: true, uris: true }).extend({
  portDefinitions: z.array(PortDefinition),
  constraints: z.array(
    z
      .object({ field: z.string().min(1), operator: ConstraintOperator, value: z.string().optional() })
      .strict()
      .transform((c) => ({ field: c.field, operator: c.operator, value: c.value })),
  ),
}) satisfies z.ZodType<AppDefinition>;

function uniqueness(ctx: z.RefinementCtx, path: string[], values: readonly unknown[], what: string): void {
  const seen = new Set<unknown>();
  for (const v of values) {
    if (seen.has(v))
      ctx.addIssue({ code: "custom", path, message: `${what} must be unique, '${String(v)}' repeats` });
    seen.add(v);
  }
}

/** The ports an app's tasks need from an offer: one per port definition or host-mapped container port. */
export function requiredPortCount(app: AppDefinition): number {
  const mappings = app.container?.portMappings ?? app.container?.docker?.portMappings;
  if (mappings !== undefined && mappings.length > 0)
    return mappings.filter((m) => m.hostPort !== undefined).length;
  return app.portDefinitions.length;
}
