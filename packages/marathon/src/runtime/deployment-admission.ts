import type { TaskId } from "@agora/protocol";
import { planDeployment } from "../deployment/planner.js";
import { revertPlan } from "../deployment/rollback.js";
import { isMarathonError, MarathonError } from "../errors.js";
import { affectedApps, DeploymentId, type DeploymentPlan } from "../model/deployment.js";
import { appsOf, type Group } from "../model/group.js";
import { putApp } from "../model/group-ops.js";
import type { Instance } from "../model/instance.js";
import type { AppId } from "../model/path-id.js";
import type { DeploymentRunner, DeploymentWork } from "./deployment-runner.js";
import type { EventBody } from "./event-hub.js";
import type { MarathonRepository } from "./repository.js";
import type { VersionHistory } from "./version-history.js";

/** Marathon's `--max_running_deployments` default. */
export const MAX_RUNNING_DEPLOYMENTS = 100;

/**
 * Whether a new deployment may start, as Marathon decides: not over an app a running deployment
 * holds (APP_LOCKED) unless forced, and not beyond `max` running deployments, where a forced
 * deployment counts the ones it will cancel as room. Returns those to cancel. Pure.
 */
export function admitDeployment(
  plan: DeploymentPlan,
  running: { conflicting(appIds: readonly string[]): DeploymentPlan[]; readonly size: number },
  { force, max }: { force: boolean; max: number },
): DeploymentPlan[] {
  const conflicts = running.conflicting(affectedApps(plan));
  if (conflicts.length > 0 && !force)
    throw new MarathonError(
      "APP_LOCKED",
      "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
      { deployments: conflicts.map((p) => ({ id: p.id })) },
    );
  if (running.size - conflicts.length >= max)
    throw new MarathonError(
      "TOO_MANY_DEPLOYMENTS",
      `Max number (${max}) of running deployments is achieved. Wait for existing deployments to complete or cancel one using force=true parameter. You can increase max deployment number by using --max_running_deployments parameter but be advised that this can have negative effects on the performance.`,
    );
  return conflicts;
}

export interface DeploymentAdmissionOptions {
  readonly history: VersionHistory;
  readonly repo: MarathonRepository;
  readonly runner: DeploymentRunner;
  readonly maxRunning: number;
  readonly newId: () => string;
  /** Now, as a Marathon version (ISO 8601). */
  readonly now: () => string;
  /** Settles once this Marathon leads with its state loaded; undefined while it does not lead. */
  readonly leading: () => Promise<void> | undefined;
  readonly emit: (event: EventBody) => void;
  /** Does the work the runner returns when a deployment starts or is cancelled. */
  readonly commit: (work: readonly DeploymentWork[]) => void;
  /** A deployment started or was cancelled: the control loop should look again. */
  readonly changed: () => void;
}

/**
 * Turns write requests into running deployments, one request at a time (each plans against the
 * root the previous one left): plan, admit (`admitDeployment`), store the new root with its first
 * step, then cancel what a forced deployment overrides, make the root current and start it.
 */
export class DeploymentAdmission {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: DeploymentAdmissionOptions) {}

  /** Deploys `target` as the new root; a refused one is announced as `group_change_failed`. */
  deploy(
    target: Group,
    options: { force: boolean; sentenced?: ReadonlyMap<AppId, TaskId[]> },
  ): Promise<DeploymentPlan> {
    return this.serialized(() =>
      this.deployNow(target, options).catch((err: unknown) => {
        if (isMarathonError(err) && err.code !== "NOT_LEADER")
          this.o.emit({
            eventType: "group_change_failed",
            groupId: target.id,
            version: target.version,
            reason: err.message,
          });
        throw err;
      }),
    );
  }

  /** Scales each app down by the instances named, which are the ones to go (`?scale=true`). */
  scaleDown(killed: readonly Instance[], force: boolean): Promise<DeploymentPlan> {
    return this.serialized(() => {
      const version = this.o.now();
      let target = this.o.history.root();
      const byApp = new Map<AppId, TaskId[]>();
      for (const i of killed) byApp.set(i.appId, [...(byApp.get(i.appId) ?? []), i.taskId]);
      for (const [appId, ids] of byApp) {
        const app = appsOf(target).get(appId);
        if (app)
          target = putApp(target, { ...app, instances: Math.max(0, app.instances - ids.length) }, version);
      }
      return this.deployNow({ ...target, version }, { force, sentenced: byApp });
    });
  }

  /** Rolls a running deployment back: a forced deployment to the root it started from, as far as it got. */
  revert(plan: DeploymentPlan): Promise<DeploymentPlan> {
    return this.serialized(() =>
      this.deployNow(revertPlan(plan, this.o.history.root(), this.o.now()), { force: true }),
    );
  }

  /** Settles once every request accepted so far is done. */
  async idle(): Promise<void> {
    await this.writes.catch(() => {});
  }

  private async deployNow(
    target: Group,
    options: { force: boolean; sentenced?: ReadonlyMap<AppId, TaskId[]> },
  ): Promise<DeploymentPlan> {
    const leading = this.o.leading();
    if (!leading) throw new MarathonError("NOT_LEADER", "this Marathon does not lead");
    await leading;
    const { history, runner } = this.o;
    const plan = planDeployment(history.root(), target, {
      // A test may mint ids (deterministic ones); they are checked as any stored id is.
      id: DeploymentId.parse(this.o.newId()),
      ...(options.sentenced ? { sentenced: options.sentenced } : {}),
    });
    const conflicts = admitDeployment(plan, runner, { force: options.force, max: this.o.maxRunning });
    const added = history.newAppVersions(target);
    try {
      await this.o.repo.saveRoot(target, added, { plan, stepIndex: 0 });
    } catch (cause) {
      throw new MarathonError("STORE_FAILED", "the state store did not take the new root group", { cause });
    }
    for (const c of conflicts)
      this.o.commit(runner.cancel(c.id, `cancelled by the forced deployment ${plan.id}`));
    history.advance(target, added);
    this.o.emit({ eventType: "group_change_success", groupId: target.id, version: target.version });
    this.o.commit(runner.add(plan));
    this.o.changed();
    return plan;
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => {});
    return run;
  }
}
