// TEMPORARY stand-in written by Engineer R so the runtime can run before Engineer P's matchOffers
// lands (no constraints, no port env); P's real module replaces this whole file. Never committed.
import { packTasks, type TaskSpec } from "@agora/framework-sdk";
import type { Offer, TaskInfo } from "@agora/protocol";
import { type AppDefinition, requiredPortCount } from "../model/app-definition.js";
import { type Instance, taskIdFor } from "../model/instance.js";

export function matchOffers(
  offers: Offer[],
  wanted: { app: AppDefinition; count: number }[],
  _placed: Instance[],
  ctx: { newUuid(): string; now(): Date; role: string },
): {
  launches: { offer: Offer; tasks: TaskInfo[]; instances: Instance[] }[];
  unused: Offer[];
  rejected: Record<string, Record<string, number>>;
} {
  const apps = new Map<string, AppDefinition>();
  const specs: TaskSpec[] = [];
  for (const { app, count } of wanted)
    for (let i = 0; i < count; i++) {
      const taskId = taskIdFor(app.id, ctx.newUuid());
      apps.set(taskId, app);
      const hc = app.healthChecks[0];
      specs.push({
        taskId,
        name: app.id.slice(1).replaceAll("/", "."),
        resources: { cpus: app.cpus, mem: app.mem, disk: app.disk, ports: requiredPortCount(app) },
        command:
          app.cmd !== undefined
            ? { value: app.cmd, shell: true }
            : { value: app.args![0]!, arguments: app.args!, shell: false },
        env: {
          ...app.env,
          MARATHON_APP_ID: app.id,
          MARATHON_APP_VERSION: app.version ?? "",
          MESOS_TASK_ID: taskId,
        },
        ...(hc?.protocol === "COMMAND"
          ? {
              healthCheck: {
                type: "COMMAND" as const,
                command: { value: hc.command!.value },
                intervalSeconds: Math.max(1, hc.intervalSeconds),
                gracePeriodSeconds: hc.gracePeriodSeconds,
                delaySeconds: hc.delaySeconds,
                timeoutSeconds: Math.max(1, hc.timeoutSeconds),
                consecutiveFailures: Math.max(1, hc.maxConsecutiveFailures),
              },
            }
          : {}),
      });
    }
  const { launches, unused } = packTasks(offers, specs, { role: ctx.role });
  return {
    launches: launches.map(({ offer, tasks }) => ({
      offer,
      tasks,
      instances: tasks.map((t) => {
        const app = apps.get(t.taskId)!;
        const ports = t.resources
          .filter((r) => r.name === "ports")
          .flatMap((r) =>
            ("ranges" in r ? r.ranges : []).flatMap((x: { begin: number; end: number }) =>
              Array.from({ length: x.end - x.begin + 1 }, (_, k) => x.begin + k),
            ),
          );
        return {
          taskId: t.taskId,
          appId: app.id,
          agentId: offer.agentId,
          host: offer.hostname,
          agentAttributes: {},
          ports,
          version: app.version ?? "",
          state: "TASK_STAGING" as const,
          stagedAt: ctx.now().toISOString(),
          role: ctx.role,
          killRequested: false,
        };
      }),
    })),
    unused,
    rejected: {},
  };
}
