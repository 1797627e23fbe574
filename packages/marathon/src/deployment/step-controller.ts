import type { AppDefinition } from "../model/app-definition.js";
import type { DeploymentAction } from "../model/deployment.js";
import type { Instance } from "../model/instance.js";

/** A snapshot of one running deployment action, taken by the runtime after every change. */
export interface ActionProgress {
  action: DeploymentAction;
  /** The app as in the plan's target (for StopApplication: as in the original). */
  app: AppDefinition;
  /** The app's current non-terminal instances (any version), staging and being killed included. */
  instances: Instance[];
  /** Instances of this app waiting in the launch queue now. */
  queued: number;
  /**
   * Instances that passed their readiness checks. Only given by a runtime that runs readiness
   * checks: when undefined, readiness gates nothing (else an app with `readinessChecks` would never
   * finish a deployment).
   */
  readyTaskIds?: ReadonlySet<string>;
}

/**
 * What to do now. `launch`: queue this many more at `app.version`; `dequeue`: drop this many queued
 * launches; `kill`: task ids to kill (never one already `killRequested`). `done` is true only when the
 * action reached its goal, and then nothing else is asked.
 */
export interface ActionDecision {
  kill: string[];
  launch: number;
  dequeue: number;
  done: boolean;
}

const NOTHING: ActionDecision = { kill: [], launch: 0, dequeue: 0, done: false };
const DONE: ActionDecision = { ...NOTHING, done: true };

/**
 * Marathon's deployment actors as one pure function of a snapshot (its `TaskStartActor`,
 * `TaskReplaceActor`, scale and stop behaviour); called again after every change it drives the
 * action to its goal without keeping state of its own.
 *
 * - Start: done at once (the app exists with no instances; a Scale step follows).
 * - Scale to N: kills the `sentencedToDeath` first, then the surplus (not-running ones first, then by
 *   `killSelection`), or launches the shortfall; instances of any version count. Done when N
 *   instances are healthy (and ready) and nothing is queued or being killed.
 * - Restart: the rolling rule (see `restartDecision`).
 * - Stop: kills everything, drops the queue; done when no instance is left.
 *
 * @example
 * ```ts
 * const d = decideAction({ action, app, instances: live(app.id), queued: queue.count(app.id) });
 * kill(d.kill); queue.remove(app.id, d.dequeue); queue.add(app, d.launch);
 * ```
 */
export function decideAction(p: ActionProgress): ActionDecision {
  switch (p.action.action) {
    case "StartApplication":
      return DONE;
    case "StopApplication":
      return stopDecision(p);
    case "ScaleApplication":
      return scaleDecision(p, p.action.scaleTo, p.action.sentencedToDeath ?? []);
    case "RestartApplication":
      return restartDecision(p);
  }
}

/** Health as the deployment sees it: the health checks' verdict when the app has checks, else RUNNING. */
export function isHealthy(app: AppDefinition, i: Instance): boolean {
  return app.healthChecks.length > 0 ? i.healthy === true : i.state === "TASK_RUNNING";
}

function isHealthyAndReady(p: ActionProgress, i: Instance): boolean {
  const ready =
    p.app.readinessChecks.length === 0 || p.readyTaskIds === undefined || p.readyTaskIds.has(i.taskId);
  return isHealthy(p.app, i) && ready;
}

function stopDecision(p: ActionProgress): ActionDecision {
  if (p.instances.length === 0 && p.queued === 0) return DONE;
  return {
    ...NOTHING,
    kill: p.instances.filter((i) => !i.killRequested).map((i) => i.taskId),
    dequeue: p.queued,
  };
}

function scaleDecision(
  p: ActionProgress,
  scaleTo: number,
  sentencedToDeath: readonly string[],
): ActionDecision {
  const sentenced = new Set(sentencedToDeath);
  const active = p.instances.filter((i) => !i.killRequested);
  const kill = active.filter((i) => sentenced.has(i.taskId));
  const kept = active.filter((i) => !sentenced.has(i.taskId));
  const surplus = kept.length - scaleTo;
  if (surplus > 0) kill.push(...killOrder(p, kept).slice(0, surplus));
  const keeping = Math.min(kept.length, scaleTo);
  const dequeue = Math.max(0, p.queued - Math.max(0, scaleTo - keeping));
  const launch = Math.max(0, scaleTo - keeping - p.queued);
  if (kill.length > 0 || dequeue > 0 || launch > 0)
    return { kill: kill.map((i) => i.taskId), launch, dequeue, done: false };
  const settled =
    p.queued === 0 &&
    p.instances.length === scaleTo &&
    kept.filter((i) => isHealthyAndReady(p, i)).length === scaleTo;
  return settled ? DONE : NOTHING;
}

/**
 * Marathon's rolling restart, for N = `app.instances` and the app's upgrade strategy:
 * `minHealthy = ceil(N × minimumHealthCapacity)`, `maxCapacity = floor(N × (1 + maximumOverCapacity))`,
 * plus one when `minHealthy == maxCapacity ≤ healthy` (else nothing could move).
 * Old instances (another version than `app.version`) are killed down to `minHealthy` minus the new
 * ones that are healthy and ready — unhealthy old ones first, then by `killSelection`; so at the
 * start the old ones go down to `minHealthy` and then one goes for each new one that becomes healthy.
 * New ones are launched while all instances (being killed included) plus queued stay within
 * `maxCapacity`. Done when exactly N new instances are healthy and ready, no old one is left and
 * nothing is queued.
 */
function restartDecision(p: ActionProgress): ActionDecision {
  const { app } = p;
  const n = app.instances;
  const minHealthy = Math.ceil(n * app.upgradeStrategy.minimumHealthCapacity - 1e-9);
  let maxCapacity = Math.floor(n * (1 + app.upgradeStrategy.maximumOverCapacity) + 1e-9);
  const active = p.instances.filter((i) => !i.killRequested);
  // matchOffers stamps instances with `app.version ?? ""`.
  const version = app.version ?? "";
  const oldActive = active.filter((i) => i.version !== version);
  const newActive = active.filter((i) => i.version === version);
  const healthyOld = oldActive.filter((i) => isHealthy(app, i));
  const healthyNew = newActive.filter((i) => isHealthyAndReady(p, i));
  const healthy = healthyOld.length + healthyNew.length;
  if (minHealthy === maxCapacity && maxCapacity <= healthy) maxCapacity += 1;

  // Unhealthy old ones are killed first, so the `keepOld` kept are the healthiest: healthy ones left
  // = healthyNew + min(healthyOld, keepOld) ≥ min(healthy, minHealthy).
  const keepOld = Math.max(0, minHealthy - healthyNew.length);
  const kill = killOrder(p, oldActive).slice(0, Math.max(0, oldActive.length - keepOld));
  const surplusNew = newActive.length - n;
  if (surplusNew > 0) kill.push(...killOrder(p, newActive).slice(0, surplusNew));

  const wanted = Math.max(0, n - Math.min(newActive.length, n));
  const dequeue = Math.max(0, p.queued - wanted);
  const room = maxCapacity - p.instances.length - (p.queued - dequeue);
  const launch = Math.max(0, Math.min(wanted - (p.queued - dequeue), room));
  if (kill.length > 0 || dequeue > 0 || launch > 0)
    return { kill: kill.map((i) => i.taskId), launch, dequeue, done: false };
  const settled =
    p.queued === 0 && p.instances.length === n && newActive.length === n && healthyNew.length === n;
  return settled ? DONE : NOTHING;
}

/** The order Marathon kills in: not-yet-running and unhealthy first, then by `killSelection` on stagedAt. */
function killOrder(p: ActionProgress, instances: readonly Instance[]): Instance[] {
  const youngestFirst = p.app.killSelection === "YOUNGEST_FIRST";
  return [...instances].sort((a, b) => {
    const ha = isHealthy(p.app, a) ? 1 : 0;
    const hb = isHealthy(p.app, b) ? 1 : 0;
    if (ha !== hb) return ha - hb;
    const byAge = a.stagedAt < b.stagedAt ? -1 : a.stagedAt > b.stagedAt ? 1 : 0;
    if (byAge !== 0) return youngestFirst ? -byAge : byAge;
    return a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0;
  });
}
