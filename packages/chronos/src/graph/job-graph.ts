import { ChronosError } from "../errors.js";
import { isScheduled, type JobDefinition } from "../model/job.js";
import { parseSchedule, ScheduleError } from "../schedule/index.js";

/**
 * The dependency graph of jobs (parent → child), pure. Chronos accepted a dependent job whose parents
 * did not exist and then silently never ran it; here a job is checked against every other job before
 * anything is stored.
 */

export type Jobs = ReadonlyMap<string, JobDefinition>;

/**
 * Throws `ChronosError` when `job` cannot join `jobs` (which may hold its previous version):
 * `INVALID_SCHEDULE` for a schedule or zone that does not parse, `DEPENDENCY_CYCLE` for a self-parent
 * or a cycle, `UNKNOWN_PARENT` for a parent that does not exist. `details` names the field.
 */
export function checkJob(job: JobDefinition, jobs: Jobs, now: Date): void {
  if (isScheduled(job) || job.scheduleTimeZone !== "") checkSchedule(job, now);
  const parents = job.parents ?? [];
  parents.forEach((parent, i) => {
    if (parent === job.name)
      throw new ChronosError("DEPENDENCY_CYCLE", `Job ${job.name} cannot be its own parent`, {
        details: [{ path: `/parents/${i}`, errors: ["a job cannot be its own parent"] }],
      });
    if (!jobs.has(parent))
      throw new ChronosError("UNKNOWN_PARENT", `Parent job ${parent} of ${job.name} does not exist`, {
        details: [{ path: `/parents/${i}`, errors: [`no job is named ${parent}`] }],
      });
  });
  const path = ancestorPath(job.name, parents, jobs);
  if (path)
    throw new ChronosError(
      "DEPENDENCY_CYCLE",
      `Job ${job.name} would depend on itself: ${[job.name, ...path].join(" → ")}`,
      { details: [{ path: "/parents", errors: [`cycle ${[job.name, ...path].join(" → ")}`] }] },
    );
}

function checkSchedule(job: JobDefinition, now: Date): void {
  try {
    if (isScheduled(job)) parseSchedule(job.schedule, { timeZone: job.scheduleTimeZone, now });
    else parseSchedule("R/2000-01-01T00:00:00Z/P1D", { timeZone: job.scheduleTimeZone, now });
  } catch (e) {
    if (!(e instanceof ScheduleError)) throw e;
    throw new ChronosError("INVALID_SCHEDULE", `${e.field}: ${e.message}`, {
      details: [{ path: `/${e.field}`, errors: [e.message] }],
      cause: e,
    });
  }
}

/** The chain from one of `parents` up to `name`, if `name` is among its ancestors (a cycle). */
function ancestorPath(name: string, parents: readonly string[], jobs: Jobs): string[] | undefined {
  const seen = new Set<string>();
  const visit = (current: string): string[] | undefined => {
    if (current === name) return [current];
    if (seen.has(current)) return undefined;
    seen.add(current);
    for (const p of jobs.get(current)?.parents ?? []) {
      const found = visit(p);
      if (found) return [current, ...found];
    }
    return undefined;
  };
  for (const p of parents) {
    const found = visit(p);
    if (found) return found;
  }
  return undefined;
}

/** The jobs that name `name` as a parent, in name order. */
export function childrenOf(name: string, jobs: Jobs): JobDefinition[] {
  return [...jobs.values()].filter((j) => j.parents?.includes(name)).sort(byName);
}

/**
 * The children of `name` as they must be once it is deleted, as Chronos re-wires them: a child of a
 * dependent job inherits that job's parents; a child whose only parent was a scheduled job becomes a
 * scheduled job with that schedule; a child with other parents just drops this one.
 */
export function rewireChildren(name: string, jobs: Jobs): JobDefinition[] {
  const deleted = jobs.get(name);
  if (!deleted) return [];
  return childrenOf(name, jobs).map((child) => {
    const others = (child.parents ?? []).filter((p) => p !== name);
    if (!isScheduled(deleted)) {
      const inherited = [...new Set([...others, ...(deleted.parents ?? [])])].filter((p) => p !== child.name);
      return { ...child, parents: inherited };
    }
    if (others.length > 0) return { ...child, parents: others };
    const { parents: _parents, ...rest } = child;
    return { ...rest, schedule: deleted.schedule, scheduleTimeZone: deleted.scheduleTimeZone };
  });
}

function byName(a: JobDefinition, b: JobDefinition): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
