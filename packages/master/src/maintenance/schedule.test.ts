import { describe, expect, it } from "vitest";
import { isMasterError } from "../errors.js";
import {
  applySchedule,
  bringDown,
  bringUp,
  EMPTY_MAINTENANCE,
  hostUnavailability,
  isHostDown,
  MachineIds,
  type MaintenanceSchedule,
  maintenanceStatus,
  MaintenanceSchedule as ScheduleSchema,
} from "./schedule.js";

const unavailability = {
  start: { nanoseconds: 1_700_000_000_000_000_000 },
  duration: { nanoseconds: 3.6e12 },
};
const a = { hostname: "a.test", ip: "10.0.0.1" };
const b = { hostname: "b.test" };
const schedule: MaintenanceSchedule = { windows: [{ machine_ids: [a, b], unavailability }] };

function failure(f: () => unknown): { code: string; field: string | undefined } {
  try {
    f();
  } catch (err) {
    if (isMasterError(err)) return { code: err.code, field: err.field };
    throw err;
  }
  throw new Error("expected a MasterError");
}

describe("maintenance schedule rules", () => {
  it("parses Mesos' schedule JSON and rejects machine ids without hostname or ip, bad ips and negative durations", () => {
    expect(ScheduleSchema.safeParse(schedule).success).toBe(true);
    expect(ScheduleSchema.safeParse({ windows: [] }).success).toBe(true);
    const noId = ScheduleSchema.safeParse({ windows: [{ machine_ids: [{}], unavailability }] });
    expect(noId.error?.issues[0]?.path).toEqual(["windows", 0, "machine_ids", 0]);
    const badIp = MachineIds.safeParse([{ ip: "not-an-ip" }]);
    expect(badIp.error?.issues[0]?.path).toEqual([0, "ip"]);
    const negative = ScheduleSchema.safeParse({
      windows: [
        { machine_ids: [b], unavailability: { start: { nanoseconds: 0 }, duration: { nanoseconds: -1 } } },
      ],
    });
    expect(negative.error?.issues[0]?.path).toEqual([
      "windows",
      0,
      "unavailability",
      "duration",
      "nanoseconds",
    ]);
    expect(MachineIds.safeParse([]).success).toBe(false);
  });

  it("makes scheduled machines DRAINING, with their window's unavailability", () => {
    const state = applySchedule(EMPTY_MAINTENANCE, schedule);
    expect(maintenanceStatus(state)).toEqual({
      draining_machines: [{ id: a }, { id: b }],
      down_machines: [],
    });
    expect(hostUnavailability(state, "B.TEST")).toEqual(unavailability);
    expect(hostUnavailability(state, "10.0.0.1")).toEqual(unavailability);
    expect(hostUnavailability(state, "c.test")).toBeUndefined();
  });

  it("refuses a machine scheduled twice, naming where", () => {
    const twice = {
      windows: [
        { machine_ids: [a], unavailability },
        { machine_ids: [{ hostname: "A.test", ip: "10.0.0.1" }], unavailability },
      ],
    };
    expect(failure(() => applySchedule(EMPTY_MAINTENANCE, twice))).toEqual({
      code: "INVALID_MAINTENANCE",
      field: "windows.1.machine_ids.0",
    });
  });

  it("brings only scheduled, DRAINING machines down", () => {
    const state = applySchedule(EMPTY_MAINTENANCE, schedule);
    expect(failure(() => bringDown(state, [{ hostname: "c.test" }]))).toEqual({
      code: "INVALID_MAINTENANCE",
      field: "0",
    });
    const down = bringDown(state, [b]);
    expect(isHostDown(down, "b.test")).toBe(true);
    expect(hostUnavailability(down, "b.test")).toBeUndefined();
    expect(maintenanceStatus(down)).toEqual({ draining_machines: [{ id: a }], down_machines: [b] });
    expect(failure(() => bringDown(down, [a, b]))).toEqual({ code: "INVALID_MAINTENANCE", field: "1" });
  });

  it("keeps a DOWN machine in the schedule until it is up", () => {
    const down = bringDown(applySchedule(EMPTY_MAINTENANCE, schedule), [b]);
    const withoutB = { windows: [{ machine_ids: [a], unavailability }] };
    expect(failure(() => applySchedule(down, withoutB))).toEqual({
      code: "INVALID_MAINTENANCE",
      field: "windows",
    });
    expect(applySchedule(down, { windows: [{ machine_ids: [b], unavailability }] }).down).toEqual([b]);
  });

  it("brings only DOWN machines up, out of the schedule, dropping windows left empty", () => {
    const state = applySchedule(EMPTY_MAINTENANCE, {
      windows: [
        { machine_ids: [a], unavailability },
        { machine_ids: [b], unavailability },
      ],
    });
    expect(failure(() => bringUp(state, [a]))).toEqual({ code: "INVALID_MAINTENANCE", field: "0" });
    const up = bringUp(bringDown(state, [b]), [b]);
    expect(up).toEqual({ windows: [{ machine_ids: [a], unavailability }], down: [] });
    expect(isHostDown(up, "b.test")).toBe(false);
    expect(hostUnavailability(up, "b.test")).toBeUndefined();
  });
});
