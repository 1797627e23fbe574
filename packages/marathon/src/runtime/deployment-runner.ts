import { healthCheckChanges } from "../deployment/health-check-changes.js";
import { type ActionDecision, decideAction } from "../deployment/step-controller.js";
import type { AppDefinition } from "../model/app-definition.js";
import type { DeploymentAction, DeploymentPlan, DeploymentStep } from "../model/deployment.js";
import { affectedApps } from "../model/deployment.js";
import { appsOf } from "../model/group.js";
import type { Instance } from "../model/instance.js";
import type { RunningDeployment } from "../service.js";
import type { EventBody } from "./event-hub.js";
import type { StoredDeployment } from "./repository.js";

/** What the runner reads from the runtime: instances, the launch queue and readiness. */
export interface DeploymentView {
  /** The app's instances that have not ended (any version), staging ones included. */
  instancesOf(appId: string): Instance[];
  queued(appId: string): number;
  /** Instances of `app` (its version) that passed its readiness check; asked only for apps with one. */
  readyTaskIds(app: AppDefinition, instances: readonly Instance[]): ReadonlySet<string>;
  /** What the app's readiness checks found so far (`currentActions[].readinessCheckResults`). */
  readinessResults(appId: string): unknown[];
}

/**
 * What the runner decided, as data, in the order it is to be done (Nomad's reconciler results):
 * the runtime commits a list in one place. Deferring it to the end of a call is safe because two
 * running deployments never share an app and a plan has one working action per app per step.
 */
export type DeploymentWork =
  | { readonly type: "kill"; readonly taskIds: readonly string[] }
  | { readonly type: "enqueue"; readonly app: AppDefinition; readonly count: number }
  | { readonly type: "dequeue"; readonly appId: string; readonly count: number }
  /** A restart begins: the app's launch backoff starts over (as Marathon). */
  | { readonly type: "restartBegins"; readonly appId: string }
  /** A StopApplication finished: the app is gone. */
  | { readonly type: "appStopped"; readonly appId: string }
  | { readonly type: "emit"; readonly event: EventBody }
  | { readonly type: "save"; readonly deployment: StoredDeployment }
  | { readonly type: "remove"; readonly id: string };

interface Running {
  plan: DeploymentPlan;
  stepIndex: number;
  /** Apps whose action in the current step is done. */
  done: Set<string>;
  /** Apps whose action in the current step has started (restart backoff reset once). */
  begun: Set<string>;
  originalApps: Map<string, AppDefinition>;
  targetApps: Map<string, AppDefinition>;
  /** The plan's `affectedApps`, computed once: every tick asks whether each app is locked. */
  affected: ReadonlySet<string>;
}

/**
 * Runs deployments step by step: on every `tick` (after any change of instances or the queue) each
 * running deployment's current actions are decided by the pure `decideAction`, and the work they
 * call for is returned as `DeploymentWork` for the runtime to commit; a step whose actions are all
 * done is followed by the next, as Marathon's DeploymentManager does. Deployments run concurrently; two never share an app (the runtime refuses
 * or cancels before adding one).
 */
export class DeploymentRunner {
  private readonly running = new Map<string, Running>();
  private acted = false;
  /** The work decided by the call under way; each public call returns it. */
  private work: DeploymentWork[] = [];

  constructor(private readonly view: DeploymentView) {}

  /**
   * Starts (or, after a restart of Marathon, resumes at `stepIndex`) a deployment. A new one also
   * announces the health checks it starts and stops (`add_`/`remove_health_check_event`).
   */
  add(plan: DeploymentPlan, stepIndex = 0, resumed = stepIndex > 0): DeploymentWork[] {
    this.running.set(plan.id, {
      plan,
      stepIndex,
      done: new Set(),
      begun: new Set(),
      originalApps: appsOf(plan.original),
      targetApps: appsOf(plan.target),
      affected: new Set(affectedApps(plan)),
    });
    const step = plan.steps[stepIndex];
    if (step) this.emit({ eventType: "deployment_info", plan, currentStep: step });
    if (!resumed)
      for (const c of healthCheckChanges(plan.original, plan.target))
        this.emit({
          eventType: c.added ? "add_health_check_event" : "remove_health_check_event",
          appId: c.appId,
          healthCheck: c.healthCheck,
        });
    return this.take();
  }

  /** Running deployments that touch any of `apps`. */
  conflicting(apps: readonly string[]): DeploymentPlan[] {
    return [...this.running.values()].filter((r) => apps.some((a) => r.affected.has(a))).map((r) => r.plan);
  }

  /** True when a running deployment touches `appId`: its instance count is the deployment's business. */
  locks(appId: string): boolean {
    for (const r of this.running.values()) if (r.affected.has(appId)) return true;
    return false;
  }

  get(id: string): DeploymentPlan | undefined {
    return this.running.get(id)?.plan;
  }

  /**
   * Stops a deployment where it is: its current step cannot proceed (`deployment_step_failure`),
   * so the deployment failed (`deployment_failed`); its instances stay as they are.
   */
  cancel(id: string, reason: string): DeploymentWork[] {
    const r = this.running.get(id);
    if (!r) return [];
    this.running.delete(id);
    this.work.push({ type: "remove", id });
    const step = r.plan.steps[r.stepIndex];
    if (step) this.emit({ eventType: "deployment_step_failure", plan: r.plan, currentStep: step });
    this.emit({ eventType: "deployment_failed", id, plan: r.plan, reason });
    return this.take();
  }

  /** How many deployments run. */
  get size(): number {
    return this.running.size;
  }

  list(): RunningDeployment[] {
    return [...this.running.values()].map((r) => ({
      plan: r.plan,
      currentStep: Math.min(r.stepIndex + 1, r.plan.steps.length),
      currentActions: (r.plan.steps[r.stepIndex]?.actions ?? [])
        .filter((a) => !r.done.has(a.app))
        .map((a) => ({
          action: a.action,
          app: a.app,
          readinessCheckResults: this.view.readinessResults(a.app),
        })),
    }));
  }

  /** Apps with an action not yet done in a running deployment's current step. */
  currentApps(): Set<string> {
    const apps = new Set<string>();
    for (const r of this.running.values())
      for (const a of r.plan.steps[r.stepIndex]?.actions ?? []) if (!r.done.has(a.app)) apps.add(a.app);
    return apps;
  }

  /**
   * Decides every running deployment's current actions and returns the work to commit; `acted`
   * when it changed something (a kill, a launch queued or dropped, a step finished): the caller ticks
   * again, since a dropped launch, unlike a kill or a launch, brings no status update that would.
   */
  tick(): { work: DeploymentWork[]; acted: boolean } {
    this.acted = false;
    for (const r of [...this.running.values()]) this.advance(r);
    return { work: this.take(), acted: this.acted };
  }

  private advance(r: Running): void {
    for (;;) {
      const step = r.plan.steps[r.stepIndex];
      if (!step) {
        this.running.delete(r.plan.id);
        this.work.push({ type: "remove", id: r.plan.id });
        this.emit({ eventType: "deployment_success", id: r.plan.id, plan: r.plan });
        return;
      }
      if (!this.runStep(r, step)) return;
      this.acted = true;
      this.emit({ eventType: "deployment_step_success", plan: r.plan, currentStep: step });
      r.stepIndex++;
      r.done.clear();
      r.begun.clear();
      this.work.push({ type: "save", deployment: { plan: r.plan, stepIndex: r.stepIndex } });
      const next = r.plan.steps[r.stepIndex];
      if (next) this.emit({ eventType: "deployment_info", plan: r.plan, currentStep: next });
    }
  }

  /** Decides each unfinished action of the step, recording its work; true when all are done. */
  private runStep(r: Running, step: DeploymentStep): boolean {
    for (const action of step.actions) {
      if (r.done.has(action.app)) continue;
      const app = (action.action === "StopApplication" ? r.originalApps : r.targetApps).get(action.app);
      if (!app) {
        r.done.add(action.app);
        continue;
      }
      if (!r.begun.has(action.app)) {
        r.begun.add(action.app);
        if (action.action === "RestartApplication")
          this.work.push({ type: "restartBegins", appId: action.app });
      }
      const instances = this.view.instancesOf(action.app);
      const decision = decideAction({
        action,
        app,
        instances,
        queued: this.view.queued(action.app),
        ...(app.readinessChecks.length > 0 && action.action !== "StopApplication"
          ? { readyTaskIds: this.view.readyTaskIds(app, instances) }
          : {}),
      });
      this.apply(action, app, decision);
      if (decision.done) {
        r.done.add(action.app);
        if (action.action === "StopApplication") this.work.push({ type: "appStopped", appId: action.app });
      }
    }
    return step.actions.every((a) => r.done.has(a.app));
  }

  private apply(action: DeploymentAction, app: AppDefinition, d: ActionDecision): void {
    if (d.kill.length > 0 || d.dequeue > 0 || d.launch > 0) this.acted = true;
    if (d.kill.length > 0) this.work.push({ type: "kill", taskIds: d.kill });
    if (d.dequeue > 0) this.work.push({ type: "dequeue", appId: action.app, count: d.dequeue });
    if (d.launch > 0) this.work.push({ type: "enqueue", app, count: d.launch });
  }

  private emit(event: EventBody): void {
    this.work.push({ type: "emit", event });
  }

  private take(): DeploymentWork[] {
    const work = this.work;
    this.work = [];
    return work;
  }
}
