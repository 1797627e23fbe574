import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMarathonError } from "../errors.js";
import { app, rootWith } from "../test-support/fixtures.js";
import { appsOf, emptyRoot } from "./group.js";
import {
  findApp,
  findExactGroup,
  putApp,
  putGroup,
  removeApp,
  removeGroup,
  restartApp,
  scaleGroup,
  stampApp,
} from "./group-ops.js";

const V0 = "2026-01-01T00:00:00.000Z";
const V1 = "2026-01-02T00:00:00.000Z";
const V2 = "2026-01-03T00:00:00.000Z";

describe("group operations", () => {
  it("puts an app into the groups its id implies, stamping them and the root", () => {
    const root = putApp(emptyRoot(V0), app("/a/b/web"), V1);
    expect(root.version).toBe(V1);
    expect(findExactGroup(root, "/a")?.version).toBe(V1);
    expect(findExactGroup(root, "/a/b")?.apps.map((a) => a.id)).toEqual(["/a/b/web"]);
    expect(findApp(root, "/a/b/web")?.versionInfo).toEqual({ lastScalingAt: V1, lastConfigChangeAt: V1 });
  });

  it("refuses an app asking for a non-zero service port another app holds, with Marathon's message", () => {
    const root = putApp(emptyRoot(V0), app("/a", { portDefinitions: [{ port: 3200 }] }), V1);
    let refused: unknown;
    try {
      putApp(root, app("/b", { portDefinitions: [{ port: 3200 }] }), V2);
    } catch (err) {
      refused = err;
    }
    expect(isMarathonError(refused, "INVALID_DEFINITION")).toBe(true);
    expect((refused as { details: unknown }).details).toEqual([
      { path: "/", errors: ["Requested service port 3200 conflicts with a service port in app /a"] },
    ]);
    // Port 0 is chosen by Marathon, an app may keep its own port, and a scale-only change checks nothing.
    const two = putApp(root, app("/b", { portDefinitions: [{ port: 0 }] }), V2);
    expect(findApp(two, "/b")?.portDefinitions[0]?.port).not.toBe(3200);
    expect(() =>
      putApp(root, app("/a", { portDefinitions: [{ port: 3200 }], cmd: "other" }), V2),
    ).not.toThrow();
  });

  it("never changes its input", () => {
    const before = rootWith([app("/a/web"), app("/b/db")]);
    const copy = structuredClone(before);
    putApp(before, app("/a/web", { instances: 4 }), V1);
    removeApp(before, "/b/db", V1);
    removeGroup(before, "/a", V1);
    scaleGroup(before, "/", 2, V1);
    expect(before).toEqual(copy);
  });

  it("stamps versionInfo as Marathon: scaling, config change, unchanged", () => {
    const first = stampApp(undefined, app("/web"), V0);
    const scaled = stampApp(first, { ...first, instances: 5 }, V1);
    expect(scaled.version).toBe(V1);
    expect(scaled.versionInfo).toEqual({ lastScalingAt: V1, lastConfigChangeAt: V0 });
    const changed = stampApp(scaled, { ...scaled, cmd: "other", instances: 2 }, V2);
    expect(changed.versionInfo).toEqual({ lastScalingAt: V2, lastConfigChangeAt: V2 });
    expect(stampApp(changed, { ...changed, version: "whatever" }, "later")).toBe(changed);
  });

  it("a restart is a config change of the same definition", () => {
    const root = putApp(emptyRoot(V0), app("/web"), V0);
    const restarted = findApp(restartApp(root, "/web", V1), "/web")!;
    expect(restarted.cmd).toBe(findApp(root, "/web")!.cmd);
    expect(restarted.versionInfo).toEqual({ lastScalingAt: V1, lastConfigChangeAt: V1 });
  });

  it("removes apps and groups, with typed errors for unknown ids", () => {
    const root = rootWith([app("/a/web"), app("/a/api"), app("/b/db")]);
    expect([...appsOf(removeApp(root, "/a/web", V1)).keys()].sort()).toEqual(["/a/api", "/b/db"]);
    expect([...appsOf(removeGroup(root, "/a", V1)).keys()]).toEqual(["/b/db"]);
    expect(appsOf(removeGroup(root, "/", V1)).size).toBe(0);
    expect(() => removeApp(root, "/nope", V1)).toThrow(expect.objectContaining({ code: "APP_NOT_FOUND" }));
    expect(() => removeGroup(root, "/nope", V1)).toThrow(
      expect.objectContaining({ code: "GROUP_NOT_FOUND" }),
    );
  });

  it("refuses an app where a group is and a group where an app is", () => {
    const root = rootWith([app("/a/web")]);
    const clash = (f: () => unknown) => {
      try {
        f();
        return false;
      } catch (e) {
        return isMarathonError(e, "INVALID_DEFINITION");
      }
    };
    expect(clash(() => putApp(root, app("/a"), V1))).toBe(true);
    expect(clash(() => putApp(root, app("/a/web/x"), V1))).toBe(true);
    expect(
      clash(() => putGroup(root, { id: "/a/web", apps: [], groups: [], dependencies: [], version: "" }, V1)),
    ).toBe(true);
  });

  it("putGroup replaces the subtree and keeps versions of unchanged apps", () => {
    const root = putApp(putApp(emptyRoot(V0), app("/a/web"), V0), app("/a/api"), V0);
    const web = findApp(root, "/a/web")!;
    const next = putGroup(
      root,
      { id: "/a", apps: [{ ...web }, app("/a/new")], groups: [], dependencies: [], version: "" },
      V1,
    );
    expect(findApp(next, "/a/api")).toBeUndefined();
    expect(findApp(next, "/a/web")?.version).toBe(web.version);
    expect(findApp(next, "/a/new")?.version).toBe(V1);
  });

  it("scaleGroup takes ceil(instances × factor) of every app below the group only", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0.1, max: 4, noNaN: true }),
        (counts, factor) => {
          const apps = counts.map((n, i) => app(`/g/app${i}`, { instances: n }));
          const root = rootWith([...apps, app("/other", { instances: 3 })]);
          const scaled = scaleGroup(root, "/g", factor, V1);
          counts.forEach((n, i) => {
            expect(findApp(scaled, `/g/app${i}`)?.instances).toBe(Math.ceil(n * factor));
          });
          expect(findApp(scaled, "/other")?.instances).toBe(3);
        },
      ),
    );
  });
});
