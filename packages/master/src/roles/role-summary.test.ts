import { parseResources } from "@agora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { buildMasterHttp } from "../http/app.js";
import { MasterHarness } from "../test-support/harness.js";

describe("role visibility", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  it("shows weight, quota, allocation, reservations, share and frameworks per role, and counts offers", async () => {
    h = await MasterHarness.start();
    const app = buildMasterHttp(h.master);
    await h.master.updateWeights([{ role: "eng", weight: 2 }]);
    await h.master.setQuota({
      role: "eng",
      guarantee: parseResources("cpus:1"),
      limit: parseResources("cpus:8"),
    });
    const agent = await h.agent("cpus:4;mem:4096");
    await h.master.reserve(agent.id, [
      { name: "cpus", scalar: 1, reservation: { role: "ops", type: "dynamic" } },
    ]);
    const fw = await h.framework({ roles: ["eng"] });
    await fw.offers();

    const { roles } = (await app.inject({ method: "GET", url: "/master/roles" })).json();
    expect(roles.map((r: { name: string }) => r.name)).toEqual(["eng", "ops"]);
    expect(roles[0]).toMatchObject({
      name: "eng",
      weight: 2,
      frameworks: [fw.id],
      allocated: { cpus: 3, mem: 4096 },
      dominant_share: 1,
      quota: { guarantee: { cpus: 1 }, limit: { cpus: 8 } },
    });
    expect(roles[1]).toMatchObject({ name: "ops", weight: 1, reserved: { cpus: 1 }, frameworks: [] });

    const state = (await app.inject({ method: "GET", url: "/master/state" })).json();
    expect(state.frameworks[0]).toMatchObject({ role: "eng", roles: ["eng"], dominant_share: 1 });

    const metrics = (await app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toContain('agora_master_offers_made_total{role="eng"} 1');
    expect(metrics).toContain('agora_master_role_dominant_share{role="eng"} 1');
    expect(metrics).toContain("agora_master_allocation_run_seconds_bucket");
  });
});
