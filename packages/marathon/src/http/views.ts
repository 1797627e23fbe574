import type { FastifyReply } from "fastify";
import type { AppDefinition } from "../model/app-definition.js";
import { appJson } from "../model/app-json.js";
import { affectedApps, type DeploymentPlan } from "../model/deployment.js";
import type { Group } from "../model/group.js";
import type { Instance } from "../model/instance.js";
import type { MarathonService, QueuedLaunch, RunningDeployment } from "../service.js";

/** Marathon's JSON views of apps, tasks, groups, deployments and queue entries, as clients read them. */

type Json = Record<string, unknown>;

const STAGED = new Set(["TASK_STAGING", "TASK_STARTING"]);

/** `GET /v2/tasks` and friends: a task as Marathon shows it. */
export function taskJson(instance: Instance, app: AppDefinition | undefined): Json {
  const checked = (app?.healthChecks.length ?? 0) > 0;
  return {
    id: instance.taskId,
    appId: instance.appId,
    host: instance.host,
    ports: instance.ports,
    servicePorts: app ? servicePorts(app) : [],
    slaveId: instance.agentId,
    state: instance.state,
    stagedAt: instance.stagedAt,
    ...(instance.startedAt ? { startedAt: instance.startedAt } : {}),
    version: instance.version,
    healthCheckResults:
      checked && instance.healthy !== undefined
        ? [
            {
              alive: instance.healthy,
              consecutiveFailures: instance.healthy ? 0 : 1,
              firstSuccess: null,
              lastFailure: null,
              lastSuccess: null,
              lastFailureCause: null,
              instanceId: instance.taskId,
            },
          ]
        : [],
    ipAddresses: /^\d+\.\d+\.\d+\.\d+$/.test(instance.host)
      ? [{ ipAddress: instance.host, protocol: "IPv4" }]
      : [],
    localVolumes: [],
    role: instance.role,
    ...(instance.message ? { message: instance.message } : {}),
  };
}

/** The ports a load balancer sees for an app: its port definitions' (or container mappings') ports. */
export function servicePorts(app: AppDefinition): number[] {
  const mappings = app.container?.portMappings ?? app.container?.docker?.portMappings;
  if (mappings !== undefined && mappings.length > 0) return mappings.map((m) => m.servicePort);
  return app.portDefinitions.map((p) => p.port);
}

export interface AppEmbed {
  tasks: boolean;
  counts: boolean;
  deployments: boolean;
  lastTaskFailure: boolean;
  readiness: boolean;
  taskStats: boolean;
}

/**
 * `embed` values (`apps.tasks`, `app.counts`, …, also the deprecated `apps.failures`) as flags.
 * Counts and deployments are always shown, as Marathon 1.x does.
 */
export function appEmbed(values: readonly string[], prefix: "apps" | "app" | "group.apps"): AppEmbed {
  const has = (what: string) => values.includes(`${prefix}.${what}`);
  return {
    tasks: has("tasks") || has("failures"),
    counts: true,
    deployments: true,
    lastTaskFailure: has("lastTaskFailure") || has("failures"),
    readiness: has("readiness"),
    taskStats: has("taskStats"),
  };
}

/** An app with the read-only fields Marathon adds to it. */
export function appView(app: AppDefinition, service: MarathonService, embed: AppEmbed): Json {
  const out: Json = appJson(app);
  const instances = service.instances(app.id);
  if (embed.counts) Object.assign(out, counts(app, instances));
  if (embed.deployments)
    out.deployments = service
      .deployments()
      .filter((d) => affectedApps(d.plan).includes(app.id))
      .map((d) => ({ id: d.plan.id }));
  if (embed.readiness) out.readinessCheckResults = [];
  if (embed.tasks) out.tasks = instances.map((i) => taskJson(i, app));
  if (embed.lastTaskFailure) {
    const failure = service.lastTaskFailure(app.id);
    if (failure) out.lastTaskFailure = failure;
  }
  if (embed.taskStats) out.taskStats = taskStats(app, instances);
  return out;
}

function counts(app: AppDefinition, instances: readonly Instance[]) {
  const checked = app.healthChecks.length > 0;
  return {
    tasksStaged: instances.filter((i) => STAGED.has(i.state)).length,
    tasksRunning: instances.filter((i) => i.state === "TASK_RUNNING").length,
    tasksHealthy: checked ? instances.filter((i) => i.healthy === true).length : 0,
    tasksUnhealthy: checked ? instances.filter((i) => i.healthy === false).length : 0,
  };
}

/** Marathon's `taskStats`: counts per task age class; Agora keeps only the `totalSummary`. */
function taskStats(app: AppDefinition, instances: readonly Instance[]) {
  const c = counts(app, instances);
  return {
    totalSummary: {
      stats: {
        counts: {
          staged: c.tasksStaged,
          running: c.tasksRunning,
          healthy: c.tasksHealthy,
          unhealthy: c.tasksUnhealthy,
        },
      },
    },
  };
}

export interface GroupEmbed {
  groups: boolean;
  apps: boolean;
  app: AppEmbed;
}

export function groupEmbed(values: readonly string[]): GroupEmbed {
  const explicit = values.some((v) => v === "group.groups" || v === "group.apps");
  return {
    groups: !explicit || values.includes("group.groups"),
    apps: !explicit || values.includes("group.apps"),
    app: {
      ...appEmbed(values, "group.apps"),
      counts: values.includes("group.apps.counts"),
      deployments: values.includes("group.apps.deployments"),
    },
  };
}

/** A group as `GET /v2/groups` shows it: apps (with what `embed` asks for) and subgroups. */
export function groupView(group: Group, service: MarathonService, embed: GroupEmbed): Json {
  return {
    id: group.id,
    apps: embed.apps ? group.apps.map((a) => appView(a, service, embed.app)) : [],
    groups: embed.groups ? group.groups.map((g) => groupView(g, service, embed)) : [],
    pods: [],
    dependencies: group.dependencies,
    version: group.version,
  };
}

/** `GET /v2/deployments` entries. */
export function deploymentJson(d: RunningDeployment): Json {
  return {
    id: d.plan.id,
    version: d.plan.version,
    affectedApps: affectedApps(d.plan),
    affectedPods: [],
    steps: d.plan.steps.map((s) => ({ actions: s.actions.map((a) => ({ action: a.action, app: a.app })) })),
    currentActions: d.currentActions,
    currentStep: d.currentStep,
    totalSteps: d.plan.steps.length,
  };
}

/** `GET /v2/queue` entries. */
export function queueJson(q: QueuedLaunch, service: MarathonService, now: number): Json {
  const left = Math.max(0, Math.ceil((q.delayUntil - now) / 1000));
  return {
    count: q.count,
    delay: { timeLeftSeconds: left, overdue: q.delayUntil <= now },
    since: q.since,
    role: q.role,
    processedOffersSummary: q.processedOffersSummary,
    lastUnusedOffers: [],
    app: appView(q.app, service, appEmbed([], "app")),
  };
}

/** A write's answer: `{deploymentId, version}` and the `Marathon-Deployment-Id` header. */
export function deploymentResult(
  reply: FastifyReply,
  plan: DeploymentPlan,
): { deploymentId: string; version: string } {
  reply.header("Marathon-Deployment-Id", plan.id);
  return { deploymentId: plan.id, version: plan.version };
}
