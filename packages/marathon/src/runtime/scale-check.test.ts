import { describe, expect, it } from "vitest";
import type { AppDefinition } from "../model/app-definition.js";
import type { Instance } from "../model/instance.js";
import { app, placedOn } from "../test-support/fixtures.js";
import { type ScaleCheckInput, scaleCheck } from "./scale-check.js";

const NOW = 1_800_000_000_000;

function input(
  apps: AppDefinition[],
  instances: Instance[],
  o: Partial<ScaleCheckInput> = {},
): ScaleCheckInput {
  return {
    apps: new Map(apps.map((a) => [a.id, a])),
    instancesOf: (id) => instances.filter((i) => i.appId === id),
    queued: () => 0,
    queuedApps: [],
    locked: () => false,
    unreachableSince: new Map(),
    now: NOW,
    ...o,
  };
}

const staged = (i: Instance, at: number): Instance => ({ ...i, stagedAt: new Date(at).toISOString() });

describe("scaleCheck", () => {
  it("queues the missing instances, counting those already queued", () => {
    const web = app("/web", { instances: 3 });
    const r = scaleCheck(input([web], [placedOn("/web", "a")], { queued: () => 1 }));
    expect(r.enqueue).toEqual([{ app: web, count: 1 }]);
    expect(r.kill).toEqual([]);
  });

  it("kills the surplus by kill selection, never counting instances already being killed", () => {
    const web = app("/web", { instances: 1 });
    const old = staged(placedOn("/web", "a", {}, 0), 1000);
    const young = staged(placedOn("/web", "b", {}, 1), 2000);
    const dying = { ...staged(placedOn("/web", "c", {}, 2), 3000), killRequested: true };
    expect(scaleCheck(input([web], [old, young, dying])).kill).toEqual([young.taskId]);
    const oldestFirst = app("/web", { instances: 1, killSelection: "OLDEST_FIRST" });
    expect(scaleCheck(input([oldestFirst], [old, young, dying])).kill).toEqual([old.taskId]);
  });

  it("leaves apps a deployment owns alone, and drops queue entries of apps that are gone", () => {
    const web = app("/web", { instances: 3 });
    const r = scaleCheck(
      input([web], [], {
        locked: (id) => id === "/web",
        queuedApps: ["/gone", "/stopping"],
        queued: () => 2,
      }),
    );
    expect(r.enqueue).toEqual([]);
    expect(r.dequeue).toEqual([{ appId: "/gone" }, { appId: "/stopping" }]);
  });

  it("an unreachable instance counts until inactiveAfterSeconds, is replaced then, and expunged after expungeAfterSeconds", () => {
    const web = app("/web", {
      instances: 1,
      unreachableStrategy: { inactiveAfterSeconds: 60, expungeAfterSeconds: 600 },
    });
    const lost = { ...placedOn("/web", "a"), state: "TASK_UNREACHABLE" as const };
    const since = new Map([[lost.taskId, NOW]]);
    const fresh = scaleCheck(input([web], [lost], { unreachableSince: since }));
    expect(fresh.enqueue).toEqual([]);
    expect(fresh.nextCheckAt).toBe(NOW + 60_000);
    const inactive = scaleCheck(input([web], [lost], { unreachableSince: since, now: NOW + 60_000 }));
    expect(inactive.enqueue).toEqual([{ app: web, count: 1 }]);
    expect(inactive.expunge).toEqual([]);
    expect(inactive.nextCheckAt).toBe(NOW + 600_000);
    expect(scaleCheck(input([web], [lost], { unreachableSince: since, now: NOW + 600_000 })).expunge).toEqual(
      [lost.taskId],
    );
  });

  it("with the default strategy an unreachable instance is replaced at once; disabled never replaces it", () => {
    const lost = { ...placedOn("/web", "a"), state: "TASK_UNREACHABLE" as const };
    const since = new Map([[lost.taskId, NOW]]);
    expect(scaleCheck(input([app("/web")], [lost], { unreachableSince: since })).enqueue).toHaveLength(1);
    const disabled = app("/web", { unreachableStrategy: "disabled" });
    const r = scaleCheck(input([disabled], [lost], { unreachableSince: since, now: NOW + 1e9 }));
    expect(r.enqueue).toEqual([]);
    expect(r.expunge).toEqual([]);
  });
});
