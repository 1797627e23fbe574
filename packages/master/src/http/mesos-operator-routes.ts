import { firstIssue } from "@agora/protocol";
import { isSecurityError, securityErrorCodes } from "@agora/security";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { isMasterError } from "../errors.js";
import { MachineIds, MaintenanceSchedule } from "../maintenance/schedule.js";
import type { Master } from "../master.js";
import { isMesosV1Error, MesosV1Error } from "../mesos-v1/errors.js";
import {
  OPERATOR_READ_CALLS,
  type OperatorFacts,
  type OperatorReadCall,
  operatorResponse,
} from "../mesos-v1/operator.js";
import { operatorEvents, operatorSubscribed, watchOf } from "../mesos-v1/operator-events.js";
import { fromMesosResources } from "../mesos-v1/resources.js";
import { recordIo } from "../mesos-v1/scheduler-events.js";
import { MesosOperatorCall, parseMesos } from "../mesos-v1/schemas.js";
import { QuotaInfo } from "../roles/quota.js";
import { WeightInfos } from "../roles/weights.js";
import { authorize, authorizeReservation, teardownAuthorized, visibleTo, visibleView } from "./authorize.js";
import { closeOnShutdown } from "./long-lived.js";
import { machineName, visibleSchedule } from "./maintenance-routes.js";
import { mesosMetricsSnapshot } from "./mesos-metrics.js";
import { mesosFlags } from "./mesos-state.js";
import { acceptsJson, readMesosJson, textReply, withRawBodies } from "./mesos-v1-http.js";

export interface MesosOperatorRoutesOptions {
  master: Master;
  /** How often a SUBSCRIBE stream looks for changes (default 1000 ms). */
  pollMs?: number;
}

const READS = new Set<string>(OPERATOR_READ_CALLS);

/**
 * Mesos' v1 operator API on the master: `POST /api/v1` (Mesos routes every path under it here;
 * `/api/v1/operator` is what some clients use), JSON only. Read calls answer 200 with Mesos'
 * `{type, get_x}` built from the same registry view as `/master/state`; write calls run through
 * the master's operator methods (the same as `/weights`, `/quota`, `/maintenance/*`, `/reserve`).
 */
export async function mesosOperatorRoutes(
  app: FastifyInstance,
  { master, pollMs = 1000 }: MesosOperatorRoutesOptions,
): Promise<void> {
  withRawBodies(app);
  const track = closeOnShutdown(app);
  const subscribe = (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    const raw = reply.raw;
    track(request.raw.socket);
    raw.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" });
    // The stream shows, now and later, only what the subscriber's principal may view.
    const view = visibleView(master, request);
    raw.write(recordIo(operatorSubscribed(view)));
    let watch = watchOf(view);
    const poll = setInterval(() => {
      const { events, next } = operatorEvents(watch, visibleView(master, request));
      watch = next;
      for (const e of events) raw.write(recordIo(e));
    }, pollMs);
    const heartbeat = setInterval(
      () => raw.write(recordIo({ type: "HEARTBEAT" })),
      view.options.heartbeatIntervalSeconds * 1000,
    );
    raw.once("close", () => {
      clearInterval(poll);
      clearInterval(heartbeat);
    });
    return reply;
  };
  const facts = (request: FastifyRequest): OperatorFacts => {
    const visible = visibleView(master, request);
    const roleShown = visibleTo(master, request, "view_roles");
    const quotaShown = visibleTo(master, request, "get_quotas");
    // GET_ROLES shows the roles view_roles allows, as /roles does.
    const view = { ...visible, roles: () => visible.roles().filter((r) => roleShown(r.name)) };
    return {
      view,
      weights: master.weights().filter((w) => roleShown(w.role)),
      quotas: master.quotas().filter((q) => quotaShown(q.role)),
      maintenanceStatus: master.maintenanceStatus(),
      maintenanceSchedule: visibleSchedule(
        master.maintenanceSchedule(),
        visibleTo(master, request, "get_maintenance_schedules"),
      ),
      // The cluster's metrics and flags, as /metrics/snapshot shows them: not filtered (Mesos does not).
      metrics: mesosMetricsSnapshot(master.snapshot()),
      flags: mesosFlags(master.snapshot()),
    };
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const call = parseMesos(MesosOperatorCall, readMesosJson(request), "Call");
      if (!acceptsJson(request.headers.accept))
        return textReply(
          reply,
          406,
          "Expecting 'Accept' to allow 'application/json' (Agora does not speak protobuf)",
        );
      if (call.type === "SUBSCRIBE") return subscribe(request, reply);
      if (READS.has(call.type))
        return reply
          .code(200)
          .type("application/json")
          .send(operatorResponse(call.type as OperatorReadCall, facts(request)));
      const status = await write(master, request, call);
      return reply.code(status).send();
    } catch (err) {
      if (isMesosV1Error(err)) return textReply(reply, err.status, err.message);
      if (isMasterError(err))
        return textReply(reply, err.status, err.field ? `${err.field}: ${err.message}` : err.message);
      if (isSecurityError(err)) return textReply(reply, securityErrorCodes[err.code].status, err.message);
      throw err;
    }
  };
  app.post("/api/v1", handler);
  app.post("/api/v1/*", handler);
  app.route({
    method: ["GET", "PUT", "DELETE", "PATCH"],
    url: "/api/v1/*",
    handler: async (request, reply) =>
      textReply(
        reply.header("allow", "POST"),
        405,
        `Expecting one of { 'POST' }, but received '${request.method}'`,
      ),
  });
  app.route({
    method: ["GET", "PUT", "DELETE", "PATCH"],
    url: "/api/v1",
    handler: async (request, reply) =>
      textReply(
        reply.header("allow", "POST"),
        405,
        `Expecting one of { 'POST' }, but received '${request.method}'`,
      ),
  });
}

/** Runs a write call; its HTTP status (Mesos answers reservations 202, the rest 200). */
async function write(master: Master, request: FastifyRequest, call: MesosOperatorCall): Promise<number> {
  switch (call.type) {
    case "UPDATE_WEIGHTS": {
      const infos = need(call.update_weights, "update_weights").weight_infos;
      const weights = valid(WeightInfos, infos, "update_weights.weight_infos");
      authorize(
        master,
        request,
        "update_weights",
        weights.map((w) => w.role),
      );
      await master.updateWeights(weights);
      return 200;
    }
    case "UPDATE_QUOTA": {
      const configs = need(call.update_quota, "update_quota").quota_configs;
      authorize(
        master,
        request,
        "update_quotas",
        configs.map((c) => c.role),
      );
      for (const [i, c] of configs.entries()) {
        const quantities = (m: Record<string, { value: number }>) =>
          Object.entries(m).map(([name, { value }]) => ({ name, scalar: value }));
        const guarantee = quantities(c.guarantees ?? {});
        const limit = quantities(c.limits ?? {});
        if (guarantee.length === 0 && limit.length === 0) {
          if (master.quotas().some((q) => q.role === c.role)) await master.removeQuota(c.role);
          continue;
        }
        await master.setQuota(
          valid(QuotaInfo, { role: c.role, guarantee, limit }, `update_quota.quota_configs[${i}]`),
        );
      }
      return 200;
    }
    case "RESERVE_RESOURCES":
    case "UNRESERVE_RESOURCES": {
      const key = call.type === "RESERVE_RESOURCES" ? "reserve_resources" : "unreserve_resources";
      const body = need(call[key], key);
      const resources = fromMesosResources(body.resources, `${key}.resources`);
      authorizeReservation(
        master,
        request,
        call.type === "RESERVE_RESOURCES" ? "reserve" : "unreserve",
        resources,
      );
      if (call.type === "RESERVE_RESOURCES") await master.reserve(body.agent_id.value, resources);
      else await master.unreserve(body.agent_id.value, resources);
      return 202;
    }
    case "UPDATE_MAINTENANCE_SCHEDULE": {
      const body = need(call.update_maintenance_schedule, "update_maintenance_schedule").schedule;
      const schedule = valid(MaintenanceSchedule, body, "update_maintenance_schedule.schedule");
      const machines = schedule.windows.flatMap((w) => w.machine_ids);
      authorize(master, request, "update_maintenance_schedules", machines.map(machineName));
      await master.updateMaintenanceSchedule(schedule);
      return 200;
    }
    case "START_MAINTENANCE": {
      const body = need(call.start_maintenance, "start_maintenance").machines;
      const machines = valid(MachineIds, body, "start_maintenance.machines");
      authorize(master, request, "start_maintenances", machines.map(machineName));
      await master.machinesDown(machines);
      return 200;
    }
    case "STOP_MAINTENANCE": {
      const body = need(call.stop_maintenance, "stop_maintenance").machines;
      const machines = valid(MachineIds, body, "stop_maintenance.machines");
      authorize(master, request, "stop_maintenances", machines.map(machineName));
      await master.machinesUp(machines);
      return 200;
    }
    case "TEARDOWN":
      teardownAuthorized(master, request, need(call.teardown, "teardown").framework_id.value);
      return 200;
    case "MARK_AGENT_GONE":
      authorize(master, request, "mark_agents_gone", [undefined]);
      await master.markAgentGone(need(call.mark_agent_gone, "mark_agent_gone").agent_id.value);
      return 200;
    default:
      throw new MesosV1Error(
        "type",
        `${call.type} is not supported by Agora yet (see docs/mesos-v1.md)`,
        501,
      );
  }
}

function need<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new MesosV1Error(key, `Expecting '${key}' to be present`);
  return value;
}

function valid<S extends z.ZodType>(schema: S, value: unknown, field: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = firstIssue(parsed.error);
  const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
  throw new MesosV1Error(`${field}${path}`, issue.message);
}
