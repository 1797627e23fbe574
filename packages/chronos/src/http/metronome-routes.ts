import { isSecurityError, type SecurityError } from "@agora/security";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ChronosError } from "../errors.js";
import type { JobDefinition } from "../model/job.js";
import {
  jobFromMetronome,
  keepSchedule,
  MetronomeJob,
  MetronomeSchedule,
  metronomeHistory,
  metronomeHistorySummary,
  metronomeJob,
  metronomeRun,
  metronomeSchedules,
  withSchedule,
  zodDetails,
} from "../model/metronome.js";
import type { JobView } from "../service.js";
import { authorizeJob, authorizeJobView, jobViewer } from "./authorize.js";
import { all, flag, type HttpContext, type Query } from "./context.js";
import { clientError, forbiddenReply } from "./errors.js";

type JobRequest = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;
type ScheduleRequest = FastifyRequest<{ Params: { id: string; sid: string } }>;
type RunRequest = FastifyRequest<{ Params: { id: string; rid: string } }>;

const JSON_TYPE = "application/json; charset=utf-8";

const EMBEDS = new Set(["activeRuns", "schedules", "history", "historySummary"]);

/** Statuses Metronome answers where Chronos answers 400: a body that reads but breaks a rule is 422. */
const UNPROCESSABLE = new Set(["INVALID_JOB", "INVALID_SCHEDULE", "UNKNOWN_PARENT", "DEPENDENCY_CYCLE"]);

/**
 * Metronome's `/v1/jobs` API over the same jobs as the Chronos 3 API, with Metronome's status codes and
 * bodies: 201 for a created job, schedule or run; 404 `{"id", "message": "Job not found"}`; 409 for an
 * id that exists; 422 `{"message": "Object is not valid", "details"}` for a body that breaks its schema
 * or a rule. Jobs have at most one schedule, as in Metronome 0.x.
 */
export async function metronomeRoutes(app: FastifyInstance, options: { ctx: HttpContext }): Promise<void> {
  const { ctx } = options;
  const { service } = ctx;

  app.setErrorHandler((err: FastifyError | ChronosError | SecurityError, request, reply) => {
    if (isSecurityError(err)) return forbiddenReply(reply, err);
    const answer = clientError(err);
    if (!answer) {
      request.log.error({ err }, "request failed");
      return reply.code(500).send({ message: "internal error" });
    }
    const status = UNPROCESSABLE.has(answer.error.code) ? 422 : answer.status;
    const { message, details } = answer.error;
    return reply.code(status).send({ message, ...(details ? { details } : {}) });
  });

  const view = (id: string, reply: FastifyReply): JobView | undefined => {
    const found = service.job(id);
    if (found === undefined) void reply.code(404).send({ id, message: "Job not found" });
    return found;
  };
  /** A job read by one of its GETs: 404 when unknown, 403 when the principal may not `view_jobs` it. */
  const viewed = (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const v = view(request.params.id, reply);
    if (v) authorizeJobView(ctx, request, v.definition.name);
    return v;
  };
  const specJson = (v: JobView) => metronomeJob(v.definition, ctx.jobDefaults, v.nextRunAt);
  // A job's JSON up to its schedules, written once per definition (the service keeps the object
  // until the job changes): listing 10,000 jobs joins text.
  const specHeads = new WeakMap<JobDefinition, string>();
  const infoText = (v: JobView, embed: Set<string>): string => {
    let head = specHeads.get(v.definition);
    if (head === undefined) {
      const { schedules: _, ...rest } = metronomeJob(v.definition, ctx.jobDefaults, undefined);
      head = JSON.stringify(rest).slice(0, -1);
      specHeads.set(v.definition, head);
    }
    const name = v.definition.name;
    let text = `${head},"schedules":${JSON.stringify(metronomeSchedules(v.definition, v.nextRunAt))}`;
    if (embed.has("activeRuns"))
      text += `,"activeRuns":${JSON.stringify(service.activeRuns(name).map(metronomeRun))}`;
    if (embed.has("history"))
      text += `,"history":${JSON.stringify(metronomeHistory(v.stats, service.history(name)))}`;
    if (embed.has("historySummary"))
      text += `,"historySummary":${JSON.stringify(metronomeHistorySummary(v.stats))}`;
    return `${text}}`;
  };

  app.get("/v1/jobs", async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const embed = embeds(request.query);
    const texts: string[] = [];
    const visible = jobViewer(ctx, request);
    for (const v of service.jobs()) if (visible(v.definition.name)) texts.push(infoText(v, embed));
    return reply.type(JSON_TYPE).send(`[${texts.join(",")}]`);
  });

  app.post("/v1/jobs", async (request, reply) => {
    const spec = readSpec(request.body);
    if (service.job(spec.id) !== undefined)
      throw new ChronosError("ALREADY_EXISTS", "Job with this id already exists");
    const job = jobFromMetronome(spec);
    authorizeJob(ctx, request, job.name);
    await service.putJob(job);
    return reply.code(201).send(specJson(service.job(job.name) ?? stored(job)));
  });

  app.get("/v1/jobs/:id", async (request: JobRequest, reply) => {
    const embed = embeds(request.query);
    const v = viewed(request, reply);
    return v && reply.type(JSON_TYPE).send(infoText(v, embed));
  });

  app.put("/v1/jobs/:id", async (request: JobRequest, reply) => {
    const body = request.body;
    const spec = readSpec(isObject(body) ? { ...body, id: request.params.id } : body);
    const v = view(request.params.id, reply);
    if (!v) return;
    const job = keepSchedule(v.definition, jobFromMetronome({ ...spec, schedules: [] }, v.definition));
    authorizeJob(ctx, request, v.definition.name);
    await service.putJob(job);
    return specJson(service.job(job.name) ?? stored(job));
  });

  app.delete("/v1/jobs/:id", async (request: JobRequest, reply) => {
    const stop = flag(request.query, "stopCurrentJobRuns", false);
    const v = view(request.params.id, reply);
    if (!v) return;
    const name = v.definition.name;
    authorizeJob(ctx, request, name);
    if (!stop && service.activeRuns(name).length > 0)
      return reply
        .code(409)
        .send({ message: "There are active job runs. Override with stopCurrentJobRuns=true" });
    const children = service
      .jobs()
      .filter((c) => c.definition.parents?.includes(name))
      .map((c) => c.definition.name);
    if (children.length > 0)
      return reply
        .code(409)
        .send({ message: `There are jobs with a dependency on ${name}. children=[${children.join(", ")}]` });
    await service.deleteJob(name, { stopRuns: stop });
    return specJson(v);
  });

  app.get("/v1/jobs/:id/schedules", async (request: JobRequest, reply) => {
    const v = viewed(request, reply);
    return v && metronomeSchedules(v.definition, v.nextRunAt);
  });

  app.post("/v1/jobs/:id/schedules", async (request: JobRequest, reply) => {
    const schedule = readSchedule(request.body);
    const v = view(request.params.id, reply);
    if (!v) return;
    const existing = metronomeSchedules(v.definition, v.nextRunAt);
    if (existing.length > 0)
      return reply.code(409).send({
        message: existing.some((s) => s.id === schedule.id)
          ? `A schedule with id ${schedule.id} already exists`
          : "Only one schedule supported at the moment",
      });
    authorizeJob(ctx, request, v.definition.name);
    const job = withSchedule(v.definition, schedule);
    await service.putJob(job);
    return reply.code(201).send(scheduleOf(job, schedule.id));
  });

  app.get("/v1/jobs/:id/schedules/:sid", async (request: ScheduleRequest, reply) => {
    const v = viewed(request, reply);
    if (!v) return;
    const found = metronomeSchedules(v.definition, v.nextRunAt).find((s) => s.id === request.params.sid);
    return found ?? reply.code(404).send(unknownSchedule(request.params.sid));
  });

  app.put("/v1/jobs/:id/schedules/:sid", async (request: ScheduleRequest, reply) => {
    const body = request.body;
    const schedule = readSchedule(isObject(body) ? { ...body, id: request.params.sid } : body);
    const v = view(request.params.id, reply);
    if (!v) return;
    if (!metronomeSchedules(v.definition, v.nextRunAt).some((s) => s.id === request.params.sid))
      return reply.code(404).send(unknownSchedule(request.params.sid));
    authorizeJob(ctx, request, v.definition.name);
    const job = withSchedule(v.definition, schedule);
    await service.putJob(job);
    return scheduleOf(job, schedule.id);
  });

  app.delete("/v1/jobs/:id/schedules/:sid", async (request: ScheduleRequest, reply) => {
    const v = view(request.params.id, reply);
    if (!v) return;
    if (!metronomeSchedules(v.definition, v.nextRunAt).some((s) => s.id === request.params.sid))
      return reply.code(404).send(unknownSchedule(request.params.sid));
    authorizeJob(ctx, request, v.definition.name);
    await service.putJob(withSchedule(v.definition, undefined));
    return reply.code(200).send();
  });

  app.get("/v1/jobs/:id/runs", async (request: JobRequest, reply) => {
    const v = viewed(request, reply);
    return v && service.activeRuns(v.definition.name).map(metronomeRun);
  });

  app.post("/v1/jobs/:id/runs", async (request: JobRequest, reply) => {
    const v = view(request.params.id, reply);
    if (!v) return;
    authorizeJob(ctx, request, v.definition.name);
    const run = await service.runNow(v.definition.name);
    return reply.code(201).send(metronomeRun(run));
  });

  app.get("/v1/jobs/:id/runs/:rid", async (request: RunRequest, reply) => {
    const v = viewed(request, reply);
    if (!v) return;
    const run = service.run(v.definition.name, request.params.rid);
    return run ? metronomeRun(run) : reply.code(404).send(unknownRun(request.params.id, request.params.rid));
  });

  app.post("/v1/jobs/:id/runs/:rid/actions/stop", async (request: RunRequest, reply) => {
    const v = view(request.params.id, reply);
    if (!v) return;
    const name = v.definition.name;
    authorizeJob(ctx, request, name);
    if (!service.activeRuns(name).some((r) => r.id === request.params.rid))
      return reply.code(404).send(unknownRun(request.params.id, request.params.rid));
    return metronomeRun(await service.stopRun(name, request.params.rid));
  });

  /** The schedule as stored, with the `nextRunAt` the service computes for it. */
  function scheduleOf(job: JobDefinition, id: string): Record<string, unknown> | undefined {
    return metronomeSchedules(job, service.job(job.name)?.nextRunAt).find((s) => s.id === id);
  }
}

function readSpec(body: unknown): MetronomeJob {
  const parsed = MetronomeJob.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ChronosError("INVALID_JOB", "Object is not valid", { details: zodDetails(parsed.error) });
}

function readSchedule(body: unknown): MetronomeSchedule {
  const parsed = MetronomeSchedule.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ChronosError("INVALID_SCHEDULE", "Object is not valid", { details: zodDetails(parsed.error) });
}

function embeds(query: Query): Set<string> {
  const asked = all(query, "embed");
  const unknown = asked.filter((e) => !EMBEDS.has(e));
  if (unknown.length > 0)
    throw new ChronosError(
      "INVALID_REQUEST",
      `Unknown embed '${unknown[0]}'; one of ${[...EMBEDS].join(", ")}`,
      {
        details: [{ path: "?embed", errors: [`must be one of ${[...EMBEDS].join(", ")}`] }],
      },
    );
  return new Set(asked);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A job the service took but does not show yet (a runtime that applies writes later). */
function stored(job: JobDefinition): JobView {
  return {
    definition: job,
    stats: { successCount: 0, errorCount: 0, lastSuccess: "", lastError: "", errorsSinceLastSuccess: 0 },
    lastStatus: "fresh",
    state: "idle",
    nextRunAt: undefined,
    parentsDone: [],
  };
}

const unknownSchedule = (id: string) => ({ id, message: "Schedule not found" });
const unknownRun = (jobId: string, id: string) => ({ jobSpec: jobId, id, message: "Job Run not found" });
