import type { Authorization } from "@agora/security";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Registry } from "prom-client";
import type { MasterView } from "../view.js";
import { mesosMetricsSnapshot } from "./mesos-metrics.js";

export interface MetricsRoutesOptions {
  snapshot: () => MasterView;
  registry: Registry;
  /** The ACLs' checks (`get_endpoints`); undefined without `--acls`: anyone may read the metrics. */
  authorization?: Authorization | undefined;
}

/**
 * Prometheus text at `/metrics` (the master's own registry) and Mesos' JSON `/metrics/snapshot`, each
 * only for principals the ACLs allow `get_endpoints` on its path: Mesos guards `/metrics/snapshot` so,
 * and the Prometheus text tells as much, so it is guarded the same way under its own path.
 */
export async function metricsRoutes(
  app: FastifyInstance,
  { snapshot, registry, authorization }: MetricsRoutesOptions,
): Promise<void> {
  const authorize = (request: FastifyRequest, path: string) =>
    authorization?.check("get_endpoints", request.principal, path);
  app.get("/metrics", async (request, reply) => {
    authorize(request, "/metrics");
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
  app.get("/metrics/snapshot", async (request) => {
    authorize(request, "/metrics/snapshot");
    return mesosMetricsSnapshot(snapshot());
  });
}
