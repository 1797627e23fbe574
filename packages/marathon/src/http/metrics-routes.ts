import type { FastifyInstance } from "fastify";
import { Counter, Gauge, Registry } from "prom-client";
import { appsOf, type Group } from "../model/group.js";
import type { MarathonService } from "../service.js";
import type { HttpContext } from "./context.js";

/**
 * `/metrics` in Marathon 1.x's Dropwizard JSON (`{version, gauges, counters, histograms, meters,
 * timers}`), which Marathon's dashboards and scripts read, and `/metrics/prometheus` (Marathon ≥ 1.7
 * serves that too) as Prometheus text from a registry of this server's own (no global registry:
 * several Marathons in one process stay apart). Installed on the root instance, not as an
 * encapsulated plugin, so its response hook counts every route's requests.
 */
export function installMetrics(app: FastifyInstance, ctx: HttpContext): Registry {
  const registry = new Registry();
  const requests = new Counter({
    name: "marathon_http_requests_total",
    help: "HTTP requests answered, by method and status",
    labelNames: ["method", "status"] as const,
    registers: [registry],
  });
  for (const [name, help, read] of gauges) {
    new Gauge({
      name: `marathon_${name.replaceAll(".", "_")}`,
      help,
      registers: [registry],
      collect() {
        this.set(read(ctx.service));
      },
    });
  }
  app.addHook("onResponse", async (request, reply) => {
    requests.inc({ method: request.method, status: String(reply.statusCode) });
  });

  app.get("/metrics", async () => {
    const counted = await requests.get();
    return {
      version: "4.0.0",
      gauges: Object.fromEntries(
        gauges.map(([name, , read]) => [`marathon.${name}.gauge`, { value: read(ctx.service) }]),
      ),
      counters: {
        "marathon.http.requests.counter": { count: counted.values.reduce((sum, v) => sum + v.value, 0) },
      },
      histograms: {},
      meters: {},
      timers: {},
    };
  });

  app.get("/metrics/prometheus", async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  return registry;
}

/** The gauges, Marathon's names (dots) → value read from the service's current state. */
const gauges: [string, string, (s: MarathonService) => number][] = [
  ["apps.active", "Apps defined", (s) => appsOf(s.root()).size],
  ["groups.active", "Groups defined, the root included", (s) => countGroups(s.root())],
  ["deployments.active", "Deployments running", (s) => s.deployments().length],
  ["tasks.running", "Tasks RUNNING", (s) => s.instances().filter((i) => i.state === "TASK_RUNNING").length],
  [
    "tasks.staged",
    "Tasks STAGING or STARTING",
    (s) => s.instances().filter((i) => i.state === "TASK_STAGING" || i.state === "TASK_STARTING").length,
  ],
  [
    "instances.queued",
    "Instances waiting in the launch queue",
    (s) => s.queue().reduce((n, q) => n + q.count, 0),
  ],
  ["leadership.elected", "1 while this Marathon leads", (s) => (s.info().elected ? 1 : 0)],
];

function countGroups(g: Group): number {
  return 1 + g.groups.reduce((n, c) => n + countGroups(c), 0);
}
