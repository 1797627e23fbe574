import type { ExecutorId, TaskInfo } from "@agora/protocol";
import { parseAcls } from "@agora/security";
import { afterEach, describe, expect, it } from "vitest";
import { getExecutors } from "../mesos-v1/operator.js";
import { operatorSubscribed } from "../mesos-v1/operator-events.js";
import { MasterHarness, task } from "../test-support/harness.js";
import { filterView, viewerOf } from "./authorize.js";
import { jsonBytes, MesosStateRenderer } from "./mesos-state.js";

const ACLS = parseAcls(
  JSON.stringify({
    permissive: false,
    // Not permissive: without this rule no agent could register (Mesos' register_agents).
    register_agents: [{ principals: { type: "ANY" }, agents: { type: "ANY" } }],
    register_frameworks: [{ principals: { type: "ANY" }, roles: { values: ["*"] } }],
    run_tasks: [{ principals: { type: "ANY" }, users: { type: "ANY" } }],
    view_frameworks: [
      { principals: { values: ["ops"] }, users: { type: "ANY" } },
      { principals: { values: ["alice", "carol"] }, users: { values: ["alice"] } },
    ],
    view_tasks: [
      { principals: { values: ["ops"] }, users: { type: "ANY" } },
      { principals: { values: ["alice"] }, users: { values: ["alice"] } },
    ],
  }),
  "test",
);

describe("the master's authorization", () => {
  let h: MasterHarness;
  afterEach(async () => {
    await h.stop();
  });

  it("filters the registry view by view_frameworks and view_tasks, offers with their framework", async () => {
    h = await MasterHarness.start({ authorizer: ACLS });
    const agent = await h.agent();
    const alice = await h.framework({ name: "alice-fw", user: "alice" });
    await h.framework({ name: "bob-fw", user: "bob" });
    const [offer] = await alice.offers();
    await alice.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [{ type: "launch", tasks: [task("a-1", agent.id, "cpus:1;mem:64")] }],
      filters: { refuseSeconds: 0 },
    });
    const authz = h.master.authorization!;
    const view = h.master.snapshot();
    const names = (principal: string | undefined) =>
      [...filterView(view, viewerOf(authz, principal)).frameworks.values()].map((f) => f.info.name).sort();
    expect(names("ops")).toEqual(["alice-fw", "bob-fw"]);
    expect(names("alice")).toEqual(["alice-fw"]);
    expect(names(undefined)).toEqual([]);

    const tasks = (principal: string) =>
      [...filterView(view, viewerOf(authz, principal)).frameworks.values()].flatMap((f) => [
        ...f.tasks.keys(),
      ]);
    expect(tasks("alice")).toEqual(["a-1"]);
    expect(tasks("carol")).toEqual([]); // carol sees Alice's framework, not its tasks

    const offers = filterView(view, viewerOf(authz, "alice")).offers;
    for (const o of offers.values()) expect(o.offer.frameworkId).toBe(alice.id);
    expect(filterView(view, viewerOf(authz, undefined)).offers.size).toBe(0);
    // The registry itself is untouched.
    expect(h.master.snapshot().frameworks.size).toBe(2);
  });

  it("shows an executor by its command user, else its framework's (view_executors), in /master/state and v1", async () => {
    const acls = parseAcls(
      JSON.stringify({
        permissive: false,
        register_agents: [{ principals: { type: "ANY" }, agents: { type: "ANY" } }],
        register_frameworks: [{ principals: { type: "ANY" }, roles: { values: ["*"] } }],
        run_tasks: [{ principals: { type: "ANY" }, users: { type: "ANY" } }],
        view_frameworks: [{ principals: { type: "ANY" }, users: { type: "ANY" } }],
        view_tasks: [{ principals: { type: "ANY" }, users: { type: "ANY" } }],
        view_executors: [
          { principals: { values: ["ops"] }, users: { type: "ANY" } },
          { principals: { values: ["carol"] }, users: { values: ["nobody"] } },
        ],
      }),
      "test",
    );
    h = await MasterHarness.start({ authorizer: acls });
    const agent = await h.agent();
    const fw = await h.framework({ name: "alice-fw", user: "alice" });
    const withExecutor = (id: string, executorId: string, user?: string): TaskInfo => {
      const { command: _command, ...rest } = task(id, agent.id, "cpus:0.5;mem:64");
      const command = { value: "./executor", shell: true, ...(user ? { user } : {}) };
      return { ...rest, executor: { executorId: executorId as ExecutorId, command } };
    };
    const [offer] = await fw.offers();
    await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [
        {
          type: "launch",
          tasks: [withExecutor("t-1", "as-nobody", "nobody"), withExecutor("t-2", "as-alice")],
        },
      ],
      filters: { refuseSeconds: 0 },
    });
    const authz = h.master.authorization!;
    const renderer = new MesosStateRenderer();
    const stateIds = (principal: string) => {
      const view = filterView(h.master.snapshot(), viewerOf(authz, principal));
      const state = JSON.parse(jsonBytes(renderer.render(view)).toString("utf8"));
      return state.frameworks[0].executors.map((e: { executor_id: string }) => e.executor_id).sort();
    };
    const v1Ids = (principal: string) =>
      (
        getExecutors(filterView(h.master.snapshot(), viewerOf(authz, principal))).executors as {
          executor_info: { executor_id: { value: string } };
        }[]
      ).map((e) => e.executor_info.executor_id.value);
    await expect.poll(() => stateIds("ops")).toEqual(["as-alice", "as-nobody"]);
    // Carol may view nobody's executors: the one whose command runs as nobody, not the framework's.
    expect(stateIds("carol")).toEqual(["as-nobody"]);
    expect(v1Ids("carol")).toEqual(["as-nobody"]);
    expect(v1Ids("ops").sort()).toEqual(["as-alice", "as-nobody"]);
    expect(stateIds("bob")).toEqual([]);
    expect(v1Ids("bob")).toEqual([]);
    // An operator SUBSCRIBE stream starts with the same executors as GET_STATE.
    const subscribedIds = (principal: string) =>
      (
        operatorSubscribed(filterView(h.master.snapshot(), viewerOf(authz, principal))) as {
          subscribed: { get_state: { get_executors: ReturnType<typeof getExecutors> } };
        }
      ).subscribed.get_state.get_executors.executors.map(
        (e) => (e as { executor_info: { executor_id: { value: string } } }).executor_info.executor_id.value,
      );
    expect(subscribedIds("carol")).toEqual(["as-nobody"]);
    expect(subscribedIds("bob")).toEqual([]);
  });

  it("refuses a subscribe in a role the principal may not use: FORBIDDEN naming the action, counted", async () => {
    h = await MasterHarness.start({ authorizer: ACLS });
    const reply = await h.request({
      type: "subscribe",
      frameworkInfo: { name: "eng-fw", roles: ["eng"], principal: "alice" },
    });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe("FORBIDDEN");
    expect(reply.error.message).toBe(
      "Not authorized: principal 'alice' may not register_frameworks on 'eng'",
    );
    expect(h.master.snapshot().frameworks.size).toBe(0);
    const metrics = await h.master.metrics.registry.metrics();
    expect(metrics).toContain('agora_authorization_denied_total{action="register_frameworks"} 1');
  });

  it("without ACLs, nothing is checked and the view is the registry's own", async () => {
    h = await MasterHarness.start();
    expect(h.master.authorization).toBeUndefined();
    const reply = await h.request({
      type: "subscribe",
      frameworkInfo: { name: "any", roles: ["eng"], principal: "anyone" },
    });
    expect(reply.ok).toBe(true);
    expect(h.master.snapshot().frameworks.size).toBe(1);
  });
});
