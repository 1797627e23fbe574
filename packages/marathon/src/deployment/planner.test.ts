import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMarathonError } from "../errors.js";
import type { AppDefinition } from "../model/app-definition.js";
import { parseGroup } from "../model/app-json.js";
import { findApp, putGroup } from "../model/group-ops.js";
import { app, deploymentId, rootWith } from "../test-support/fixtures.js";
import { planDeployment } from "./planner.js";

const opts = { id: deploymentId("d1") };
const kinds = (plan: ReturnType<typeof planDeployment>) =>
  plan.steps.map((s) => s.actions.map((a) => `${a.action} ${a.app}`));

describe("planDeployment", () => {
  it("stops removed apps, starts new ones with no instances, then scales them to their count", () => {
    const plan = planDeployment(rootWith([app("/old")]), rootWith([app("/new", { instances: 3 })]), opts);
    expect(kinds(plan)).toEqual([
      ["StopApplication /old"],
      ["StartApplication /new"],
      ["ScaleApplication /new"],
    ]);
    expect(plan.steps[2]!.actions[0]).toEqual({ action: "ScaleApplication", app: "/new", scaleTo: 3 });
  });

  it("scales an app whose only change is its instance count, even with a new version stamp", () => {
    const before = rootWith([app("/web", { instances: 2 })]);
    const after = rootWith([
      app("/web", {
        instances: 5,
        version: "2026-02-02T00:00:00.000Z",
        versionInfo: {
          lastScalingAt: "2026-02-02T00:00:00.000Z",
          lastConfigChangeAt: "2026-01-01T00:00:00.000Z",
        },
      }),
    ]);
    expect(planDeployment(before, after, opts).steps).toEqual([
      { actions: [{ action: "ScaleApplication", app: "/web", scaleTo: 5 }] },
    ]);
  });

  it("restarts an app whose config changed, also when its instance count changed with it", () => {
    const plan = planDeployment(
      rootWith([app("/web", { instances: 2 })]),
      rootWith([app("/web", { instances: 4, cmd: "sleep 2000" })]),
      opts,
    );
    expect(kinds(plan)).toEqual([["RestartApplication /web"]]);
  });

  it("restarts an unchanged config when its lastConfigChangeAt moved (the /restart endpoint)", () => {
    const v = (at: string) => ({ lastScalingAt: at, lastConfigChangeAt: at });
    const plan = planDeployment(
      rootWith([app("/web", { versionInfo: v("2026-01-01T00:00:00.000Z") })]),
      rootWith([app("/web", { versionInfo: v("2026-03-01T00:00:00.000Z") })]),
      opts,
    );
    expect(kinds(plan)).toEqual([["RestartApplication /web"]]);
  });

  it("has no steps when nothing changed but the version stamp", () => {
    const plan = planDeployment(
      rootWith([app("/a"), app("/g/b")]),
      rootWith([app("/a", { version: "2027-01-01T00:00:00.000Z" }), app("/g/b")], {
        version: "2027-01-01T00:00:00.000Z",
      }),
      opts,
    );
    expect(plan.steps).toEqual([]);
    expect(plan.version).toBe("2027-01-01T00:00:00.000Z");
  });

  it("orders apps by dependency level: app and enclosing-group dependencies, resolved to apps", () => {
    const target = rootWith(
      [
        app("/db/pg"),
        app("/cache/redis", { dependencies: ["/db/pg"] }),
        app("/web/front"),
        app("/web/api"),
        app("/tools/cron"),
      ],
      { dependencies: { "/web": ["/cache"] } },
    );
    expect(kinds(planDeployment(rootWith([]), target, opts)).slice(1)).toEqual([
      ["ScaleApplication /db/pg", "ScaleApplication /tools/cron"],
      ["ScaleApplication /cache/redis"],
      ["ScaleApplication /web/api", "ScaleApplication /web/front"],
    ]);
  });

  it("relative dependencies of a group body resolve against the app's group, so the plan orders them", () => {
    const { group } = parseGroup(
      {
        apps: [
          { id: "web", cmd: "w", dependencies: ["api"] },
          { id: "api", cmd: "a", dependencies: ["../db/pg"] },
        ],
      },
      "/shop",
      "/",
    );
    const target = putGroup(rootWith([app("/db/pg")]), group, "2027-01-01T00:00:00.000Z");
    expect(findApp(target, "/shop/web")?.dependencies).toEqual(["/shop/api"]);
    expect(kinds(planDeployment(rootWith([app("/db/pg")]), target, opts)).slice(1)).toEqual([
      ["ScaleApplication /shop/api"],
      ["ScaleApplication /shop/web"],
    ]);
  });

  it("refuses unknown dependencies and cycles with INVALID_DEFINITION details", () => {
    const unknown = () =>
      planDeployment(rootWith([]), rootWith([app("/a", { dependencies: ["/nope"] })]), opts);
    expect(unknown).toThrow(expect.objectContaining({ code: "INVALID_DEFINITION" }));
    const cyclic = () =>
      planDeployment(
        rootWith([]),
        rootWith([
          app("/a", { dependencies: ["/b"] }),
          app("/b", { dependencies: ["/c"] }),
          app("/c", { dependencies: ["/a"] }),
        ]),
        opts,
      );
    try {
      cyclic();
      expect.unreachable();
    } catch (e) {
      expect(isMarathonError(e, "INVALID_DEFINITION")).toBe(true);
      if (isMarathonError(e)) expect(e.details?.[0]?.errors[0]).toMatch(/cyclic/);
    }
  });

  it("an app never waits for itself, but apps of a group that depends on itself wait for each other", () => {
    const alone = rootWith([app("/g/a")], { dependencies: { "/g": ["/g"] } });
    expect(kinds(planDeployment(rootWith([]), alone, opts))).toEqual([
      ["StartApplication /g/a"],
      ["ScaleApplication /g/a"],
    ]);
    const pair = rootWith([app("/g/a"), app("/g/b")], { dependencies: { "/g": ["/g"] } });
    expect(() => planDeployment(rootWith([]), pair, opts)).toThrow(
      expect.objectContaining({
        details: [expect.objectContaining({ errors: [expect.stringMatching(/cyclic/)] })],
      }),
    );
  });
});

describe("planDeployment properties", () => {
  /** Up to 8 apps `/a0…/a7` in two groups; app i may depend only on apps j < i, so graphs are acyclic. */
  const world = fc
    .array(
      fc.record({
        present: fc.boolean(),
        instances: fc.integer({ min: 0, max: 5 }),
        cmd: fc.constantFrom("sleep 1", "sleep 2"),
        deps: fc.array(fc.nat({ max: 7 }), { maxLength: 3 }),
      }),
      { minLength: 8, maxLength: 8 },
    )
    .map((specs) => {
      const id = (i: number) => `/${i % 2 === 0 ? "even" : "odd"}/a${i}`;
      const apps: AppDefinition[] = [];
      specs.forEach((s, i) => {
        if (!s.present) return;
        const deps = s.deps.filter((j) => j < i && specs[j]!.present).map(id);
        apps.push(app(id(i), { instances: s.instances, cmd: s.cmd, dependencies: deps }));
      });
      return apps;
    });

  it("touches every changed app exactly once, after every app it depends on", () => {
    fc.assert(
      fc.property(world, world, (before, after) => {
        const plan = planDeployment(rootWith(before), rootWith(after), opts);
        const stepOf = new Map<string, number>();
        plan.steps.forEach((s, i) => {
          for (const a of s.actions) {
            if (a.action === "StartApplication") continue;
            expect(stepOf.has(a.app)).toBe(false);
            stepOf.set(a.app, i);
          }
        });
        const was = new Map(before.map((a) => [a.id, a]));
        for (const a of after) {
          const old = was.get(a.id);
          const changed =
            old === undefined ||
            old.cmd !== a.cmd ||
            old.instances !== a.instances ||
            old.dependencies.join() !== a.dependencies.join();
          expect(stepOf.has(a.id)).toBe(changed);
          for (const dep of a.dependencies)
            if (stepOf.has(a.id) && stepOf.has(dep)) expect(stepOf.get(dep)!).toBeLessThan(stepOf.get(a.id)!);
        }
        for (const a of before) if (!after.some((x) => x.id === a.id)) expect(stepOf.get(a.id)).toBe(0);
      }),
    );
  });
});
