import { attributeValues, type Offer, type Resource, subtract, TaskInfo } from "@agora/protocol";
import type { AppDefinition } from "../model/app-definition.js";
import { type Instance, taskIdFor } from "../model/instance.js";
import { checkConstraints } from "./constraints.js";
import type { RejectReason } from "./launch-queue.js";
import { matchResources } from "./resource-match.js";
import { buildTask, wantedPorts } from "./task-builder.js";

export interface MatchContext {
  /** Mints the uuid part of task ids (`prod_web.<uuid>`); injected for reproducible tests. */
  newUuid(): string;
  now(): Date;
  /** The framework's role: the role of instances of apps without their own, and accepted by default. */
  role: string;
}

export interface MatchedLaunch {
  offer: Offer;
  tasks: TaskInfo[];
  /** The instances the tasks become, STAGING, in task order: store them before launching. */
  instances: Instance[];
}

export interface MatchResult {
  /** Offers that received tasks, in offer order. */
  launches: MatchedLaunch[];
  /** Offers that received nothing: decline them. */
  unused: Offer[];
  /** Per app, per reason: offers that took none of its wanted instances, by their last reason. */
  rejected: Record<string, Record<string, number>>;
}

/**
 * Marathon's offer matching for one batch of offers: in rounds, each offer takes one instance of
 * each wanted app (in order) that its resources, ports, accepted roles and the app's constraints
 * allow, until no offer takes any more. Constraints count the app's `placed` instances (its live
 * ones, any version) and those placed earlier in this batch. Resources are never taken twice: what an offer gave is gone for the next
 * instance. Deterministic for a given `ctx`.
 *
 * Accepted roles: the app's `acceptedResourceRoles`, else `*` and the app's role (`role`, else the
 * framework's), as Marathon 1.5+ does.
 *
 * @example
 * ```ts
 * const { launches, unused, rejected } = matchOffers(offers, queue.launchable(), live, { newUuid: randomUUID, now: () => new Date(), role: "*" });
 * for (const l of launches) await scheduler.launch(l.offer, l.tasks);
 * await scheduler.decline(unused.map((o) => o.id), { refuseSeconds: 120 });
 * ```
 */
export function matchOffers(
  offers: readonly Offer[],
  wanted: readonly { app: AppDefinition; count: number }[],
  placed: readonly Instance[],
  ctx: MatchContext,
): MatchResult {
  const left = new Map(wanted.map((w) => [w.app.id, w.count]));
  const placedByApp = new Map<string, Instance[]>();
  for (const i of placed) appendTo(placedByApp, i.appId, i);
  const placing = new Map<string, Instance[]>();
  const pools: Resource[][] = offers.map((o) => o.resources);
  const tasks: TaskInfo[][] = offers.map(() => []);
  const instances: Instance[][] = offers.map(() => []);
  /** Why an offer turned an app away, for offers that never took one of its instances. */
  const refusals = offers.map(() => new Map<string, RejectReason>());
  /** Offers that are out of resources for an app: no later round changes that. */
  const exhausted = offers.map(() => new Set<string>());
  /** Apps each offer took an instance of: such an offer is no refusal of the app. */
  const took = offers.map(() => new Set<string>());

  // Rounds of one instance per app per offer spread an app over the offers (and, with the batch
  // known to GROUP_BY, over attribute values) instead of filling the first offer.
  for (let progress = true; progress; ) {
    progress = false;
    offers.forEach((offer, o) => {
      for (const { app } of wanted) {
        if ((left.get(app.id) ?? 0) <= 0 || exhausted[o]!.has(app.id)) continue;
        const attempt = place(
          app,
          offer,
          pools[o]!,
          placedByApp.get(app.id) ?? [],
          placing.get(app.id) ?? [],
          offers,
          ctx,
        );
        if ("reason" in attempt) {
          if (attempt.reason !== "UnfulfilledConstraint") exhausted[o]!.add(app.id);
          if (!took[o]!.has(app.id)) refusals[o]!.set(app.id, attempt.reason);
          continue;
        }
        pools[o] = subtract(pools[o]!, attempt.task.resources);
        tasks[o]!.push(attempt.task);
        instances[o]!.push(attempt.instance);
        took[o]!.add(app.id);
        refusals[o]!.delete(app.id);
        appendTo(placing, app.id, attempt.instance);
        left.set(app.id, (left.get(app.id) ?? 0) - 1);
        progress = true;
      }
    });
  }

  const rejected: Record<string, Record<string, number>> = {};
  for (const byApp of refusals)
    for (const [appId, reason] of byApp) {
      const reasons = rejected[appId] ?? {};
      reasons[reason] = (reasons[reason] ?? 0) + 1;
      rejected[appId] = reasons;
    }
  const launches: MatchedLaunch[] = [];
  const unused: Offer[] = [];
  offers.forEach((offer, o) => {
    if (tasks[o]!.length > 0) launches.push({ offer, tasks: tasks[o]!, instances: instances[o]! });
    else unused.push(offer);
  });
  return { launches, unused, rejected };
}

function place(
  app: AppDefinition,
  offer: Offer,
  pool: readonly Resource[],
  placed: readonly Instance[],
  alsoPlacing: readonly Instance[],
  batch: readonly Offer[],
  ctx: MatchContext,
): { task: TaskInfo; instance: Instance } | { reason: RejectReason } {
  const role = app.role ?? ctx.role;
  const accepted = new Set(app.acceptedResourceRoles ?? ["*", role]);
  const match = matchResources(
    pool,
    { cpus: app.cpus, mem: app.mem, disk: app.disk, gpus: app.gpus, ports: wantedPorts(app) },
    accepted,
  );
  if ("reason" in match) return match;
  if (checkConstraints(app, offer, placed, alsoPlacing, batch) !== undefined)
    return { reason: "UnfulfilledConstraint" };
  const taskId = taskIdFor(app.id, ctx.newUuid());
  const parsed = TaskInfo.safeParse(
    buildTask(app, { offer, resources: match.resources, ports: match.ports, taskId }),
  );
  if (!parsed.success) return { reason: "InvalidTask" };
  const instance: Instance = {
    taskId,
    appId: app.id,
    agentId: offer.agentId,
    host: offer.hostname,
    agentAttributes: attributeValues(offer.attributes),
    ports: match.ports,
    version: app.version ?? "",
    state: "TASK_STAGING",
    stagedAt: ctx.now().toISOString(),
    role,
    killRequested: false,
  };
  return { task: parsed.data, instance };
}

function appendTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
