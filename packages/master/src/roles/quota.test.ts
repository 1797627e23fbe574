import { parseResources, scalarOf } from "@agora/protocol";
import { MemoryStateStore } from "@agora/transport";
import { describe, expect, it } from "vitest";
import { buildMasterHttp } from "../http/app.js";
import { MasterHarness } from "../test-support/harness.js";

describe("role quota", () => {
  const start = MasterHarness.startForTest;

  it("is set in our shape or Mesos', read, and removed through /quota", async () => {
    const h = await start();
    const app = buildMasterHttp(h.master);
    const ours = await app.inject({
      method: "POST",
      url: "/quota",
      payload: {
        role: "eng/web",
        guarantee: [{ name: "cpus", scalar: 2 }],
        limit: [{ name: "cpus", scalar: 4 }],
      },
    });
    expect(ours.statusCode).toBe(200);
    const mesos = await app.inject({
      method: "POST",
      url: "/quota",
      payload: { role: "ops", guarantee: [{ name: "mem", type: "SCALAR", scalar: { value: 512 } }] },
    });
    expect(mesos.statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/quota" })).json()).toEqual({
      infos: [
        { role: "eng/web", guarantee: [{ name: "cpus", scalar: 2 }], limit: [{ name: "cpus", scalar: 4 }] },
        { role: "ops", guarantee: [{ name: "mem", scalar: 512 }], limit: [] },
      ],
    });
    expect((await app.inject({ method: "DELETE", url: "/quota/eng/web" })).statusCode).toBe(204);
    expect((await app.inject({ method: "DELETE", url: "/quota/eng/web" })).statusCode).toBe(404);
    expect(h.master.quotas().map((q) => q.role)).toEqual(["ops"]);
  });

  it("refuses bad bodies with a 400 naming the field", async () => {
    const h = await start();
    const app = buildMasterHttp(h.master);
    const post = (payload: unknown) =>
      app.inject({ method: "POST", url: "/quota", payload: payload as object });
    const over = await post({
      role: "eng",
      guarantee: [{ name: "cpus", scalar: 5 }],
      limit: [{ name: "cpus", scalar: 4 }],
    });
    expect(over.statusCode).toBe(400);
    expect(over.json().field).toBe("guarantee.0.scalar");
    const negative = await post({ role: "eng", limit: [{ name: "cpus", scalar: -1 }] });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().field).toMatch(/^limit\.0/);
    expect((await post({ role: "*", guarantee: [] })).json().field).toBe("role");
    // Rounded to thousandths, 1e308 became Infinity and the registry refused the record (a 500).
    const huge = await post({
      role: "eng",
      limit: [{ name: "cpus", type: "SCALAR", scalar: { value: 1e308 } }],
    });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().field).toBe("limit.0.scalar");
    expect((await post({ role: "eng", guarantee: [{ name: "mem", scalar: 1e16 }] })).json().field).toBe(
      "guarantee.0.scalar",
    );
  });

  it("survives a master restart", async () => {
    const store = new MemoryStateStore();
    const first = await start({ store });
    await first.master.setQuota({
      role: "eng",
      guarantee: parseResources("cpus:1"),
      limit: parseResources("cpus:2"),
    });
    await first.stop();
    const second = await start({ store });
    expect(second.master.quotas()).toEqual([
      { role: "eng", guarantee: parseResources("cpus:1"), limit: parseResources("cpus:2") },
    ]);
  });

  it("keeps a framework under its role's limit in offers", async () => {
    const h = await start();
    await h.master.setQuota({ role: "eng", guarantee: [], limit: parseResources("cpus:3") });
    const agent = await h.agent("cpus:8;mem:8192");
    const fw = await h.framework({ roles: ["eng"] });
    const offers = await fw.offers();
    expect(offers.every((o) => o.agentId === agent.id)).toBe(true);
    expect(offers.reduce((sum, o) => sum + scalarOf(o.resources, "cpus"), 0)).toBe(3);
  });
});
