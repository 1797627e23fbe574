import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { MasterError } from "../errors.js";
import { MachineIds, MaintenanceSchedule } from "../maintenance/schedule.js";
import type { Master } from "../master.js";

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
  app.get("/maintenance/schedule", async () => master.maintenanceSchedule());
  app.post("/maintenance/schedule", async (request, reply) => {
    await master.updateMaintenanceSchedule(parse(MaintenanceSchedule, request.body, "schedule"));
    return reply.code(200).send({});
  });
  app.get("/maintenance/status", async () => master.maintenanceStatus());
  app.post("/machine/down", async (request, reply) => {
    await master.machinesDown(parse(MachineIds, request.body, "machine/down"));
    return reply.code(200).send({});
  });
  app.post("/machine/up", async (request, reply) => {
    await master.machinesUp(parse(MachineIds, request.body, "machine/up"));
    return reply.code(200).send({});
  });
}

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new MasterError("INVALID_REQUEST", `${what}: ${issue.message}`, { field: issue.path.join(".") });
}
