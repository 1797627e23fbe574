import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { MasterView } from "../view.js";
import { mesosMetricsSnapshot } from "./mesos-metrics.js";

export interface MetricsRoutesOptions {
  snapshot: () => MasterView;
  registry: Registry;
}

/** Prometheus text at `/metrics` (the master's own registry) and Mesos' JSON `/metrics/snapshot`. */
export async function metricsRoutes(
  app: FastifyInstance,
  { snapshot, registry }: MetricsRoutesOptions,
): Promise<void> {
  app.get("/metrics", async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
  app.get("/metrics/snapshot", async () => mesosMetricsSnapshot(snapshot()));
}
