import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AppDefinition } from "../model/app-definition.js";
import { appsOf, findGroup } from "../model/group.js";
import { app, appId, deploymentId, rootWith } from "../test-support/fixtures.js";
import { planDeployment } from "./planner.js";
import { revertPlan } from "./rollback.js";

const V = "2030-01-01T00:00:00.000Z";

describe("revertPlan", () => {
  it("removes apps the plan added, restores apps it changed or removed, keeps later changes to others", () => {
    const original = rootWith([app("/web", { instances: 2 }), app("/gone/db"), app("/other")]);
    const target = rootWith([app("/web", { instances: 5 }), app("/new/api"), app("/other")]);
    const plan = planDeployment(original, target, { id: deploymentId("d") });
    const current = rootWith([
      app("/web", { instances: 5 }),
      app("/new/api"),
      app("/other", { instances: 7 }),
    ]);

    const back = revertPlan(plan, current, V);
    const apps = appsOf(back);
    expect([...apps.keys()].sort()).toEqual(["/gone/db", "/other", "/web"]);
    expect(apps.get(appId("/web"))!.instances).toBe(2);
    expect(apps.get(appId("/other"))!.instances).toBe(7);
    expect(findGroup(back, "/new")).toBeUndefined();
    expect(findGroup(back, "/gone")).toBeDefined();
    expect(back.version).toBe(V);
  });

  it("restores group dependencies the plan changed and groups it removed", () => {
    const original = rootWith([app("/a/x"), app("/b/y")], { dependencies: { "/a": ["/b"], "/empty": [] } });
    const target = rootWith([app("/a/x"), app("/b/y")]);
    const back = revertPlan(planDeployment(original, target, { id: deploymentId("d") }), target, V);
    expect(findGroup(back, "/a")!.dependencies).toEqual(["/b"]);
    expect(findGroup(back, "/empty")).toBeDefined();
  });

  it("keeps a group the plan added when something else lives in it now", () => {
    const plan = planDeployment(rootWith([]), rootWith([app("/g/a")]), { id: deploymentId("d") });
    const back = revertPlan(plan, rootWith([app("/g/a"), app("/g/later")]), V);
    expect([...appsOf(back).keys()]).toEqual(["/g/later"]);
  });

  it("reverting on top of the plan's own target gives back the original apps (property)", () => {
    const appsArb = fc
      .uniqueArray(
        fc.record({
          id: fc.constantFrom("/a", "/b", "/g/c", "/g/h/d", "/e"),
          instances: fc.integer({ min: 0, max: 4 }),
          cmd: fc.constantFrom("sleep 1", "sleep 2"),
        }),
        { selector: (a) => a.id, maxLength: 5 },
      )
      .map((specs) => specs.map((s) => app(s.id, { instances: s.instances, cmd: s.cmd })));
    const byId = (apps: Iterable<AppDefinition>) =>
      Object.fromEntries([...apps].map((a) => [a.id, a] as const).sort(([x], [y]) => (x < y ? -1 : 1)));
    fc.assert(
      fc.property(appsArb, appsArb, (before, after) => {
        const original = rootWith(before);
        const plan = planDeployment(original, rootWith(after), { id: deploymentId("d") });
        const back = revertPlan(plan, plan.target, V);
        expect(byId(appsOf(back).values())).toEqual(byId(before));
        expect(planDeployment(back, original, { id: deploymentId("again") }).steps).toEqual([]);
      }),
    );
  });
});
