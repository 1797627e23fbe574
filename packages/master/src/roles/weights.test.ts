import { describe, expect, it } from "vitest";
import { buildMasterHttp } from "../http/app.js";
import { MasterHarness } from "../test-support/harness.js";

describe("role weights", () => {
  const start = MasterHarness.startForTest;

  it("are set and read through /weights in Mesos' shape, and bad bodies are refused", async () => {
    const h = await start();
    const app = buildMasterHttp(h.master);
    const put = await app.inject({
      method: "PUT",
      url: "/weights",
      payload: [
        { role: "eng/web", weight: 3 },
        { role: "*", weight: 0.5 },
      ],
    });
    expect(put.statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/weights" })).json()).toEqual([
      { role: "*", weight: 0.5 },
      { role: "eng/web", weight: 3 },
    ]);
    const bad = await app.inject({ method: "PUT", url: "/weights", payload: [{ role: "eng", weight: 0 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe("0.weight");
    const badRole = await app.inject({
      method: "PUT",
      url: "/weights",
      payload: [{ role: "/x", weight: 1 }],
    });
    expect(badRole.statusCode).toBe(400);
    await app.close();
  });

  it("survive a master restart on the same store", async () => {
    const first = await start();
    await first.master.updateWeights([{ role: "ads", weight: 2 }]);
    await first.stop();
    const second = await start({ store: first.store });
    expect(second.master.weights()).toEqual([{ role: "ads", weight: 2 }]);
  });

  it("split the cluster between roles in proportion to their weight", async () => {
    const h = await start();
    await h.master.updateWeights([{ role: "heavy", weight: 3 }]);
    const light = await h.framework({ roles: ["light"] });
    const heavy = await h.framework({ roles: ["heavy"] });
    for (let i = 0; i < 8; i++) await h.agent("cpus:4;mem:4096");
    await h.settle();
    const count = (fw: typeof light) =>
      fw.pendingOffers().flatMap((e) => (e.type === "offers" ? e.offers : [])).length;
    expect([count(light), count(heavy)]).toEqual([2, 6]);
  });
});
