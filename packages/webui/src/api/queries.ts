import { useQuery } from "@tanstack/react-query";
import { getJson } from "./client";
import {
  AgentState,
  type ClusterEvent,
  type Framework,
  MaintenanceSchedule,
  MaintenanceStatus,
  MasterState,
  RecentEvents,
  Roles,
  type Task,
  Usage,
} from "./schemas";

/** Every query key in one place, so invalidation after an event or a change names the same keys. */
export const keys = {
  state: ["master", "state"] as const,
  usage: ["master", "usage"] as const,
  roles: ["master", "roles"] as const,
  recentEvents: ["master", "events", "recent"] as const,
  maintenance: ["master", "maintenance"] as const,
  agentState: (agentId: string) => ["agents", agentId, "state"] as const,
  agentUsage: (agentId: string) => ["master", "usage", "agents", agentId] as const,
  browse: (agentId: string, path: string) => ["agents", agentId, "browse", path] as const,
  marathon: ["service", "marathon"] as const,
  chronos: ["service", "chronos"] as const,
  login: ["login"] as const,
};

/** The master's `/master/state`: agents, frameworks with their tasks and offers. Kept fresh by the event stream. */
export function useMasterState() {
  return useQuery({
    queryKey: keys.state,
    queryFn: ({ signal }) => getJson("/master/state", MasterState, signal),
  });
}

export function useUsage() {
  return useQuery({
    queryKey: keys.usage,
    queryFn: ({ signal }) => getJson("/master/usage", Usage, signal),
    refetchInterval: 10_000,
  });
}

/**
 * One agent's usage over the last hour: samples only where it changed (draw them as steps), so the
 * sample at `current` is appended to carry the last value to now.
 */
export function useAgentUsage(agentId: string) {
  return useQuery({
    queryKey: keys.agentUsage(agentId),
    queryFn: async ({ signal }) => {
      const usage = await getJson(`/master/usage/agents/${encodeURIComponent(agentId)}`, Usage, signal);
      return { ...usage, samples: [...usage.samples, usage.current] };
    },
    refetchInterval: 10_000,
  });
}

export function useRoles() {
  return useQuery({ queryKey: keys.roles, queryFn: ({ signal }) => getJson("/master/roles", Roles, signal) });
}

/**
 * What the overview lists as recent events, and how many. Offers (and with them roles' allocations)
 * change every allocation cycle: they would drown the rest, so the master leaves them out before it
 * counts.
 */
export const recentEventKinds: ReadonlySet<ClusterEvent["kind"]> = new Set([
  "agent",
  "framework",
  "task",
  "maintenance",
]);
export const RECENT_EVENTS = 20;

export function useRecentEvents() {
  return useQuery({
    queryKey: keys.recentEvents,
    queryFn: ({ signal }) =>
      getJson(
        `/master/events/recent?limit=${RECENT_EVENTS}&kind=${[...recentEventKinds].join(",")}`,
        RecentEvents,
        signal,
      ),
  });
}

export function useMaintenance() {
  return useQuery({
    queryKey: keys.maintenance,
    queryFn: async ({ signal }) => ({
      schedule: await getJson("/maintenance/schedule", MaintenanceSchedule, signal),
      status: await getJson("/maintenance/status", MaintenanceStatus, signal),
    }),
  });
}

export function useAgentState(agentId: string | undefined) {
  return useQuery({
    queryKey: keys.agentState(agentId ?? ""),
    queryFn: ({ signal }) => getJson(`/agents/${encodeURIComponent(agentId!)}/state`, AgentState, signal),
    enabled: agentId !== undefined,
  });
}

/** Every task the master knows (active, unreachable, completed), across frameworks. */
export function allTasks(state: { frameworks: Framework[]; completed_frameworks: Framework[] }): Task[] {
  const out: Task[] = [];
  for (const f of [...state.frameworks, ...state.completed_frameworks])
    out.push(...f.tasks, ...f.unreachable_tasks, ...f.completed_tasks);
  return out;
}
