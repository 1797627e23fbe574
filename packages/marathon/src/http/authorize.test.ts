import { describe, expect, it } from "vitest";
import { parseApp } from "../model/app-json.js";
import { emptyRoot } from "../model/group.js";
import { putApp, putApps, removeApp, restartApp, scaleGroup } from "../model/group-ops.js";
import { type AppViewer, changedApps, eventFor, visibleGroup } from "./authorize.js";

const app = (id: string, instances = 1) => parseApp({ id, cmd: "sleep 600", cpus: 0.1, mem: 16, instances });

describe("changedApps (the objects of update_apps)", () => {
  const v = (n: number) => `2026-01-01T00:00:0${n}.000Z`;
  const root = putApps(emptyRoot(v(0)), [app("/a"), app("/team/b"), app("/team/c")], v(1));

  it("names the apps a write adds, changes or removes, and only those", () => {
    expect(changedApps(root, putApp(root, app("/d"), v(2)))).toEqual(["/d"]);
    expect(changedApps(root, putApp(root, app("/a", 3), v(2)))).toEqual(["/a"]);
    expect(changedApps(root, removeApp(root, "/team/b", v(2)))).toEqual(["/team/b"]);
    expect(changedApps(root, restartApp(root, "/a", v(2)))).toEqual(["/a"]);
  });

  it("names every app of a group write that changes it", () => {
    expect(changedApps(root, scaleGroup(root, "/team", 2, v(2))).sort()).toEqual(["/team/b", "/team/c"]);
  });

  it("names nothing for a write that changes no app", () => {
    expect(changedApps(root, putApp(root, app("/a"), v(2)))).toEqual([]);
  });
});

describe("visibleGroup (what view_apps shows of a group)", () => {
  const root = putApps(emptyRoot("v0"), [app("/a"), app("/team/b"), app("/team/c"), app("/other/d")], "v1");
  const viewer = (ids: string[], groups = false): AppViewer => ({ app: (id) => ids.includes(id), groups });
  const shape = (g: ReturnType<typeof visibleGroup>): unknown =>
    g && { id: g.id, apps: g.apps.map((a) => a.id), groups: g.groups.map(shape) };

  it("keeps only the apps the principal may view, and the groups that still show one", () => {
    expect(shape(visibleGroup(root, viewer(["/team/b"])))).toEqual({
      id: "/",
      apps: [],
      groups: [{ id: "/team", apps: ["/team/b"], groups: [] }],
    });
  });

  it("shows the root even when nothing is left, and no other group", () => {
    expect(shape(visibleGroup(root, viewer([])))).toEqual({ id: "/", apps: [], groups: [] });
    const team = root.groups.find((g) => g.id === "/team")!;
    expect(visibleGroup(team, viewer([]))).toBeUndefined();
  });

  it("a viewer of every app (an ANY rule) sees groups left without apps too", () => {
    const shown = visibleGroup(root, viewer(["/a"], true));
    expect(shown?.groups.map((g) => g.id).sort()).toEqual(["/other", "/team"]);
    expect(shown?.groups.flatMap((g) => g.apps)).toEqual([]);
  });
});

describe("eventFor (what view_apps lets through /v2/events)", () => {
  const viewer: AppViewer = { app: (id) => id === "/mine", groups: false };
  const root = putApps(emptyRoot("v0"), [app("/mine"), app("/theirs")], "v1");
  const plan = (apps: string[]) =>
    ({
      original: root,
      target: root,
      steps: [{ actions: apps.map((id) => ({ action: "StartApplication", app: id })) }],
    }) as never;
  const passes = (event: object) => eventFor(event as never, viewer, root) !== undefined;

  it("lets through an app's events, and a deployment's, only for an app the principal may view", () => {
    expect(passes({ eventType: "app_terminated_event", appId: "/mine" })).toBe(true);
    expect(passes({ eventType: "app_terminated_event", appId: "/theirs" })).toBe(false);
    expect(passes({ eventType: "instance_changed_event", runSpecId: "/theirs" })).toBe(false);
    expect(passes({ eventType: "api_post_event", appDefinition: app("/theirs") })).toBe(false);
    expect(passes({ eventType: "deployment_success", plan: plan(["/theirs"]) })).toBe(false);
    expect(passes({ eventType: "event_stream_attached", remoteAddress: "x" })).toBe(true);
  });

  it("lets through a group change only for a group holding an app the principal may view", () => {
    const group = (groupId: string) => ({ eventType: "group_change_success", groupId, version: "v1" });
    expect(passes(group("/"))).toBe(true);
    expect(passes(group("/mine"))).toBe(true);
    expect(passes(group("/theirs"))).toBe(false);
    expect(passes(group("/elsewhere"))).toBe(false);
    expect(eventFor(group("/elsewhere") as never, { ...viewer, groups: true }, root)).toBeDefined();
  });

  it("narrows a deployment's original and target groups to the apps the principal may view", () => {
    const shown = eventFor(
      { eventType: "deployment_info", plan: plan(["/theirs", "/mine"]) } as never,
      viewer,
      root,
    );
    const ids = (g: { apps: { id: string }[] }) => g.apps.map((a) => a.id);
    const p = (shown as unknown as { plan: { original: never; target: never } }).plan;
    expect(ids(p.original)).toEqual(["/mine"]);
    expect(ids(p.target)).toEqual(["/mine"]);
  });
});
