import { firstIssue } from "@agora/protocol";
import { z } from "zod";
import { CliError } from "../errors.js";
import { readJsonFile } from "./apps.js";
import { cut, renderFields, renderTable } from "./table.js";
import { type VerbGroup, verb } from "./verbs.js";

/** The parts of a Chronos job (`/v1/scheduler/jobs`, `/job/{name}`) the verbs read. */
const ChronosJob = z.looseObject({
  name: z.string(),
  command: z.string().default(""),
  schedule: z.string().nullish(),
  scheduleTimeZone: z.string().nullish(),
  parents: z.array(z.string()).nullish(),
  disabled: z.boolean().default(false),
  successCount: z.number().default(0),
  errorCount: z.number().default(0),
  lastSuccess: z.string().default(""),
  lastError: z.string().default(""),
  errorsSinceLastSuccess: z.number().default(0),
  cpus: z.number().optional(),
  mem: z.number().optional(),
  container: z.looseObject({ image: z.string().optional() }).nullish(),
});
type ChronosJob = z.infer<typeof ChronosJob>;

/** `/jobs/summary`: each job's last status and state (idle, queued, running). */
const Summary = z.looseObject({
  jobs: z.array(
    z.looseObject({ name: z.string(), status: z.string().default(""), state: z.string().default("") }),
  ),
});

const StatAnswer = z.looseObject({
  histogram: z.record(z.string(), z.number()).optional(),
  taskStatHistory: z.array(
    z.looseObject({
      taskId: z.string(),
      slaveId: z.string().default(""),
      startTime: z.string().default("N/A"),
      endTime: z.string().default("N/A"),
      duration: z.string().optional(),
      status: z.string(),
    }),
  ),
});

const jobPath = (name: string) => `/v1/scheduler/job/${encodeURIComponent(name)}`;
const when = (job: ChronosJob) =>
  job.parents && job.parents.length > 0
    ? `after ${job.parents.join(", ")}`
    : `${job.schedule ?? ""}${job.scheduleTimeZone ? ` (${job.scheduleTimeZone})` : ""}`;

const jobList = verb({
  summary: "List Chronos' jobs: schedule or parents, last status, state, successes and errors.",
  flags: {},
  options: {},
  async run(ctx) {
    const [jobs, summary] = await Promise.all([
      ctx.http.get("chronos", "/v1/scheduler/jobs", z.array(ChronosJob)),
      ctx.http.get("chronos", "/v1/scheduler/jobs/summary", Summary),
    ]);
    const states = new Map(summary.jobs.map((j) => [j.name, j] as const));
    const rows = jobs.map((j) => ({
      ...j,
      status: states.get(j.name)?.status ?? "",
      state: states.get(j.name)?.state ?? "",
    }));
    const c = ctx.colors;
    ctx.print(rows, () =>
      rows.length === 0
        ? "no jobs ('agora job add FILE' adds one)\n"
        : renderTable(
            [
              { header: "NAME", value: (j) => j.name },
              { header: "SCHEDULE", value: (j) => cut(when(j), 40) },
              {
                header: "LAST",
                value: (j) =>
                  j.status === "success"
                    ? c.green(j.status)
                    : j.status === "failure"
                      ? c.red(j.status)
                      : j.status,
              },
              { header: "STATE", value: (j) => (j.disabled ? c.dim("disabled") : j.state) },
              { header: "OK", value: (j) => String(j.successCount), right: true },
              { header: "ERRORS", value: (j) => String(j.errorCount), right: true },
              {
                header: "COMMAND",
                value: (j) =>
                  cut(j.container?.image ? `docker:${j.container.image} ${j.command}` : j.command, 40),
              },
            ],
            rows,
            c,
          ),
    );
  },
});

const jobShow = verb({
  summary: "Show one Chronos job.",
  usage: "NAME",
  flags: {},
  options: {},
  async run(ctx, [name]) {
    const job = await ctx.http.get("chronos", jobPath(name!), ChronosJob);
    const c = ctx.colors;
    ctx.print(job, () =>
      renderFields(
        [
          ["name", job.name],
          ["command", job.command],
          ["image", job.container?.image ?? undefined],
          job.parents?.length ? ["parents", job.parents.join(", ")] : ["schedule", when(job)],
          ["disabled", job.disabled ? c.yellow("yes") : undefined],
          ["successes", String(job.successCount)],
          [
            "errors",
            `${job.errorCount}${job.errorsSinceLastSuccess ? ` (${job.errorsSinceLastSuccess} since the last success)` : ""}`,
          ],
          ["last success", job.lastSuccess || "never"],
          ["last error", job.lastError || undefined],
        ],
        c,
      ),
    );
  },
});

const jobAdd = verb({
  summary:
    "Add or replace a Chronos job from a JSON file ('-': stdin): scheduled, or dependent when it has parents.",
  usage: "FILE",
  flags: {},
  options: {},
  async run(ctx, [file]) {
    const definition = await readJsonFile(file!);
    const parsed = z
      .looseObject({
        name: z.string({ error: 'a job needs a "name"' }).min(1),
        parents: z.array(z.string()).nullish(),
      })
      .safeParse(definition);
    if (!parsed.success)
      throw new CliError("USAGE", `agora: ${file}: ${firstIssue(parsed.error).message} (a Chronos job)`);
    const dependent = (parsed.data.parents?.length ?? 0) > 0;
    await ctx.http.request("chronos", `/v1/scheduler/${dependent ? "dependency" : "iso8601"}`, {
      method: "POST",
      json: definition,
    });
    ctx.print(
      { name: parsed.data.name, kind: dependent ? "dependent" : "scheduled" },
      () => `job ${parsed.data.name} saved\n`,
    );
  },
});

const jobRun = verb({
  summary: "Run a Chronos job now (its dependents follow when it succeeds).",
  usage: "NAME",
  flags: {},
  options: {},
  async run(ctx, [name]) {
    await ctx.http.request("chronos", jobPath(name!), { method: "PUT" });
    ctx.print(
      { name, started: true },
      () => `job ${name} started ('agora job history ${name}' shows its runs)\n`,
    );
  },
});

const jobHistory = verb({
  summary: "Show a Chronos job's recent runs (newest first) and its run-time statistics.",
  usage: "NAME",
  flags: {},
  options: {},
  async run(ctx, [name]) {
    const stat = await ctx.http.get(
      "chronos",
      `/v1/scheduler/job/stat/${encodeURIComponent(name!)}`,
      StatAnswer,
    );
    const c = ctx.colors;
    ctx.print(stat, () =>
      stat.taskStatHistory.length === 0
        ? `job ${name} has not run yet\n`
        : renderTable(
            [
              { header: "TASK", value: (t) => t.taskId },
              { header: "AGENT", value: (t) => t.slaveId },
              { header: "START (UTC)", value: (t) => t.startTime },
              { header: "END (UTC)", value: (t) => t.endTime },
              { header: "DURATION", value: (t) => t.duration ?? "", right: true },
              {
                header: "STATUS",
                value: (t) =>
                  t.status === "Success"
                    ? c.green(t.status)
                    : t.status === "Fail"
                      ? c.red(t.status)
                      : c.yellow(t.status),
              },
            ],
            stat.taskStatHistory,
            c,
          ),
    );
  },
});

const jobRemove = verb({
  summary: "Remove a Chronos job.",
  usage: "NAME",
  flags: {},
  options: {},
  async run(ctx, [name]) {
    await ctx.http.request("chronos", jobPath(name!), { method: "DELETE" });
    ctx.print({ name, removed: true }, () => `job ${name} removed\n`);
  },
});

export const jobVerbs: VerbGroup = {
  summary: "Chronos jobs (scheduled and dependent), through the master or --chronos URL.",
  verbs: { list: jobList, show: jobShow, add: jobAdd, run: jobRun, history: jobHistory, remove: jobRemove },
};
