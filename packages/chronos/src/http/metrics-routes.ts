import type { FastifyInstance } from "fastify";
import { isScheduled } from "../model/job.js";
import type { ChronosService } from "../service.js";
import type { HttpContext } from "./context.js";
import { metricsHistogram, runDurations } from "./job-stats.js";

/**
 * `/metrics` in the codahale (Dropwizard) JSON Chronos served (`{version, gauges, counters,
 * histograms, meters, timers}`), with Chronos' per-job names: counters `jobs.run.success.<job>` and
 * `jobs.run.failure.<job>`, histograms `jobs.run.time.<job>` (ms of successful runs). Installed on the
 * root instance, not as an encapsulated plugin, so its response hook counts every route's requests.
 */
export function installMetrics(app: FastifyInstance, ctx: HttpContext): void {
  let requests = 0;
  app.addHook("onResponse", async () => {
    requests++;
  });

  app.get("/metrics", async () => {
    const { service } = ctx;
    const counters: Record<string, { count: number }> = { "http.requests": { count: requests } };
    for (const [action, count] of ctx.acls?.denied ?? [])
      counters[`authorization.denied.${action}`] = { count };
    const histograms: Record<string, Record<string, number>> = {};
    for (const v of service.jobs()) {
      const name = v.definition.name;
      counters[`jobs.run.success.${name}`] = { count: v.stats.successCount };
      counters[`jobs.run.failure.${name}`] = { count: v.stats.errorCount };
      histograms[`jobs.run.time.${name}`] = metricsHistogram(runDurations(service.history(name)));
    }
    return {
      version: "3.0.0",
      gauges: Object.fromEntries(gauges.map(([name, read]) => [name, { value: read(service) }])),
      counters,
      histograms,
      meters: {},
      timers: {},
    };
  });
}

/** The gauges, by name → value read from the service's current state. */
const gauges: [string, (s: ChronosService) => number][] = [
  ["jobs.count", (s) => s.jobs().length],
  ["jobs.scheduled", (s) => s.jobs().filter((v) => isScheduled(v.definition)).length],
  ["jobs.dependent", (s) => s.jobs().filter((v) => v.definition.parents !== undefined).length],
  ["jobs.disabled", (s) => s.jobs().filter((v) => v.definition.disabled).length],
  ["jobs.queued", (s) => s.jobs().filter((v) => v.state === "queued").length],
  ["runs.active", (s) => s.jobs().reduce((n, v) => n + s.activeRuns(v.definition.name).length, 0)],
  ["leadership.elected", (s) => (s.info().elected ? 1 : 0)],
];
