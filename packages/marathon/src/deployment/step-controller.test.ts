import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AppDefinition } from "../model/app-definition.js";
import { DeploymentAction } from "../model/deployment.js";
import { Instance } from "../model/instance.js";
import { app, appId } from "../test-support/fixtures.js";
import { decideAction } from "./step-controller.js";

const OLD = "2026-01-01T00:00:00.000Z";
const NEW = "2026-06-01T00:00:00.000Z";
const WEB = appId("/web");

function instance(n: number, fields: Partial<Instance> = {}): Instance {
  return Instance.parse({
    taskId: `web.${String(n).padStart(4, "0")}`,
    appId: WEB,
    agentId: "a1",
    host: "h1",
    agentAttributes: {},
    ports: [],
    version: OLD,
    state: "TASK_RUNNING",
    stagedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    role: "*",
    killRequested: false,
    ...fields,
  });
}
const running = (count: number, fields: Partial<Instance> = {}) =>
  Array.from({ length: count }, (_, i) => instance(i, fields));

const restart: DeploymentAction = { action: "RestartApplication", app: WEB };
const scale = (scaleTo: number, sentencedToDeath?: string[]): DeploymentAction =>
  DeploymentAction.parse({
    action: "ScaleApplication",
    app: WEB,
    scaleTo,
    ...(sentencedToDeath ? { sentencedToDeath } : {}),
  });

describe("decideAction: start and stop", () => {
  it("a start is done at once", () => {
    expect(
      decideAction({
        action: { action: "StartApplication", app: WEB },
        app: app("/web"),
        instances: [],
        queued: 0,
      }),
    ).toEqual({
      kill: [],
      launch: 0,
      dequeue: 0,
      done: true,
    });
  });

  it("a stop kills what is not being killed yet and drops the queue, done when nothing is left", () => {
    const stop: DeploymentAction = { action: "StopApplication", app: WEB };
    const instances = [instance(1), instance(2, { killRequested: true })];
    expect(decideAction({ action: stop, app: app("/web"), instances, queued: 3 })).toEqual({
      kill: ["web.0001"],
      launch: 0,
      dequeue: 3,
      done: false,
    });
    expect(decideAction({ action: stop, app: app("/web"), instances: [], queued: 0 }).done).toBe(true);
  });
});

describe("decideAction: scale", () => {
  it("launches the shortfall, counting what is queued and instances of any version", () => {
    const d = decideAction({
      action: scale(5),
      app: app("/web", { instances: 5, version: NEW }),
      instances: running(2),
      queued: 1,
    });
    expect(d).toEqual({ kill: [], launch: 2, dequeue: 0, done: false });
  });

  it("scales down by dropping the queue first, then killing the unhealthy and then the youngest", () => {
    const instances = [instance(1), instance(2), instance(3, { state: "TASK_STAGING" }), instance(4)];
    const d = decideAction({ action: scale(2), app: app("/web", { instances: 2 }), instances, queued: 2 });
    expect(d).toEqual({ kill: ["web.0003", "web.0004"], launch: 0, dequeue: 2, done: false });
    const oldest = decideAction({
      action: scale(2),
      app: app("/web", { instances: 2, killSelection: "OLDEST_FIRST" }),
      instances: running(3),
      queued: 0,
    });
    expect(oldest.kill).toEqual(["web.0000"]);
  });

  it("kills the sentenced instances first and replaces nothing when the count drops with them", () => {
    const d = decideAction({
      action: scale(2, ["web.0000"]),
      app: app("/web", { instances: 2 }),
      instances: running(3),
      queued: 0,
    });
    expect(d.kill).toEqual(["web.0000"]);
    expect(d.launch).toBe(0);
  });

  it("is done when N are healthy (and ready, when readiness is checked) and nothing is queued or being killed", () => {
    const checked = app("/web", {
      instances: 2,
      healthChecks: [{ protocol: "TCP" }],
      readinessChecks: [{ name: "r" }],
    });
    const instances = running(2, { healthy: true });
    const noneReady = new Set<string>();
    expect(
      decideAction({ action: scale(2), app: checked, instances, queued: 0, readyTaskIds: noneReady }).done,
    ).toBe(false);
    expect(decideAction({ action: scale(2), app: checked, instances, queued: 0 }).done).toBe(true);
    const ready = new Set(instances.map((i) => i.taskId));
    expect(
      decideAction({ action: scale(2), app: checked, instances, queued: 0, readyTaskIds: ready }).done,
    ).toBe(true);
    const killing = [...instances, instance(9, { killRequested: true })];
    expect(
      decideAction({ action: scale(2), app: checked, instances: killing, queued: 0, readyTaskIds: ready })
        .done,
    ).toBe(false);
  });
});

describe("decideAction: rolling restart", () => {
  const strategy = (minimumHealthCapacity: number, maximumOverCapacity: number, instances: number) =>
    app("/web", { instances, version: NEW, upgradeStrategy: { minimumHealthCapacity, maximumOverCapacity } });

  it("10 healthy with 0.5/0.2: kills 5 old at once and launches 2 (12 with the ones being killed)", () => {
    const d = decideAction({
      action: restart,
      app: strategy(0.5, 0.2, 10),
      instances: running(10),
      queued: 0,
    });
    expect(d.kill).toHaveLength(5);
    expect(d.launch).toBe(2);
  });

  it("kills one more old instance for each new one that becomes healthy", () => {
    const instances = [
      ...running(5),
      ...[10, 11].map((n) => instance(n, { version: NEW, state: "TASK_STAGING" })),
    ];
    const app = strategy(0.5, 0.2, 10);
    expect(decideAction({ action: restart, app, instances, queued: 5 })).toEqual({
      kill: [],
      launch: 0,
      dequeue: 0,
      done: false,
    });
    instances[5] = { ...instances[5]!, state: "TASK_RUNNING" };
    expect(decideAction({ action: restart, app, instances, queued: 5 }).kill).toHaveLength(1);
  });

  it("allows one extra instance when minHealthy == maxCapacity (1 / 0)", () => {
    const d = decideAction({ action: restart, app: strategy(1, 0, 3), instances: running(3), queued: 0 });
    expect(d).toEqual({ kill: [], launch: 1, dequeue: 0, done: false });
  });

  it("with 1 / 1 keeps every old instance and launches all new ones at once", () => {
    const d = decideAction({ action: restart, app: strategy(1, 1, 4), instances: running(4), queued: 0 });
    expect(d).toEqual({ kill: [], launch: 4, dequeue: 0, done: false });
  });

  it("is done only when N new ones are healthy and no old one is left", () => {
    const app = strategy(1, 1, 2);
    const fresh = running(2, { version: NEW });
    expect(decideAction({ action: restart, app, instances: fresh, queued: 0 }).done).toBe(true);
    const withOld = [...fresh, instance(7, { killRequested: true })];
    expect(decideAction({ action: restart, app, instances: withOld, queued: 0 }).done).toBe(false);
  });
});

/** A simulated world: the runtime applies every decision, then one random event happens. */
interface World {
  instances: Instance[];
  queued: number;
  ready: Set<string>;
  next: number;
}

type Event = (w: World) => void;

function events(w: World, a: AppDefinition, failures: boolean): Event[] {
  const out: Event[] = [];
  const checks = a.healthChecks.length > 0;
  const update = (id: string, fields: Partial<Instance>) => (x: World) => {
    x.instances = x.instances.map((i) => (i.taskId === id ? { ...i, ...fields } : i));
  };
  if (w.queued > 0)
    out.push((x) => {
      x.queued -= 1;
      x.instances.push(instance(x.next++, { version: a.version!, state: "TASK_STAGING" }));
    });
  for (const i of w.instances) {
    if (i.killRequested)
      out.push((x) => {
        x.instances = x.instances.filter((j) => j.taskId !== i.taskId);
      });
    else if (i.state === "TASK_STAGING") out.push(update(i.taskId, { state: "TASK_RUNNING" }));
    else if (checks && i.healthy !== true) out.push(update(i.taskId, { healthy: true }));
    else if (a.readinessChecks.length > 0 && !w.ready.has(i.taskId)) out.push((x) => x.ready.add(i.taskId));
    if (failures && !i.killRequested)
      out.push((x) => {
        x.instances = x.instances.filter((j) => j.taskId !== i.taskId);
      });
  }
  return out;
}

const restartCase = fc.record({
  instances: fc.integer({ min: 0, max: 12 }),
  /** Old instances at the start, each healthy or not (running, or staging when not healthy). */
  old: fc.array(fc.boolean(), { maxLength: 12 }),
  minimumHealthCapacity: fc.constantFrom(0, 0.25, 0.5, 0.6, 0.75, 1),
  maximumOverCapacity: fc.constantFrom(0, 0.1, 0.2, 0.5, 1),
  healthChecks: fc.boolean(),
  readiness: fc.boolean(),
  killSelection: fc.constantFrom("YOUNGEST_FIRST" as const, "OLDEST_FIRST" as const),
  choices: fc.array(fc.nat(), { maxLength: 400 }),
});

type RestartCase = typeof restartCase extends fc.Arbitrary<infer T> ? T : never;

function simulate(c: RestartCase, failures: boolean) {
  const a = app("/web", {
    instances: c.instances,
    version: NEW,
    killSelection: c.killSelection,
    upgradeStrategy: {
      minimumHealthCapacity: c.minimumHealthCapacity,
      maximumOverCapacity: c.maximumOverCapacity,
    },
    healthChecks: c.healthChecks ? [{ protocol: "TCP" }] : [],
    readinessChecks: c.readiness ? [{ name: "r" }] : [],
  });
  const minHealthy = Math.ceil(c.instances * c.minimumHealthCapacity - 1e-9);
  const maxCapacity = Math.floor(c.instances * (1 + c.maximumOverCapacity) + 1e-9);
  const bound = minHealthy === maxCapacity ? maxCapacity + 1 : maxCapacity;
  const old = c.old.map((healthy, n) => instance(n, healthy ? { healthy } : { state: "TASK_STAGING" }));
  const w: World = { instances: old, queued: 0, ready: new Set(), next: 100 };
  const healthyNow = () =>
    w.instances.filter(
      (i) =>
        !i.killRequested &&
        (c.healthChecks ? i.healthy === true : i.state === "TASK_RUNNING") &&
        (i.version !== NEW || !c.readiness || w.ready.has(i.taskId)),
    ).length;
  let hadMinHealthy = false;
  let withinBound = false;
  for (let round = 0; round < 2000; round++) {
    const d = decideAction({
      action: restart,
      app: a,
      instances: w.instances,
      queued: w.queued,
      readyTaskIds: w.ready,
    });
    const killing = new Set(d.kill);
    for (const i of w.instances) if (killing.has(i.taskId)) expect(i.killRequested).toBe(false);
    w.instances = w.instances.map((i) => (killing.has(i.taskId) ? { ...i, killRequested: true } : i));
    w.queued += d.launch - d.dequeue;
    expect(w.queued).toBeGreaterThanOrEqual(0);

    withinBound ||= w.instances.length + w.queued <= bound;
    if (withinBound) expect(w.instances.length + w.queued).toBeLessThanOrEqual(bound);
    if (!failures) {
      hadMinHealthy ||= healthyNow() >= minHealthy;
      if (hadMinHealthy) expect(healthyNow()).toBeGreaterThanOrEqual(minHealthy);
    }
    if (d.done) return { done: true, w };

    const possible = events(w, a, failures && round < c.choices.length);
    if (possible.length === 0) return { done: false, w };
    const pick = round < c.choices.length ? c.choices[round]! % possible.length : 0;
    possible[pick]!(w);
  }
  return { done: false, w };
}

describe("decideAction: rolling restart properties", () => {
  it("never below minHealthy once reached, never above maxCapacity (+1), and always finishes", () => {
    fc.assert(
      fc.property(restartCase, (c) => {
        const { done, w } = simulate(c, false);
        expect(done).toBe(true);
        expect(w.instances.every((i) => i.version === NEW)).toBe(true);
        expect(w.instances).toHaveLength(c.instances);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps within maxCapacity (+1) even when instances fail and are never replaced by anyone else", () => {
    fc.assert(
      fc.property(restartCase, (c) => {
        simulate(c, true);
      }),
      { numRuns: 200 },
    );
  });
});
