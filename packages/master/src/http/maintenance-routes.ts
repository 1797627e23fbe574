import { firstIssue } from "@agora/protocol";
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { MasterError } from "../errors.js";
import { type MachineId, MachineIds, MaintenanceSchedule } from "../maintenance/schedule.js";
import type { Master } from "../master.js";
import { authorize, visibleTo } from "./authorize.js";

export interface MaintenanceRoutesOptions {
  master: Master;
}

/**
 * Mesos' maintenance primitives: `GET`/`POST /maintenance/schedule` (`{windows: [{machine_ids:
 * [{hostname, ip}], unavailability: {start: {nanoseconds}, duration: {nanoseconds}}}]}`),
 * `GET /maintenance/status` (`{draining_machines: [{id}], down_machines}`), and `POST /machine/down`,
 * `POST /machine/up` (a list of machine ids). Every change is persisted before the 200; bad input
 * and broken rules are a 400 naming the field. Leader-only: a standby redirects them.
 */
export async function maintenanceRoutes(
  app: FastifyInstance,
  { master }: MaintenanceRoutesOptions,
): Promise<void> {
  app.get("/maintenance/schedule", async (request) =>
    visibleSchedule(master.maintenanceSchedule(), visibleTo(master, request, "get_maintenance_schedules")),
  );
  app.post("/maintenance/schedule", async (request, reply) => {
    const schedule = parse(MaintenanceSchedule, request.body, "schedule");
    const machines = schedule.windows.flatMap((w) => w.machine_ids);
    authorize(master, request, "update_maintenance_schedules", machines.map(machineName));
    await master.updateMaintenanceSchedule(schedule);
    return reply.code(200).send({});
  });
  app.get("/maintenance/status", async () => master.maintenanceStatus());
  app.post("/machine/down", async (request, reply) => {
    const machines = parse(MachineIds, request.body, "machine/down");
    authorize(master, request, "start_maintenances", machines.map(machineName));
    await master.machinesDown(machines);
    return reply.code(200).send({});
  });
  app.post("/machine/up", async (request, reply) => {
    const machines = parse(MachineIds, request.body, "machine/up");
    authorize(master, request, "stop_maintenances", machines.map(machineName));
    await master.machinesUp(machines);
    return reply.code(200).send({});
  });
}

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const { message, field } = firstIssue(parsed.error);
  throw new MasterError("INVALID_REQUEST", `${what}: ${message}`, { field });
}

/** A machine as the maintenance ACLs name it: its hostname, else its IP (Mesos' `machines` object). */
export function machineName(machine: MachineId): string | undefined {
  return machine.hostname ?? machine.ip;
}

/** The schedule with only the machines `shown` allows; windows left empty are dropped (as Mesos). */
export function visibleSchedule(
  schedule: MaintenanceSchedule,
  shown: (machine: string | undefined) => boolean,
): MaintenanceSchedule {
  const windows = schedule.windows.flatMap((w) => {
    const machineIds = w.machine_ids.filter((m) => shown(machineName(m)));
    return machineIds.length === 0 ? [] : [{ ...w, machine_ids: machineIds }];
  });
  return { ...schedule, windows };
}
