import type { AgentId } from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { buildMasterHttp } from "../http/app.js";
import { MasterHarness } from "../test-support/harness.js";
import { withLaunchedTasks } from "../test-support/launch.js";
import { registrationError } from "../test-support/registration.js";

const unavailability = {
  start: { nanoseconds: 1_700_000_000_000_000_000 },
  duration: { nanoseconds: 3.6e12 },
};
const schedule = { windows: [{ machine_ids: [{ hostname: "agent.test" }], unavailability }] };

function http(h: MasterHarness) {
  const app = buildMasterHttp(h.master);
  onTestFinished(() => app.close());
  return (method: "GET" | "POST", url: string, payload?: unknown) =>
    app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
}

describe("maintenance primitives over HTTP", () => {
  it("schedules a machine DRAINING: its offers are rescinded and made again with the window's unavailability", async () => {
    const h = await MasterHarness.startForTest();
    await h.agent();
    const fw = await h.framework();
    const [before] = await fw.offers();
    expect(before?.unavailability).toBeUndefined();
    const inject = http(h);

    expect((await inject("POST", "/maintenance/schedule", schedule)).statusCode).toBe(200);
    await fw.events.take((e) => e.type === "rescind" && e.offerId === before!.id, "the old offer rescinded");
    const [after] = await fw.offers();
    expect(after?.unavailability).toEqual(unavailability);

    expect((await inject("GET", "/maintenance/schedule")).json()).toEqual(schedule);
    expect((await inject("GET", "/maintenance/status")).json()).toEqual({
      draining_machines: [{ id: { hostname: "agent.test" } }],
      down_machines: [],
    });
    expect(JSON.parse(Buffer.from((await h.store.get("maintenance.state"))!.value).toString())).toEqual({
      windows: schedule.windows,
      down: [],
    });
  });

  it("answers 400 naming the field for bad bodies and for Mesos' rules broken", async () => {
    const h = await MasterHarness.startForTest();
    const inject = http(h);
    const noMachine = await inject("POST", "/maintenance/schedule", {
      windows: [{ machine_ids: [{}], unavailability }],
    });
    expect(noMachine.statusCode).toBe(400);
    expect(noMachine.json()).toMatchObject({ field: "windows.0.machine_ids.0" });
    const badStart = await inject("POST", "/maintenance/schedule", {
      windows: [{ machine_ids: [{ hostname: "x" }], unavailability: { start: {} } }],
    });
    expect(badStart.json()).toMatchObject({ field: "windows.0.unavailability.start.nanoseconds" });
    const unscheduled = await inject("POST", "/machine/down", [{ hostname: "agent.test" }]);
    expect(unscheduled.statusCode).toBe(400);
    expect(unscheduled.json()).toMatchObject({ field: "0" });
    expect((await inject("POST", "/machine/down", [])).statusCode).toBe(400);
    await inject("POST", "/maintenance/schedule", schedule);
    const upWhileDraining = await inject("POST", "/machine/up", [{ hostname: "agent.test" }]);
    expect(upWhileDraining.statusCode).toBe(400);
    expect(upWhileDraining.json().message).toMatch(/not DOWN/);
  });

  it("applies changes one at a time, each on the state the previous one left", async () => {
    const h = await MasterHarness.startForTest();
    const machine = { hostname: "agent.test" };
    await Promise.all([h.master.updateMaintenanceSchedule(schedule), h.master.machinesDown([machine])]);
    expect(h.master.maintenanceStatus()).toEqual({ draining_machines: [], down_machines: [machine] });
    const refused = h.master.machinesUp([{ hostname: "nobody.test" }]);
    await expect(refused).rejects.toThrow(/not DOWN/);
    await h.master.machinesUp([machine]);
    expect(h.master.maintenanceSchedule()).toEqual({ windows: [] });
  });

  it("brings a machine down: its agent's tasks are GONE, it is told to shut them down, removed and refused until the machine is up", async () => {
    const s = await withLaunchedTasks(["t1"]);
    onTestFinished(() => s.h.stop());
    s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    await s.fw.update("t1", "TASK_RUNNING");
    const inject = http(s.h);
    await inject("POST", "/maintenance/schedule", schedule);

    expect((await inject("POST", "/machine/down", [{ hostname: "AGENT.test" }])).statusCode).toBe(200);
    const gone = await s.fw.update("t1", "TASK_GONE");
    expect(gone.message).toMatch(/DOWN for maintenance/);
    const shutdown = await s.agent.commands.take((c) => c.type === "shutdownFramework", "shutdownFramework");
    expect(shutdown).toMatchObject({ frameworkId: s.fw.id });
    expect(s.h.master.snapshot().agents.size).toBe(0);
    expect((await inject("GET", "/maintenance/status")).json()).toEqual({
      draining_machines: [],
      down_machines: [{ hostname: "AGENT.test" }],
    });
    expect(await registrationError(s.h, "reregister", s.agent.id)).toMatchObject({
      code: "MACHINE_DOWN",
      field: "agentInfo.hostname",
    });
    expect(await registrationError(s.h, "register")).toMatchObject({ code: "MACHINE_DOWN" });
    const dropDown = await inject("POST", "/maintenance/schedule", { windows: [] });
    expect(dropDown.statusCode).toBe(400);
    expect(dropDown.json()).toMatchObject({ field: "windows" });

    expect((await inject("POST", "/machine/up", [{ hostname: "AGENT.test" }])).statusCode).toBe(200);
    expect((await inject("GET", "/maintenance/schedule")).json()).toEqual({ windows: [] });
    const back = await s.h.reregister(s.agent.id as AgentId, []);
    expect(s.h.master.snapshot().agents.has(back.id)).toBe(true);
  });
});
