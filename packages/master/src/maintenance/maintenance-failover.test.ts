import { describe, expect, it, onTestFinished } from "vitest";
import { buildMasterHttp } from "../http/app.js";
import { MasterHarness, waitFor } from "../test-support/harness.js";
import { election, leaseStores } from "../test-support/lease.js";
import { registrationError } from "../test-support/registration.js";

const unavailability = { start: { nanoseconds: 1_700_000_000_000_000_000 } };
const schedule = {
  windows: [{ machine_ids: [{ hostname: "agent.test" }, { hostname: "other.test" }], unavailability }],
};

describe("maintenance across a leader failover", () => {
  it("a new leader keeps the schedule and the DOWN machines, refusing the down machine's agent; a standby redirects", async () => {
    const stores = leaseStores();
    const h = await MasterHarness.startForTest({ election: election(stores, "m1") });
    await waitFor(() => h.master.isLeader, "m1 to lead");
    const agent = await h.agent();
    const leaderHttp = buildMasterHttp(h.master);
    onTestFinished(() => leaderHttp.close());
    expect(
      (await leaderHttp.inject({ method: "POST", url: "/maintenance/schedule", payload: schedule }))
        .statusCode,
    ).toBe(200);
    const down = await leaderHttp.inject({
      method: "POST",
      url: "/machine/down",
      payload: [{ hostname: "agent.test" }],
    });
    expect(down.statusCode).toBe(200);

    const next = await h.standby({ election: election(stores, "m2") });
    const standbyHttp = buildMasterHttp(next);
    onTestFinished(() => standbyHttp.close());
    const redirected = await standbyHttp.inject({
      method: "POST",
      url: "/machine/up",
      payload: [{ hostname: "agent.test" }],
    });
    expect(redirected.statusCode).toBe(307);
    expect(redirected.headers.location).toBe("http://m1:5050/machine/up");

    await h.master.stop();
    await waitFor(() => next.isLeader, "m2 to lead");
    expect((await standbyHttp.inject({ method: "GET", url: "/maintenance/schedule" })).json()).toEqual(
      schedule,
    );
    expect((await standbyHttp.inject({ method: "GET", url: "/maintenance/status" })).json()).toEqual({
      draining_machines: [{ id: { hostname: "other.test" } }],
      down_machines: [{ hostname: "agent.test" }],
    });
    expect(await registrationError(h, "reregister", agent.id)).toMatchObject({ code: "MACHINE_DOWN" });
    expect(next.snapshot().agents.size).toBe(0);
  });
});
