import { useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { getJson, getText } from "../../api/client";
import { keys } from "../../api/queries";

/** Chronos through the master (`/service/chronos/`). */
export const CHRONOS = "/service/chronos";

export const Job = z.looseObject({
  name: z.string(),
  command: z.string().default(""),
  schedule: z.string().optional(),
  scheduleTimeZone: z.string().default(""),
  parents: z.array(z.string()).optional(),
  disabled: z.boolean().default(false),
  successCount: z.number().default(0),
  errorCount: z.number().default(0),
  lastSuccess: z.string().default(""),
  lastError: z.string().default(""),
  cpus: z.number().optional(),
  mem: z.number().optional(),
  owner: z.string().optional(),
  description: z.string().optional(),
});
export type Job = z.output<typeof Job>;

export const JobSummary = z.object({
  name: z.string(),
  status: z.string().default(""),
  state: z.string().default(""),
});

const Run = z.object({
  id: z.string(),
  status: z.string().optional(),
  createdAt: z.string(),
  completedAt: z.string().nullable().optional(),
  finishedAt: z.string().optional(),
  tasks: z
    .array(z.union([z.string(), z.object({ id: z.string(), status: z.string().optional() }).loose()]))
    .default([]),
});
export type Run = z.output<typeof Run>;

export const JobDetail = z.looseObject({
  id: z.string(),
  activeRuns: z.array(Run).default([]),
  history: z
    .object({
      successCount: z.number().default(0),
      failureCount: z.number().default(0),
      successfulFinishedRuns: z.array(Run).default([]),
      failedFinishedRuns: z.array(Run).default([]),
    })
    .optional(),
});
export type JobDetail = z.output<typeof JobDetail>;

/** Every job with its summary (state, last status); refetched when one of a job's runs ends. */
export const jobsKey = [...keys.chronos, "jobs"] as const;

export function useJobs() {
  return useQuery({
    queryKey: jobsKey,
    queryFn: async ({ signal }) => {
      const [jobs, summary] = await Promise.all([
        getJson(`${CHRONOS}/v1/scheduler/jobs`, z.array(Job), signal),
        getJson(`${CHRONOS}/v1/scheduler/jobs/summary`, z.object({ jobs: z.array(JobSummary) }), signal),
      ]);
      const byName = new Map(summary.jobs.map((s) => [s.name, s]));
      return jobs.map((j) => ({
        ...j,
        status: byName.get(j.name)?.status ?? "",
        state: byName.get(j.name)?.state ?? "",
      }));
    },
    refetchInterval: 3000,
    retry: false,
  });
}

export function useJobDetail(name: string) {
  return useQuery({
    queryKey: [...keys.chronos, "job", name],
    queryFn: ({ signal }) =>
      getJson(
        `${CHRONOS}/v1/jobs/${encodeURIComponent(name)}?embed=activeRuns&embed=history`,
        JobDetail,
        signal,
      ),
    refetchInterval: 2000,
  });
}

/** `node,<name>,<status>,<state>` and `link,<parent>,<child>` lines of `/graph/csv`. */
export function parseGraphCsv(text: string): { nodes: string[]; edges: Array<[string, string]> } {
  const nodes: string[] = [];
  const edges: Array<[string, string]> = [];
  for (const line of text.split("\n")) {
    const [kind, a, b] = line.split(",");
    if (kind === "node" && a) nodes.push(a);
    else if (kind === "link" && a && b) edges.push([a, b]);
  }
  return { nodes, edges };
}

export function useJobGraph() {
  return useQuery({
    queryKey: [...keys.chronos, "graph"],
    queryFn: async ({ signal }) => parseGraphCsv(await getText(`${CHRONOS}/v1/scheduler/graph/csv`, signal)),
    refetchInterval: 5000,
    retry: false,
  });
}
