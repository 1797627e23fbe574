import { type Launch, packTasks, type TaskSpec } from "@agora/framework-sdk";
import type { Offer } from "@agora/protocol";
import type { JobDefinition } from "../model/job.js";
import { offerFits } from "./task-spec.js";

/** A run's next attempt, waiting for resources. */
export interface PendingLaunch {
  job: JobDefinition;
  spec: TaskSpec;
}

export interface Placement {
  launches: Launch[];
  /** Task ids placed, in the order they were taken from `pending`. */
  placed: string[];
  unused: Offer[];
}

/**
 * Places pending attempts on offers, in the order given (the caller puts `highPriority` jobs first):
 * each offer takes, first-fit, the attempts whose constraints it satisfies. Pure.
 */
export function placeLaunches(offers: readonly Offer[], pending: readonly PendingLaunch[]): Placement {
  const launches: Launch[] = [];
  const placed: string[] = [];
  const unused: Offer[] = [];
  const taken = new Set<string>();
  for (const offer of offers) {
    const candidates = pending.filter((p) => !taken.has(p.spec.taskId ?? "") && offerFits(p.job, offer));
    if (candidates.length === 0) {
      unused.push(offer);
      continue;
    }
    const result = packTasks(
      [offer],
      candidates.map((c) => c.spec),
    );
    const launch = result.launches[0];
    if (!launch) {
      unused.push(offer);
      continue;
    }
    launches.push(launch);
    for (const t of launch.tasks) {
      taken.add(t.taskId);
      placed.push(t.taskId);
    }
  }
  return { launches, placed, unused };
}
