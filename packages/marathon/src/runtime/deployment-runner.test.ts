import { describe, expect, it } from "vitest";
import { DeploymentPlan } from "../model/deployment.js";
import type { Instance } from "../model/instance.js";
import { app, placedOn, rootWith } from "../test-support/fixtures.js";
import { DeploymentRunner, type DeploymentWork } from "./deployment-runner.js";
import type { EventBody } from "./event-hub.js";

/** A runner over an in-memory world: queued launches become running instances when `launchAll` says so. */
function harness() {
  const instances: Instance[] = [];
  const queued = new Map<string, number>();
  const events: EventBody[] = [];
  const killed: string[] = [];
  const removed: string[] = [];
  const bare = new DeploymentRunner({
    instancesOf: (id) => instances.filter((i) => i.appId === id),
    queued: (id) => queued.get(id) ?? 0,
    readinessResults: () => [],
    readyTaskIds: (_app, all) => new Set(all.filter((i) => i.state === "TASK_RUNNING").map((i) => i.taskId)),
  });
  /** The in-memory world's commit of the runner's work. */
  const commit = (work: readonly DeploymentWork[]) => {
    for (const w of work) {
      if (w.type === "kill") {
        killed.push(...w.taskIds);
        for (const id of w.taskIds)
          instances.splice(
            instances.findIndex((i) => i.taskId === id),
            1,
          );
      } else if (w.type === "enqueue") queued.set(w.app.id, (queued.get(w.app.id) ?? 0) + w.count);
      else if (w.type === "dequeue") queued.set(w.appId, (queued.get(w.appId) ?? 0) - w.count);
      else if (w.type === "emit") events.push(w.event);
      else if (w.type === "remove") removed.push(w.id);
    }
  };
  /** The runner with its work committed after each call, as the runtime does. */
  const runner = {
    add: (...args: Parameters<DeploymentRunner["add"]>) => commit(bare.add(...args)),
    cancel: (id: string, reason: string) => commit(bare.cancel(id, reason)),
    tick: () => {
      const { work, acted } = bare.tick();
      commit(work);
      return acted;
    },
    list: () => bare.list(),
    locks: (appId: string) => bare.locks(appId),
    conflicting: (apps: readonly string[]) => bare.conflicting(apps),
  };
  const launchAll = (version: string) => {
    for (const [appId, n] of queued)
      for (let k = 0; k < n; k++)
        instances.push({ ...placedOn(appId, `h${instances.length}`, {}, k), version });
    queued.clear();
  };
  return { runner, instances, queued, events, killed, removed, launchAll };
}

describe("DeploymentRunner", () => {
  it("a new app: start, then scale to 2; each step succeeds once its instances run, then the deployment", () => {
    const web = app("/web", { instances: 2, version: "2026-03-01T00:00:00.000Z" });
    const plan = DeploymentPlan.parse({
      id: "d1",
      version: web.version!,
      original: rootWith([]),
      target: rootWith([web]),
      steps: [
        { actions: [{ action: "StartApplication", app: "/web" }] },
        { actions: [{ action: "ScaleApplication", app: "/web", scaleTo: 2 }] },
      ],
    });
    const h = harness();
    h.runner.add(plan);
    expect(h.runner.tick()).toBe(true);
    expect(h.queued.get("/web")).toBe(2);
    expect(h.runner.tick()).toBe(false);
    expect(h.runner.list()).toMatchObject([
      { currentStep: 2, currentActions: [{ action: "ScaleApplication" }] },
    ]);
    expect(h.events.map((e) => e.eventType)).toEqual([
      "deployment_info",
      "deployment_step_success",
      "deployment_info",
    ]);

    h.launchAll(web.version!);
    h.runner.tick();
    expect(h.events.map((e) => e.eventType).slice(3)).toEqual([
      "deployment_step_success",
      "deployment_success",
    ]);
    expect(h.removed).toEqual(["d1"]);
    expect(h.runner.list()).toEqual([]);
  });

  it("a running deployment locks its apps; a cancelled one fails and frees them", () => {
    const web = app("/web");
    const plan = DeploymentPlan.parse({
      id: "d2",
      version: "v",
      original: rootWith([web]),
      target: rootWith([]),
      steps: [{ actions: [{ action: "StopApplication", app: "/web" }] }],
    });
    const h = harness();
    h.instances.push(placedOn("/web", "h1"));
    h.runner.add(plan);
    expect(h.runner.locks("/web")).toBe(true);
    expect(h.runner.conflicting(["/web", "/other"]).map((p) => p.id)).toEqual(["d2"]);
    h.runner.cancel("d2", "cancelled");
    expect(h.runner.locks("/web")).toBe(false);
    expect(h.events.slice(-2)).toMatchObject([
      { eventType: "deployment_step_failure", plan: { id: "d2" }, currentStep: plan.steps[0] },
      { eventType: "deployment_failed", id: "d2", reason: "cancelled" },
    ]);
  });

  it("a new deployment announces the health checks it starts and stops; a resumed one does not again", () => {
    const check = { protocol: "TCP" as const };
    const before = app("/web");
    const after = app("/web", { healthChecks: [check], version: "v2" });
    const plan = DeploymentPlan.parse({
      id: "d3",
      version: "v2",
      original: rootWith([before, app("/gone", { healthChecks: [check] })]),
      target: rootWith([after]),
      steps: [{ actions: [{ action: "RestartApplication", app: "/web" }] }],
    });
    const h = harness();
    h.runner.add(plan);
    expect(h.events).toMatchObject([
      { eventType: "deployment_info" },
      { eventType: "remove_health_check_event", appId: "/gone", healthCheck: { protocol: "TCP" } },
      { eventType: "add_health_check_event", appId: "/web", healthCheck: after.healthChecks[0] },
    ]);
    const resumed = harness();
    resumed.runner.add(plan, 0, true);
    expect(resumed.events.map((e) => e.eventType)).toEqual(["deployment_info"]);
  });
});
