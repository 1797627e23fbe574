import { MemoryStateStore } from "@agora/transport";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { isMarathonError } from "../errors.js";
import { DeploymentPlan } from "../model/deployment.js";
import { app, placedOn, rootWith } from "../test-support/fixtures.js";
import { MarathonRepository } from "./repository.js";

const silent = pino({ level: "silent" });

describe("MarathonRepository", () => {
  it("a new repository over the same store loads what the last one stored", async () => {
    const store = new MemoryStateStore();
    const repo = new MarathonRepository(store, silent);
    const web = app("/prod/web", {
      version: "2026-02-01T00:00:00.000Z",
      // Stored in their parsed form, which the request schema would not take back.
      constraints: [["hostname", "UNIQUE"], { fieldName: "rack", operator: "GROUP_BY", value: "2" }],
      ports: [0, 0],
      uris: ["http://example.test/a.tgz"],
    });
    const root = rootWith([web], { version: "2026-02-01T00:00:00.000Z" });
    const plan = DeploymentPlan.parse({
      id: "d1",
      version: root.version,
      original: rootWith([]),
      target: root,
      steps: [],
    });
    await repo.saveRoot(root, [web], { plan, stepIndex: 0 });
    await repo.saveFrameworkId("fw-1");
    const instance = placedOn("/prod/web", "h1");
    await repo.saveInstance(instance);
    await repo.saveDeployment({ plan, stepIndex: 1 });
    await repo.flush();

    const loaded = await new MarathonRepository(store, silent).load();
    expect(loaded.frameworkId).toBe("fw-1");
    expect(loaded.root).toEqual(root);
    expect(loaded.rootVersions.get(root.version)).toEqual(root);
    expect(loaded.appVersions.get("/prod/web")?.get(web.version!)).toEqual(web);
    expect(loaded.instances).toEqual([instance]);
    expect(loaded.deployments).toEqual([{ plan, stepIndex: 1 }]);
  });

  it("a task's state churn ends with its last state stored, and a delete after a put wins", async () => {
    const store = new MemoryStateStore();
    const repo = new MarathonRepository(store, silent);
    const i = placedOn("/web", "h1");
    void repo.saveInstance({ ...i, state: "TASK_STAGING" });
    void repo.saveInstance({ ...i, state: "TASK_STARTING" });
    void repo.saveInstance({ ...i, state: "TASK_RUNNING" });
    await repo.flush();
    expect((await repo.load()).instances.map((x) => x.state)).toEqual(["TASK_RUNNING"]);
    void repo.saveInstance({ ...i, state: "TASK_KILLING" });
    void repo.deleteInstance(i.taskId);
    await repo.flush();
    expect((await repo.load()).instances).toEqual([]);
  });

  it("an empty store loads as an empty root without a framework id", async () => {
    const loaded = await new MarathonRepository(new MemoryStateStore(), silent).load();
    expect(loaded.frameworkId).toBeUndefined();
    expect(loaded.root.apps).toEqual([]);
  });

  it("a record that does not match its schema stops the load, naming its key", async () => {
    const store = new MemoryStateStore();
    const repo = new MarathonRepository(store, silent);
    await repo.saveInstance(placedOn("/web", "h1"));
    await repo.flush();
    const [entry] = await store.list("marathon.instances.");
    const broken = { ...JSON.parse(new TextDecoder().decode(entry!.value)), state: "RUNNING" };
    await store.put(entry!.key, new TextEncoder().encode(JSON.stringify(broken)));

    const error = await repo.load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMarathonError(error, "STORED_STATE_INVALID")).toBe(true);
    expect((error as Error).message).toContain(entry!.key);
    expect((error as Error).message).toContain("state");
  });

  it.each([
    [
      "a deployment action's app id",
      "marathon.deployments.",
      ["plan", "steps", 0, "actions", 0, "app"],
      "/Not An App",
    ],
    ["a deployment's id", "marathon.deployments.", ["plan", "id"], ""],
    ["an instance's task id", "marathon.instances.", ["taskId"], "../escape"],
    ["an instance's agent id", "marathon.instances.", ["agentId"], "agent.with.dots"],
  ])(
    "a stored record with a bad id (%s) stops the load, naming its key and the field",
    async (_, prefix, path, bad) => {
      const store = new MemoryStateStore();
      const repo = new MarathonRepository(store, silent);
      const web = app("/web");
      const root = rootWith([web]);
      const plan = DeploymentPlan.parse({
        id: "d1",
        version: root.version,
        original: rootWith([]),
        target: root,
        steps: [{ actions: [{ action: "StartApplication", app: "/web" }] }],
      });
      await repo.saveRoot(root, [web], { plan, stepIndex: 0 });
      await repo.saveInstance(placedOn("/web", "h1"));
      await repo.flush();
      const [entry] = await store.list(prefix);
      const record = JSON.parse(new TextDecoder().decode(entry!.value));
      let at = record;
      for (const step of path.slice(0, -1)) at = at[step as keyof typeof at];
      at[path.at(-1) as keyof typeof at] = bad;
      await store.put(entry!.key, new TextEncoder().encode(JSON.stringify(record)));

      const error = await repo.load().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isMarathonError(error, "STORED_STATE_INVALID")).toBe(true);
      expect((error as Error).message).toContain(entry!.key);
      expect((error as Error).message).toContain(path.join("."));
    },
  );
});
