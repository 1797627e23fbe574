import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState } from "react";
import { auth } from "./auth";
import { authorizedFetch } from "./client";
import { keys, RECENT_EVENTS, recentEventKinds } from "./queries";
import { ClusterEvent, type MasterState, Task } from "./schemas";

export type LiveStatus = "connecting" | "live" | "offline";

export const LiveStatusContext = createContext<LiveStatus>("connecting");
export const useLiveStatus = () => useContext(LiveStatusContext);

const TERMINAL = new Set([
  "TASK_FINISHED",
  "TASK_FAILED",
  "TASK_KILLED",
  "TASK_ERROR",
  "TASK_LOST",
  "TASK_DROPPED",
  "TASK_GONE",
  "TASK_GONE_BY_OPERATOR",
]);

/**
 * Patches `/master/state` with one task event: the task replaces its older self (an event older
 * than what the cache holds is dropped), moving to `completed_tasks` once terminal. Returns the same
 * object when nothing changed; `undefined` when the event cannot be applied (an unknown framework),
 * and the caller refetches.
 */
export function applyTaskEvent(state: MasterState, event: ClusterEvent): MasterState | undefined {
  if (event.kind !== "task" || event.op === "removed") return state;
  const parsed = Task.safeParse(event.data);
  if (!parsed.success) return undefined;
  const task = parsed.data;
  const fIndex = state.frameworks.findIndex((f) => f.id === task.framework_id);
  if (fIndex < 0) return undefined;
  const f = state.frameworks[fIndex]!;
  const old = [...f.tasks, ...f.unreachable_tasks, ...f.completed_tasks].find((t) => t.id === task.id);
  if (old && old.updatedAt > task.updatedAt) return state;
  const without = (list: Task[]) => list.filter((t) => t.id !== task.id);
  const terminal = TERMINAL.has(task.state);
  const unreachable = task.state === "TASK_UNREACHABLE";
  const framework = {
    ...f,
    tasks: terminal || unreachable ? without(f.tasks) : [...without(f.tasks), task],
    unreachable_tasks: unreachable ? [...without(f.unreachable_tasks), task] : without(f.unreachable_tasks),
    completed_tasks: terminal ? [...without(f.completed_tasks), task] : without(f.completed_tasks),
  };
  const frameworks = [...state.frameworks];
  frameworks[fIndex] = framework;
  return { ...state, frameworks };
}

/**
 * Applies a batch of events to the cache: tasks patched in place; returns true when the rest of
 * `/master/state` should be refetched (the caller throttles that).
 */
export function applyEvents(client: QueryClient, events: ClusterEvent[]): boolean {
  let refetchState = false;
  const state = client.getQueryData<MasterState>(keys.state);
  let next = state;
  for (const e of events) {
    if (e.kind === "task" && next) {
      const patched = applyTaskEvent(next, e);
      if (patched) next = patched;
      else refetchState = true;
    } else if (e.kind === "agent" || e.kind === "framework") refetchState = true;
    if (e.kind === "role") void client.invalidateQueries({ queryKey: keys.roles });
    if (e.kind === "maintenance") void client.invalidateQueries({ queryKey: keys.maintenance });
  }
  if (next && next !== state) client.setQueryData(keys.state, next);
  client.setQueryData<{ lastEventId: string; events: ClusterEvent[] }>(keys.recentEvents, (old) =>
    old
      ? {
          lastEventId: events.at(-1)?.id ?? old.lastEventId,
          events: [...old.events, ...events.filter((e) => recentEventKinds.has(e.kind))].slice(
            -RECENT_EVENTS,
          ),
        }
      : old,
  );
  return refetchState;
}

/**
 * The stream's URL: EventSource cannot send an Authorization header, so a login's token rides as
 * `access_token` (which the master accepts on event streams only).
 */
export function eventsUrl(token: string | undefined): string {
  return token ? `/master/events?access_token=${encodeURIComponent(token)}` : "/master/events";
}

/** Agents' and frameworks' resources change with every offer: their refetch waits this long at least. */
const STATE_REFETCH_MS = 5000;

/**
 * One EventSource per tab on `/master/events`: events are batched and applied at most once a
 * second; after a gap (reconnect or `reset`) everything is refetched; the stream is closed while
 * the tab is hidden. Returns the connection's status for the offline banner.
 */
export function useLiveCluster(): LiveStatus {
  const client = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  useEffect(() => {
    let source: EventSource | undefined;
    let pending: ClusterEvent[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let hadGap = false;
    let lastRefetch = 0;
    let refetchTimer: ReturnType<typeof setTimeout> | undefined;
    const refetchState = () => {
      refetchTimer = undefined;
      lastRefetch = Date.now();
      void client.invalidateQueries({ queryKey: keys.state });
    };
    const refetchAll = () => void client.invalidateQueries({ queryKey: ["master"] });
    const flush = () => {
      flushTimer = undefined;
      const batch = pending;
      pending = [];
      if (batch.length && applyEvents(client, batch) && !refetchTimer)
        refetchTimer = setTimeout(refetchState, Math.max(0, lastRefetch + STATE_REFETCH_MS - Date.now()));
    };
    const open = () => {
      if (source || typeof EventSource === "undefined") return;
      const s = new EventSource(eventsUrl(auth.token()));
      source = s;
      s.onopen = () => {
        setStatus("live");
        if (hadGap) refetchAll();
        hadGap = false;
      };
      s.onerror = () => {
        setStatus("offline");
        hadGap = true;
        if (s.readyState === EventSource.CLOSED) {
          source = undefined;
          // An HTTP error closes the stream without its status: a token the master no longer takes
          // (it restarted with a new key) looks like any failure. One request with the header tells
          // the login state on a 401; pages that poll nothing would otherwise stay "offline" forever.
          if (auth.token()) void authorizedFetch("/master/events/recent?limit=1").catch(() => undefined);
          retryTimer = setTimeout(open, 3000);
        }
      };
      s.addEventListener("reset", refetchAll);
      s.onmessage = (m: MessageEvent<string>) => {
        const parsed = ClusterEvent.safeParse(JSON.parse(m.data));
        if (!parsed.success) return;
        pending.push(parsed.data);
        flushTimer ??= setTimeout(flush, 1000);
      };
    };
    const close = () => {
      source?.close();
      source = undefined;
      hadGap = true;
    };
    const onVisibility = () => (document.hidden ? close() : open());
    open();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      close();
      clearTimeout(flushTimer);
      clearTimeout(retryTimer);
      clearTimeout(refetchTimer);
    };
  }, [client]);
  return status;
}
