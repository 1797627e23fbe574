import { MarathonError } from "../errors.js";
import type { MarathonEvent } from "../events.js";
import type { AppDefinition } from "../model/app-definition.js";
import {
  affectedApps,
  type DeploymentAction,
  DeploymentId,
  type DeploymentPlan,
} from "../model/deployment.js";
import { appsOf, emptyRoot, type Group } from "../model/group.js";
import { Instance } from "../model/instance.js";
import type {
  MarathonInfo,
  MarathonService,
  QueuedLaunch,
  RunningDeployment,
  TaskFailure,
} from "../service.js";

/**
 * An in-memory `MarathonService` for the REST layer's tests: deployments are recorded (one step of
 * naive actions) and stay running until `finish(id)`; instances, queue entries and failures are
 * whatever the test puts in. The real planner and runtime are tested on their own.
 */
export class MemoryMarathon implements MarathonService {
  current: Group = emptyRoot("2026-01-01T00:00:00.000Z");
  readonly roots: Group[] = [];
  readonly running: RunningDeployment[] = [];
  readonly deployed: { target: Group; force: boolean }[] = [];
  instanceList: Instance[] = [];
  queued: QueuedLaunch[] = [];
  readonly failures = new Map<string, TaskFailure>();
  readonly kills: { taskIds: string[]; options: { scale: boolean; wipe: boolean; force: boolean } }[] = [];
  infoValue: MarathonInfo = {
    name: "marathon",
    version: "1.10.0-agora",
    frameworkId: "fw-1",
    leader: "127.0.0.1:8080",
    elected: true,
    config: { master: "nats://127.0.0.1:4222" },
    httpPort: 8080,
  };
  abdicated = 0;
  private readonly listeners = new Set<(e: MarathonEvent) => void>();
  private appHistory = new Map<string, AppDefinition[]>();
  private nextId = 1;

  root(): Group {
    return this.current;
  }
  appVersions(appId: string): string[] {
    return (this.appHistory.get(appId) ?? []).map((a) => a.version ?? "").reverse();
  }
  appVersion(appId: string, version: string): AppDefinition | undefined {
    return this.appHistory.get(appId)?.find((a) => a.version === version);
  }
  instances(appId?: string): Instance[] {
    return this.instanceList.filter((i) => appId === undefined || i.appId === appId);
  }
  deployments(): RunningDeployment[] {
    return this.running;
  }
  queue(): QueuedLaunch[] {
    return this.queued;
  }
  lastTaskFailure(appId: string): TaskFailure | undefined {
    return this.failures.get(appId);
  }

  async deploy(target: Group, options: { force: boolean }): Promise<DeploymentPlan> {
    const plan: DeploymentPlan = {
      id: DeploymentId.parse(`deployment-${this.nextId++}`),
      version: target.version,
      original: this.current,
      target,
      steps: [],
    };
    const actions = naiveActions(this.current, target);
    if (actions.length > 0) plan.steps.push({ actions });
    const touched = new Set(affectedApps(plan));
    const locking = this.running.filter((d) => affectedApps(d.plan).some((a) => touched.has(a)));
    if (locking.length > 0 && !options.force)
      throw new MarathonError(
        "APP_LOCKED",
        "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
        { deployments: locking.map((d) => ({ id: d.plan.id })) },
      );
    for (const d of locking) this.running.splice(this.running.indexOf(d), 1);
    this.deployed.push({ target, force: options.force });
    this.current = target;
    this.roots.unshift(target);
    for (const app of appsOf(target).values()) {
      const history = this.appHistory.get(app.id) ?? [];
      if (history.at(-1)?.version !== app.version) history.push(app);
      this.appHistory.set(app.id, history);
    }
    if (plan.steps.length > 0)
      this.running.push({
        plan,
        currentStep: 1,
        currentActions: actions.map((a) => ({ action: a.action, app: a.app, readinessCheckResults: [] })),
      });
    return plan;
  }

  /** Ends a running deployment successfully and tells the listeners. */
  finish(id: string): void {
    const at = this.running.findIndex((d) => d.plan.id === id);
    const [done] = this.running.splice(at, 1);
    if (done)
      this.emit({
        eventType: "deployment_success",
        id,
        plan: done.plan,
        timestamp: new Date().toISOString(),
      });
  }

  async killInstances(
    taskIds: string[],
    options: { scale: boolean; wipe: boolean; force: boolean },
  ): Promise<{ killed: Instance[]; deployment?: DeploymentPlan }> {
    this.kills.push({ taskIds, options });
    const killed = this.instanceList.filter((i) => taskIds.includes(i.taskId));
    this.instanceList = this.instanceList.filter((i) => !taskIds.includes(i.taskId));
    if (!options.scale) return { killed };
    const lower = new Map<string, number>();
    for (const i of killed) lower.set(i.appId, (lower.get(i.appId) ?? 0) + 1);
    const scaleDown = (g: Group): Group => ({
      ...g,
      apps: g.apps.map((a) => ({ ...a, instances: Math.max(0, a.instances - (lower.get(a.id) ?? 0)) })),
      groups: g.groups.map(scaleDown),
    });
    const deployment = await this.deploy(scaleDown(this.current), { force: options.force });
    return { killed, deployment };
  }

  async cancelDeployment(id: string, options: { force: boolean }): Promise<DeploymentPlan | undefined> {
    const running = this.running.find((d) => d.plan.id === id);
    if (running === undefined)
      throw new MarathonError("DEPLOYMENT_NOT_FOUND", `DeploymentPlan ${id} does not exist`);
    this.running.splice(this.running.indexOf(running), 1);
    if (options.force) return undefined;
    return this.deploy(
      { ...running.plan.original, version: new Date(Date.now()).toISOString() },
      { force: true },
    );
  }

  resetDelay(appId: string): boolean {
    const entry = this.queued.find((q) => q.app.id === appId);
    if (entry === undefined) return false;
    entry.delayUntil = 0;
    return true;
  }

  onEvent(listener: (event: MarathonEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: MarathonEvent): void {
    for (const l of this.listeners) l(event);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }

  info(): MarathonInfo {
    return this.infoValue;
  }
  async abdicate(): Promise<void> {
    this.abdicated++;
  }
  rootVersions(): string[] {
    return this.roots.map((r) => r.version);
  }
  rootVersion(version: string): Group | undefined {
    return this.roots.find((r) => r.version === version);
  }
}

/** One action per changed app (enough for the REST layer: the real planner is tested on its own). */
function naiveActions(from: Group, to: Group): DeploymentAction[] {
  const before = appsOf(from);
  const after = appsOf(to);
  const actions: DeploymentAction[] = [];
  for (const [id] of before) if (!after.has(id)) actions.push({ action: "StopApplication", app: id });
  for (const [id, app] of after) {
    const old = before.get(id);
    if (old === undefined) actions.push({ action: "ScaleApplication", app: id, scaleTo: app.instances });
    else if (old.version !== app.version)
      actions.push(
        old.versionInfo?.lastConfigChangeAt !== app.versionInfo?.lastConfigChangeAt
          ? { action: "RestartApplication", app: id }
          : { action: "ScaleApplication", app: id, scaleTo: app.instances },
      );
  }
  return actions;
}

/** A running instance of `appId` for tests. */
export function instance(appId: string, n: number, fields: Partial<Instance> = {}): Instance {
  return Instance.parse({
    taskId: `${appId.slice(1).replaceAll("/", "_")}.task-${n}`,
    appId,
    agentId: "agent-1",
    host: `10.0.0.${n}`,
    agentAttributes: {},
    ports: [31000 + n],
    version: "2026-01-01T00:00:00.000Z",
    state: "TASK_RUNNING",
    stagedAt: "2026-01-01T00:00:01.000Z",
    startedAt: "2026-01-01T00:00:02.000Z",
    role: "*",
    killRequested: false,
    ...fields,
  });
}
