import { type AgentId, parseResources, type Resource, scalarOf } from "@agora/protocol";
import { MemoryStateStore } from "@agora/transport";
import { describe, expect, it } from "vitest";
import { buildMasterHttp } from "../http/app.js";
import { type FakeFramework, MasterHarness, task } from "../test-support/harness.js";

const dynamic = (role: string, text: string): Resource[] =>
  parseResources(text).map((r) => ({ ...r, reservation: { role, type: "dynamic" as const } }));

describe("dynamic reservations", () => {
  const start = MasterHarness.startForTest;
  const totalOf = (h: MasterHarness, id: AgentId) => h.master.snapshot().agents.get(id)!.resources.total;
  const reservedIn = (fw: FakeFramework) =>
    fw
      .pendingOffers()
      .flatMap((e) => (e.type === "offers" ? e.offers : []))
      .flatMap((o) => o.resources.filter((r) => r.reservation));

  it("are made by a framework in accept, used by its task, and cannot be unreserved while in use", async () => {
    const h = await start();
    const agent = await h.agent("cpus:4;mem:4096");
    const fw = await h.framework({ roles: ["eng"] });
    const [offer] = await fw.offers();
    const reserved = dynamic("eng", "cpus:1;mem:256");
    const reply = await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [
        { type: "reserve", resources: reserved },
        { type: "launch", tasks: [{ ...task("t1", agent.id), resources: reserved }] },
      ],
    });
    expect(reply.ok).toBe(true);
    expect(totalOf(h, agent.id)).toEqual(parseResources("cpus:3;mem:3840").concat(reserved));
    const app = buildMasterHttp(h.master);
    const busy = await app.inject({
      method: "POST",
      url: "/unreserve",
      payload: { agentId: agent.id, resources: reserved },
    });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().code ?? busy.json().message).toBeDefined();
    await expect(h.master.unreserve(agent.id, reserved)).rejects.toMatchObject({
      code: "RESERVATION_IN_USE",
    });

    agent.update(fw.id, "t1", "TASK_FINISHED");
    await fw.update("t1", "TASK_FINISHED");
    await h.master.unreserve(agent.id, reserved);
    expect(totalOf(h, agent.id)).toEqual(parseResources("cpus:4;mem:4096"));
  });

  it("are made by the operator in our shape or Mesos', and offered only within their role", async () => {
    const h = await start();
    const app = buildMasterHttp(h.master);
    const agent = await h.agent("cpus:4;mem:4096");
    const mesos = await app.inject({
      method: "POST",
      url: "/reserve",
      payload: {
        agent_id: { value: agent.id },
        resources: [
          {
            name: "cpus",
            type: "SCALAR",
            scalar: { value: 2 },
            reservations: [{ type: "DYNAMIC", role: "eng", principal: "ops" }],
          },
        ],
      },
    });
    expect(mesos.statusCode).toBe(202);
    const ours = await app.inject({
      method: "POST",
      url: "/reserve",
      payload: { agentId: agent.id, resources: dynamic("eng", "mem:1024") },
    });
    expect(ours.statusCode).toBe(202);
    const bad = await app.inject({
      method: "POST",
      url: "/reserve",
      payload: { resources: dynamic("eng", "cpus:1") },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe("agentId");
    const tooMuch = await app.inject({
      method: "POST",
      url: "/reserve",
      payload: { agentId: agent.id, resources: dynamic("eng", "cpus:9") },
    });
    expect(tooMuch.statusCode).toBe(409);

    const outsider = await h.framework({ roles: ["ops"] });
    const child = await h.framework({ roles: ["eng/web"] });
    await h.settle();
    await h.master.allocateNow();
    await h.settle();
    expect(reservedIn(outsider)).toEqual([]);
    expect(scalarOf(reservedIn(child), "cpus")).toBe(2);
    expect(scalarOf(reservedIn(child), "mem")).toBe(1024);
  });

  it("count against the role's quota limit when the operator makes them", async () => {
    const h = await start();
    const agent = await h.agent("cpus:4;mem:4096");
    await h.master.setQuota({ role: "eng", guarantee: [], limit: parseResources("cpus:1") });
    await expect(h.master.reserve(agent.id, dynamic("eng", "cpus:2"))).rejects.toMatchObject({
      code: "QUOTA_EXCEEDED",
    });
    await h.master.reserve(agent.id, dynamic("eng", "cpus:1"));
  });

  it("survive a master restart and apply when the agent reregisters", async () => {
    const store = new MemoryStateStore();
    const first = await start({ store });
    const agent = await first.agent("cpus:4;mem:4096");
    await first.master.reserve(agent.id, dynamic("eng", "cpus:2"));
    await first.stop();
    const second = await start({ store });
    await second.reregister(agent.id, [], "cpus:4;mem:4096");
    expect(totalOf(second, agent.id)).toEqual(
      parseResources("cpus:2;mem:4096").concat(dynamic("eng", "cpus:2")),
    );
  });
});
