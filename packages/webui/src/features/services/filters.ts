import type { App } from "./marathon";

/** A label as the filter names it: `key:value` (Marathon's UI offered every pair its apps carry). */
export function labelPairs(app: Pick<App, "labels">): string[] {
  return Object.entries(app.labels).map(([k, v]) => `${k}:${v}`);
}

/** Every label pair among the apps, sorted, for the filter's choices. */
export function allLabelPairs(apps: readonly Pick<App, "labels">[]): string[] {
  return [...new Set(apps.flatMap(labelPairs))].sort();
}

/** Whether the app mounts volumes (host paths, persistent or external ones). */
export function hasVolumes(app: Pick<App, "container">): boolean {
  return (app.container?.volumes.length ?? 0) > 0;
}

export interface AppFilter {
  /** Part of the app id, any case. */
  readonly text: string;
  readonly status: string;
  /** `key:value` pairs: an app matching any of them passes, as in Marathon's UI. */
  readonly labels: readonly string[];
  readonly volumes: boolean;
}

/** The apps that pass every filter given (an empty filter passes all). */
export function filterApps<A extends Pick<App, "id" | "labels" | "container">>(
  apps: readonly A[],
  filter: AppFilter,
  statusOf: (app: A) => string,
): A[] {
  const text = filter.text.toLowerCase();
  const labels = new Set(filter.labels);
  return apps.filter(
    (a) =>
      (!text || a.id.toLowerCase().includes(text)) &&
      (!filter.status || statusOf(a) === filter.status) &&
      (labels.size === 0 || labelPairs(a).some((p) => labels.has(p))) &&
      (!filter.volumes || hasVolumes(a)),
  );
}
