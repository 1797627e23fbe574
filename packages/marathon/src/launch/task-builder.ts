import type {
  CommandInfoInput,
  ContainerInfoInput,
  HealthCheckInput,
  Offer,
  Resource,
  TaskInfoInput,
} from "@agora/protocol";
import type { AppDefinition, HealthCheckDefinition, PortMapping } from "../model/app-definition.js";
import { segmentsOf } from "../model/path-id.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Where one instance of an app goes: the offer, the resources taken from it, the ports, its id. */
export interface Placement {
  offer: Offer;
  resources: Resource[];
  /** Host ports in the order of the app's port definitions (or host-mapped container ports). */
  ports: number[];
  taskId: string;
}

/**
 * The protocol task for one instance of `app` (not yet validated: `TaskInfo.parse` it), as
 * Marathon's TaskBuilder makes it: `cmd` through the shell, `args` without one; the environment
 * Marathon gives its tasks; the Docker container with its port mappings bound to the host ports
 * taken; the app's first health check as the agent-side check; the kill grace period and labels.
 */
export function buildTask(app: AppDefinition, p: Placement): TaskInfoInput {
  const command = commandOf(app, p);
  const container = containerOf(app, p.ports);
  const healthCheck = app.healthChecks[0] && healthCheckOf(app.healthChecks[0], p.ports);
  return {
    taskId: p.taskId,
    name: taskName(app.id),
    agentId: p.offer.agentId,
    resources: p.resources,
    ...(command ? { command } : {}),
    ...(container ? { container } : {}),
    ...(healthCheck ? { healthCheck } : {}),
    ...(app.taskKillGracePeriodSeconds !== undefined
      ? { killPolicy: { gracePeriodSeconds: app.taskKillGracePeriodSeconds } }
      : {}),
    ...(Object.keys(app.labels).length > 0 ? { labels: app.labels } : {}),
  };
}

/** Marathon names a task by its app id's segments, innermost first: `/prod/web` → `web.prod`. */
export function taskName(appId: string): string {
  return segmentsOf(appId).reverse().join(".").slice(0, 512);
}

/**
 * The variables Marathon sets for a task, under the app's own `env`: `PORT0…`, `PORT`, `PORTS`,
 * `PORT_<NAME>` (and `PORT_<containerPort>` for mapped ports), `HOST`, `MESOS_TASK_ID`,
 * `MARATHON_APP_ID`, `MARATHON_APP_VERSION`, `MARATHON_APP_DOCKER_IMAGE`, `MARATHON_APP_RESOURCE_*`,
 * `MARATHON_APP_LABELS` and `MARATHON_APP_LABEL_<NAME>`. Names the environment cannot hold are left out.
 */
function taskEnvironment(app: AppDefinition, p: Placement): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (name: string, value: string): void => {
    if (ENV_NAME.test(name)) env[name] = value;
  };
  set("MESOS_TASK_ID", p.taskId);
  set("HOST", p.offer.hostname);
  set("MARATHON_APP_ID", app.id);
  set("MARATHON_APP_VERSION", app.version ?? "");
  if (app.container?.docker) set("MARATHON_APP_DOCKER_IMAGE", app.container.docker.image);
  set("MARATHON_APP_RESOURCE_CPUS", String(app.cpus));
  set("MARATHON_APP_RESOURCE_MEM", String(app.mem));
  set("MARATHON_APP_RESOURCE_DISK", String(app.disk));
  set("MARATHON_APP_RESOURCE_GPUS", String(app.gpus));
  const labels = Object.entries(app.labels).filter(([k, v]) => v.length <= 512 && ENV_NAME.test(envKey(k)));
  set("MARATHON_APP_LABELS", labels.map(([k]) => envKey(k)).join(" "));
  for (const [k, v] of labels) set(`MARATHON_APP_LABEL_${envKey(k)}`, v);
  for (const [k, v] of Object.entries(app.env)) set(k, v);
  const names = portNames(app);
  p.ports.forEach((port, i) => {
    set(`PORT${i}`, String(port));
    const name = names[i];
    if (name !== undefined) set(`PORT_${envKey(name)}`, String(port));
  });
  mappedPorts(app).forEach((m, i) => {
    const host = p.ports[i];
    if (host !== undefined && m.containerPort !== 0) set(`PORT_${m.containerPort}`, String(host));
  });
  if (p.ports.length > 0) {
    set("PORT", String(p.ports[0]));
    set("PORTS", p.ports.join(","));
  }
  return env;
}

function envKey(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

/** Container port mappings that take a host port, in port order (what `requiredPortCount` counts). */
function mappedPorts(app: AppDefinition): PortMapping[] {
  const mappings = app.container?.portMappings ?? app.container?.docker?.portMappings ?? [];
  return mappings.filter((m) => m.hostPort !== undefined);
}

/**
 * The host ports an instance asks for, one per port: 0 for any, else that exact port — fixed
 * `hostPort`s of mappings, and port definitions when `requirePorts` is set (as Marathon).
 */
export function wantedPorts(app: AppDefinition): number[] {
  const mapped = mappedPorts(app);
  if (mapped.length > 0) return mapped.map((m) => m.hostPort ?? 0);
  return app.portDefinitions.map((d) => (app.requirePorts ? d.port : 0));
}

function portNames(app: AppDefinition): (string | undefined)[] {
  const mapped = mappedPorts(app);
  return mapped.length > 0
    ? mapped.map((m) => m.name)
    : app.portDefinitions.map((d) => ("name" in d ? d.name : undefined));
}

function commandOf(app: AppDefinition, p: Placement): CommandInfoInput | undefined {
  const environment = taskEnvironment(app, p);
  const uris = app.fetch.map((f) => ({
    value: f.uri,
    executable: f.executable,
    extract: f.extract,
    cache: f.cache,
  }));
  const common = {
    environment,
    ...(app.user !== undefined ? { user: app.user } : {}),
    ...(uris.length > 0 ? { uris } : {}),
  };
  if (app.cmd !== undefined) return { shell: true, value: app.cmd, ...common };
  if (app.args !== undefined) return { shell: false, arguments: app.args, ...common };
  // A Docker image run as built: the command carries only the environment (the protocol allows
  // that for docker tasks); without a container the app has nothing to run (its schema refuses it).
  return app.container?.docker ? common : undefined;
}

function containerOf(app: AppDefinition, ports: readonly number[]): ContainerInfoInput | undefined {
  const c = app.container;
  if (c?.docker === undefined)
    return c !== undefined && c.volumes.length > 0 ? { type: "MESOS", volumes: c.volumes } : undefined;
  const network = dockerNetwork(app);
  const portMappings = mappedPorts(app).map((m, i) => {
    const hostPort = ports[i] ?? 0;
    return {
      hostPort,
      containerPort: m.containerPort === 0 ? hostPort : m.containerPort,
      protocol: m.protocol === "udp" ? ("udp" as const) : ("tcp" as const),
    };
  });
  return {
    type: "DOCKER",
    docker: {
      image: c.docker.image,
      network,
      ...(network === "BRIDGE" && portMappings.length > 0 ? { portMappings } : {}),
      ...(c.docker.parameters.length > 0 ? { parameters: c.docker.parameters } : {}),
      forcePullImage: c.docker.forcePullImage,
      privileged: c.docker.privileged,
    },
    ...(c.volumes.length > 0 ? { volumes: c.volumes } : {}),
  };
}

/** Docker's network: `docker.network`, else Marathon 1.5's `networks` mode; user networks run bridged. */
function dockerNetwork(app: AppDefinition): "HOST" | "BRIDGE" | "NONE" {
  const declared = app.container?.docker?.network;
  if (declared !== undefined) return declared === "USER" ? "BRIDGE" : declared;
  const mode = app.networks?.[0]?.mode;
  return mode === undefined || mode === "host" ? "HOST" : "BRIDGE";
}

/**
 * Marathon's health check as the agent runs it. HTTP(S) and TCP check the host port at `portIndex`
 * (or the fixed `port`); without such a port there is nothing to check. `maxConsecutiveFailures: 0`
 * (Marathon: never kill) becomes a count no check reaches.
 */
function healthCheckOf(check: HealthCheckDefinition, ports: readonly number[]): HealthCheckInput | undefined {
  const timing = {
    delaySeconds: check.delaySeconds,
    intervalSeconds: Math.max(check.intervalSeconds, 1),
    timeoutSeconds: Math.max(check.timeoutSeconds, 1),
    consecutiveFailures:
      check.maxConsecutiveFailures > 0 ? check.maxConsecutiveFailures : Number.MAX_SAFE_INTEGER,
    gracePeriodSeconds: check.gracePeriodSeconds,
  };
  if (check.protocol === "COMMAND")
    return (
      check.command && { type: "COMMAND", command: { shell: true, value: check.command.value }, ...timing }
    );
  const port = check.port ?? ports[check.portIndex ?? 0];
  if (port === undefined || port === 0) return undefined;
  if (check.protocol === "TCP" || check.protocol === "MESOS_TCP")
    return { type: "TCP", tcp: { port }, ...timing };
  const scheme = check.protocol === "HTTPS" || check.protocol === "MESOS_HTTPS" ? "https" : "http";
  return { type: "HTTP", http: { port, path: check.path ?? "/", scheme }, ...timing };
}
