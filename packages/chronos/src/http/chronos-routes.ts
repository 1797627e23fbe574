import type { FastifyInstance, FastifyRequest } from "fastify";
import { ChronosError } from "../errors.js";
import { isScheduled, JobDefinition } from "../model/job.js";
import type { JobEntry } from "../service.js";
import { authorizeJob, authorizeJobView, jobViewer } from "./authorize.js";
import { all, count, first, type HttpContext, type Query, viewOf } from "./context.js";
import { invalidBody } from "./errors.js";
import { graphCsv, graphDot } from "./graph-text.js";
import { summaryJson } from "./job-json.js";
import { histogram, PERCENTILES, type Percentile, runDurations, taskStatHistory } from "./job-stats.js";

const JSON_TYPE = "application/json; charset=utf-8";

type Named = FastifyRequest<{ Params: { name: string }; Querystring: Query }>;

/**
 * The Chronos 3 API, registered under `/v1/scheduler` and again under Chronos 2's `/scheduler`:
 * Chronos' paths, status codes and JSON shapes, so its clients and scripts work unchanged. Bodies
 * are read with `JobDefinition` (400 `INVALID_JOB` naming the field); the service checks the
 * schedule and the graph and stores nothing when it refuses.
 */
export async function chronosRoutes(app: FastifyInstance, options: { ctx: HttpContext }): Promise<void> {
  const { ctx } = options;
  const { service } = ctx;

  app.post("/iso8601", async (request, reply) => {
    const job = readJob(request.body, "scheduled");
    authorizeJob(ctx, request, job.name);
    await service.putJob(job);
    return reply.code(204).send();
  });

  app.post("/dependency", async (request, reply) => {
    const job = readJob(request.body, "dependent");
    authorizeJob(ctx, request, job.name);
    await service.putJob(job);
    return reply.code(204).send();
  });

  // Lists show only the jobs the principal may view (`view_jobs`); one job's reads refuse the others.
  const shown = <T extends { definition: { name: string } }>(
    request: FastifyRequest,
    jobs: readonly T[],
  ): readonly T[] => {
    if (!ctx.acls) return jobs;
    const visible = jobViewer(ctx, request);
    return jobs.filter((j) => visible(j.definition.name));
  };

  app.get("/jobs", async (request, reply) =>
    reply.type(JSON_TYPE).send(ctx.jobText.all(shown(request, [...service.entries()]))),
  );

  app.get("/jobs/summary", async (request) => ({ jobs: shown(request, service.jobs()).map(summaryJson) }));

  app.get("/jobs/search", async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const q = request.query;
    const limit = count(q, "limit", 10);
    const offset = count(q, "offset", 0);
    const name = lower(first(q.name));
    const command = lower(first(q.command));
    const any = lower(first(q.any));
    const found: JobEntry[] = [];
    const visible = jobViewer(ctx, request);
    let skipped = 0;
    // Over definitions and counters only: no job's full view is built for a search.
    for (const entry of service.entries()) {
      if (found.length >= limit) break;
      if (!visible(entry.definition.name)) continue;
      const job = lowered(entry.definition);
      if (name && !job.name.includes(name)) continue;
      if (command && !job.command.includes(command)) continue;
      if (any && !job.name.includes(any) && !job.command.includes(any)) continue;
      if (skipped++ < offset) continue;
      found.push(entry);
    }
    return reply.type(JSON_TYPE).send(ctx.jobText.list(found));
  });

  app.get("/job/:name", async (request: Named, reply) => {
    const view = viewOf(ctx, request.params.name);
    authorizeJobView(ctx, request, view.definition.name);
    return reply.type(JSON_TYPE).send(ctx.jobText.of(view));
  });

  app.put("/job/:name", async (request: Named, reply) => {
    viewOf(ctx, request.params.name);
    authorizeJob(ctx, request, request.params.name);
    const args = all(request.query, "arguments");
    await service.runNow(request.params.name, args.length > 0 ? { arguments: args } : {});
    return reply.code(204).send();
  });

  app.delete("/job/:name", async (request: Named, reply) => {
    viewOf(ctx, request.params.name);
    authorizeJob(ctx, request, request.params.name);
    await service.deleteJob(request.params.name);
    return reply.code(204).send();
  });

  app.put("/job/success/:name", async (request: Named, reply) => {
    viewOf(ctx, request.params.name);
    authorizeJob(ctx, request, request.params.name);
    await service.markSuccess(request.params.name);
    return reply.type("text/plain").send(`marked job ${request.params.name} as successful: true`);
  });

  app.get("/job/stat/:name", async (request: Named) => {
    const name = viewOf(ctx, request.params.name).definition.name;
    authorizeJobView(ctx, request, name);
    const runs = [...service.activeRuns(name), ...service.history(name)];
    return { histogram: histogram(runDurations(runs)), taskStatHistory: taskStatHistory(runs) };
  });

  app.get("/stats/:percentile", async (request: FastifyRequest<{ Params: { percentile: string } }>) => {
    const percentile = request.params.percentile as Percentile;
    if (!PERCENTILES.includes(percentile))
      throw new ChronosError(
        "INVALID_REQUEST",
        `Unknown statistic '${request.params.percentile}'; one of ${PERCENTILES.join(", ")}`,
        { details: [{ path: "/percentile", errors: [`must be one of ${PERCENTILES.join(", ")}`] }] },
      );
    return shown(request, service.jobs())
      .map((v) => ({
        jobNameLabel: v.definition.name,
        time: histogram(runDurations(service.history(v.definition.name)))[percentile] / 1000,
      }))
      .sort((a, b) => b.time - a.time);
  });

  app.delete("/task/kill/:name", async (request: Named, reply) => {
    viewOf(ctx, request.params.name);
    authorizeJob(ctx, request, request.params.name);
    await service.killTasks(request.params.name);
    return reply.code(204).send();
  });

  app.get("/graph/dot", async (request, reply) =>
    reply.type("text/plain").send(graphDot(shown(request, service.jobs()))),
  );
  app.get("/graph/csv", async (request, reply) =>
    reply.type("text/plain").send(graphCsv(shown(request, service.jobs()))),
  );

  app.get("/leader", async () => ({ leader: service.info().leader ?? "" }));
}

/**
 * A job body read with `JobDefinition`; `/iso8601` needs a schedule and `/dependency` parents (an
 * on-demand job, with neither, is made through `/v1/jobs`).
 */
function readJob(body: unknown, kind: "scheduled" | "dependent"): JobDefinition {
  const parsed = JobDefinition.safeParse(body);
  if (!parsed.success) throw invalidBody("INVALID_JOB", "job", parsed.error);
  const job = parsed.data;
  if (kind === "scheduled" && !isScheduled(job))
    throw new ChronosError("INVALID_JOB", "Invalid job: /schedule: a scheduled job needs a schedule", {
      details: [
        { path: "/schedule", errors: ["a scheduled job needs a schedule (use /dependency for parents)"] },
      ],
    });
  if (kind === "dependent" && job.parents === undefined)
    throw new ChronosError("INVALID_JOB", "Invalid job: /parents: a dependent job needs parents", {
      details: [
        { path: "/parents", errors: ["a dependent job needs parents (use /iso8601 for a schedule)"] },
      ],
    });
  return job;
}

/** Each definition's name and command in lower case, kept while the definition object lives. */
const lowerCache = new WeakMap<JobDefinition, { name: string; command: string }>();

function lowered(job: JobDefinition): { name: string; command: string } {
  let l = lowerCache.get(job);
  if (l === undefined) {
    l = { name: job.name.toLowerCase(), command: job.command.toLowerCase() };
    lowerCache.set(job, l);
  }
  return l;
}

function lower(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s.toLowerCase();
}
