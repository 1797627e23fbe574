import { useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { getJson } from "../../api/client";
import { keys } from "../../api/queries";

/** Marathon's API through the master (`/service/marathon/`), so the browser needs no other host. */
export const MARATHON = "/service/marathon";

export const MarathonTask = z.object({
  id: z.string(),
  appId: z.string(),
  host: z.string().default(""),
  ports: z.array(z.number()).default([]),
  slaveId: z.string().default(""),
  state: z.string().default(""),
  stagedAt: z.string().optional(),
  startedAt: z.string().optional(),
  version: z.string().optional(),
  healthCheckResults: z.array(z.object({ alive: z.boolean() })).default([]),
});
export type MarathonTask = z.output<typeof MarathonTask>;

export const App = z.looseObject({
  id: z.string(),
  cmd: z.string().nullable().optional(),
  instances: z.number().default(0),
  cpus: z.number().default(0),
  mem: z.number().default(0),
  tasksRunning: z.number().default(0),
  tasksStaged: z.number().default(0),
  tasksHealthy: z.number().default(0),
  tasksUnhealthy: z.number().default(0),
  healthChecks: z.array(z.unknown()).default([]),
  deployments: z.array(z.object({ id: z.string() })).default([]),
  version: z.string().optional(),
  tasks: z.array(MarathonTask).optional(),
  lastTaskFailure: z
    .object({
      message: z.string().optional(),
      state: z.string().optional(),
      timestamp: z.string().optional(),
      taskId: z.string().optional(),
    })
    .optional(),
  labels: z.record(z.string(), z.string()).default({}),
  container: z
    .looseObject({
      type: z.string().optional(),
      volumes: z.array(z.looseObject({ containerPath: z.string().optional() })).default([]),
    })
    .nullable()
    .optional(),
});
export type App = z.output<typeof App>;

export const Deployment = z.object({
  id: z.string(),
  version: z.string(),
  affectedApps: z.array(z.string()),
  currentStep: z.number(),
  totalSteps: z.number(),
  currentActions: z.array(z.object({ action: z.string(), app: z.string() }).loose()).default([]),
});
export type Deployment = z.output<typeof Deployment>;

export const QueueEntry = z.object({
  count: z.number(),
  delay: z.object({ timeLeftSeconds: z.number(), overdue: z.boolean() }),
  app: z.object({ id: z.string() }).loose(),
  processedOffersSummary: z.unknown().optional(),
});

/** Marathon's validation failure: `{message, details: [{path, errors}]}` (HTTP 422). */
export const ValidationBody = z.object({
  message: z.string(),
  details: z.array(z.object({ path: z.string(), errors: z.array(z.string()) })).default([]),
});

export function useApps() {
  return useQuery({
    queryKey: [...keys.marathon, "apps"],
    queryFn: ({ signal }) =>
      getJson(`${MARATHON}/v2/apps?embed=apps.deployments`, z.object({ apps: z.array(App) }), signal),
    refetchInterval: 3000,
  });
}

export function useApp(appId: string, enabled = true) {
  return useQuery({
    enabled,
    queryKey: [...keys.marathon, "app", appId],
    queryFn: ({ signal }) => getJson(`${MARATHON}/v2/apps/${appPath(appId)}`, z.object({ app: App }), signal),
    refetchInterval: 2000,
  });
}

export function useAppVersions(appId: string) {
  return useQuery({
    queryKey: [...keys.marathon, "versions", appId],
    queryFn: ({ signal }) =>
      getJson(
        `${MARATHON}/v2/apps/${appPath(appId)}/versions`,
        z.object({ versions: z.array(z.string()) }),
        signal,
      ),
  });
}

export function useDeployments() {
  return useQuery({
    queryKey: [...keys.marathon, "deployments"],
    queryFn: ({ signal }) => getJson(`${MARATHON}/v2/deployments`, z.array(Deployment), signal),
    refetchInterval: 2000,
  });
}

export function useQueue() {
  return useQuery({
    queryKey: [...keys.marathon, "queue"],
    queryFn: ({ signal }) =>
      getJson(`${MARATHON}/v2/queue`, z.object({ queue: z.array(QueueEntry) }), signal),
    refetchInterval: 3000,
  });
}

export function useMarathonInfo() {
  return useQuery({
    queryKey: [...keys.marathon, "info"],
    queryFn: ({ signal }) =>
      getJson(`${MARATHON}/v2/info`, z.object({ frameworkId: z.string().optional() }).loose(), signal),
    staleTime: 60_000,
  });
}

/** `/prod/web` → `prod/web` (each segment encoded). */
export function appPath(appId: string): string {
  return appId.replace(/^\/+/, "").split("/").map(encodeURIComponent).join("/");
}

/** Marathon's field errors keyed by JSON path (`/cmd`), for showing each at its field. */
export function fieldErrors(body: unknown): Map<string, string[]> {
  const parsed = ValidationBody.safeParse(body);
  const out = new Map<string, string[]>();
  if (!parsed.success) return out;
  for (const d of parsed.data.details) out.set(d.path, [...(out.get(d.path) ?? []), ...d.errors]);
  return out;
}
