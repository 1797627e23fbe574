import { describe, expect, it } from "vitest";
import { isMarathonError } from "../errors.js";
import { DeploymentPlan } from "../model/deployment.js";
import { app, rootWith } from "../test-support/fixtures.js";
import { admitDeployment } from "./deployment-admission.js";

function plan(id: string, appIds: string[]): DeploymentPlan {
  const target = rootWith(appIds.map((a) => app(a)));
  return DeploymentPlan.parse({
    id,
    version: target.version,
    original: rootWith([]),
    target,
    steps: [{ actions: appIds.map((a) => ({ action: "StartApplication", app: a })) }],
  });
}

/** Running deployments as the runner answers for them. */
function running(...plans: DeploymentPlan[]) {
  return {
    size: plans.length,
    conflicting: (apps: readonly string[]) =>
      plans.filter((p) => p.steps.some((s) => s.actions.some((a) => apps.includes(a.app)))),
  };
}

function refusal(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("admitDeployment", () => {
  it("refuses a deployment over a locked app with APP_LOCKED naming the deployments that hold it", () => {
    const e = refusal(() =>
      admitDeployment(plan("new", ["/a"]), running(plan("d1", ["/a", "/b"])), { force: false, max: 10 }),
    );
    expect(isMarathonError(e, "APP_LOCKED")).toBe(true);
    expect((e as { deployments?: unknown }).deployments).toEqual([{ id: "d1" }]);
  });

  it("a forced one is admitted and returns the deployments it cancels", () => {
    const held = plan("d1", ["/a"]);
    expect(admitDeployment(plan("new", ["/a"]), running(held), { force: true, max: 10 })).toEqual([held]);
  });

  it("refuses one beyond max with TOO_MANY_DEPLOYMENTS, but counts what a forced one cancels as room", () => {
    const full = running(plan("d1", ["/a"]), plan("d2", ["/b"]));
    const e = refusal(() => admitDeployment(plan("new", ["/c"]), full, { force: false, max: 2 }));
    expect(isMarathonError(e, "TOO_MANY_DEPLOYMENTS")).toBe(true);
    expect(admitDeployment(plan("new", ["/a"]), full, { force: true, max: 2 })).toHaveLength(1);
  });
});
