import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChronosHttpHarness } from "../test-support/http.js";

const job = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  description: "a job",
  run: { cmd: `echo ${id}`, cpus: 0.5, mem: 64, disk: 0 },
  ...extra,
});
const nightly = { id: "nightly", cron: "0 2 * * *", timezone: "Europe/Berlin" };

describe("the Metronome-style /v1/jobs API", () => {
  let h: ChronosHttpHarness;
  beforeEach(() => {
    h = new ChronosHttpHarness();
  });
  afterEach(() => h.close());

  describe("jobs", () => {
    it("creates a job with POST /v1/jobs (201) and answers its JobSpec", async () => {
      const res = await h.inject("POST", "/v1/jobs", job("prod.backup"));
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        id: "prod.backup",
        description: "a job",
        dependencies: [],
        labels: {},
        run: { cmd: "echo prod.backup", cpus: 0.5, mem: 64, disk: 0, restart: { policy: "NEVER" } },
        schedules: [],
      });
      // The same job, seen by Chronos 3 clients: an on-demand job, neither schedule nor parents.
      const chronos = (await h.inject("GET", "/v1/scheduler/job/prod.backup")).json();
      expect(chronos).toMatchObject({
        name: "prod.backup",
        command: "echo prod.backup",
        retries: 0,
        cpus: 0.5,
      });
      expect(chronos).not.toHaveProperty("schedule");
      expect(chronos).not.toHaveProperty("parents");
    });

    it("creates a job with its schedule, and Chronos 3 clients see the cron schedule", async () => {
      const res = await h.inject("POST", "/v1/jobs", job("prod.report", { schedules: [nightly] }));
      expect(res.statusCode).toBe(201);
      expect(res.json().schedules).toEqual([
        {
          id: "nightly",
          cron: "0 2 * * *",
          timezone: "Europe/Berlin",
          startingDeadlineSeconds: 900,
          concurrencyPolicy: "ALLOW",
          enabled: true,
          nextRunAt: null,
        },
      ]);
      expect((await h.inject("GET", "/v1/scheduler/job/prod.report")).json()).toMatchObject({
        schedule: "0 2 * * *",
        scheduleTimeZone: "Europe/Berlin",
        concurrent: true,
        scheduleId: "nightly",
        startingDeadlineSeconds: 900,
      });
    });

    it("answers 409 for an id that exists, and keeps the job", async () => {
      await h.inject("POST", "/v1/jobs", job("a"));
      const res = await h.inject("POST", "/v1/jobs", job("a", { description: "other" }));
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({ message: "Job with this id already exists" });
      expect((await h.inject("GET", "/v1/jobs/a")).json().description).toBe("a job");
    });

    it("answers 422 naming the field for a body that breaks Metronome's schema, and stores nothing", async () => {
      for (const [body, path] of [
        [job("Bad_Id"), "/id"],
        [job("a", { run: { cmd: "x", mem: 1 } }), "/run/mem"],
        [job("a", { run: { cmd: "x" }, unknown: true }), "/"],
        [job("a", { schedules: [{ id: "s1", cron: "0 2 * *" }] }), "/schedules/0/cron"],
        [
          job("a", { schedules: [{ id: "s1", cron: "0 2 * * *", timezone: "Nowhere/City" }] }),
          "/schedules/0/timezone",
        ],
      ] as const) {
        const res = await h.inject("POST", "/v1/jobs", body);
        expect(res.statusCode, JSON.stringify(body)).toBe(422);
        expect(res.json().message).toBe("Object is not valid");
        expect(res.json().details.map((d: { path: string }) => d.path)).toContain(path);
      }
      expect((await h.inject("GET", "/v1/jobs")).json()).toEqual([]);
    });

    it("answers 422 for rules the service checks (unknown dependency), 400 for a body that is not JSON", async () => {
      const res = await h.inject("POST", "/v1/jobs", job("a", { dependencies: [{ id: "ghost" }] }));
      expect(res.statusCode).toBe(422);
      expect(res.json().details).toEqual([{ path: "/parents/0", errors: ["no job is named ghost"] }]);
      expect((await h.inject("POST", "/v1/jobs", "{oops")).statusCode).toBe(400);
    });

    it("lists jobs with GET /v1/jobs and embeds activeRuns, history and historySummary on request", async () => {
      await h.inject("POST", "/v1/jobs", job("a", { schedules: [nightly] }));
      await h.inject("POST", "/v1/jobs", job("b"));
      const run = await h.service.runNow("a");
      h.service.finish("a", run.id, "SUCCESS");
      await h.service.runNow("a");
      const plain = (await h.inject("GET", "/v1/jobs")).json();
      expect(plain.map((j: { id: string }) => j.id)).toEqual(["a", "b"]);
      expect(plain[0]).not.toHaveProperty("activeRuns");
      expect(plain[0].schedules).toHaveLength(1);
      const full = (await h.inject("GET", "/v1/jobs?embed=activeRuns&embed=history,historySummary")).json();
      expect(full[0].activeRuns).toHaveLength(1);
      expect(full[0].activeRuns[0]).toMatchObject({
        jobId: "a",
        status: "STARTING",
        completedAt: null,
        tasks: [],
      });
      expect(full[0].historySummary).toEqual({
        successCount: 1,
        failureCount: 0,
        lastSuccessAt: "2026-01-01T00:00:00.000+0000",
        lastFailureAt: null,
      });
      expect(full[0].history).toMatchObject({
        successCount: 1,
        successfulFinishedRuns: [{ id: run.id, createdAt: "2026-01-01T00:00:00.000+0000", tasks: [] }],
        failedFinishedRuns: [],
      });
      expect(full[1].activeRuns).toEqual([]);
      expect((await h.inject("GET", "/v1/jobs?embed=everything")).statusCode).toBe(400);
    });

    it("GET /v1/jobs/{id}: the job, embeds, 404 in Metronome's form", async () => {
      await h.inject("POST", "/v1/jobs", job("a"));
      const one = (await h.inject("GET", "/v1/jobs/a?embed=historySummary")).json();
      expect(one).toMatchObject({ id: "a", historySummary: { successCount: 0 } });
      const missing = await h.inject("GET", "/v1/jobs/nope");
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ id: "nope", message: "Job not found" });
    });

    it("replaces a job with PUT /v1/jobs/{id}, keeping its schedule and the path's id", async () => {
      await h.inject("POST", "/v1/jobs", job("a", { schedules: [nightly] }));
      const res = await h.inject("PUT", "/v1/jobs/a", {
        ...job("ignored"),
        run: { cmd: "new", cpus: 2, mem: 64 },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id: "a",
        run: { cmd: "new", cpus: 2 },
        schedules: [{ id: "nightly" }],
      });
      expect((await h.inject("PUT", "/v1/jobs/nope", job("nope"))).statusCode).toBe(404);
      expect((await h.inject("PUT", "/v1/jobs/a", { id: "a", run: { cpus: -1 } })).statusCode).toBe(422);
    });

    it("keeps a Chronos job's own fields when a Metronome client replaces it", async () => {
      await h.scheduled("legacy", { owner: "ops@example.com", softError: true, retries: 4 });
      const spec = (await h.inject("GET", "/v1/jobs/legacy")).json();
      const { schedules: _s, ...body } = spec;
      const res = await h.inject("PUT", "/v1/jobs/legacy", { ...body, run: { ...body.run, cmd: "changed" } });
      expect(res.statusCode, res.body).toBe(200);
      expect((await h.inject("GET", "/v1/scheduler/job/legacy")).json()).toMatchObject({
        command: "changed",
        owner: "ops@example.com",
        softError: true,
        retries: 4,
        schedule: "R/2026-01-01T00:00:00Z/PT1H",
      });
    });

    it("deletes a job with DELETE /v1/jobs/{id} (200, the JobSpec); 409 with active runs unless stopCurrentJobRuns", async () => {
      await h.inject("POST", "/v1/jobs", job("a"));
      await h.service.runNow("a");
      const refused = await h.inject("DELETE", "/v1/jobs/a");
      expect(refused.statusCode).toBe(409);
      expect(refused.json().message).toContain("stopCurrentJobRuns=true");
      expect((await h.inject("DELETE", "/v1/jobs/a?stopCurrentJobRuns=maybe")).statusCode).toBe(400);
      const res = await h.inject("DELETE", "/v1/jobs/a?stopCurrentJobRuns=true");
      expect(res.statusCode).toBe(200);
      expect(res.json().id).toBe("a");
      expect(h.service.job("a")).toBeUndefined();
      expect((await h.inject("DELETE", "/v1/jobs/a")).statusCode).toBe(404);
    });

    it("refuses to delete a job others depend on (409), as Metronome does", async () => {
      await h.inject("POST", "/v1/jobs", job("a"));
      await h.inject("POST", "/v1/jobs", job("b", { dependencies: [{ id: "a" }] }));
      const res = await h.inject("DELETE", "/v1/jobs/a");
      expect(res.statusCode).toBe(409);
      expect(res.json().message).toContain("children=[b]");
      expect((await h.inject("GET", "/v1/jobs/b")).json().dependencies).toEqual([{ id: "a" }]);
    });
  });

  describe("schedules", () => {
    beforeEach(async () => {
      await h.inject("POST", "/v1/jobs", job("a"));
      h.service.nextRunAt.set("a", "2026-01-02T01:00:00.000Z");
    });

    it("adds the one schedule (201, with nextRunAt), then 409 for a second", async () => {
      const res = await h.inject("POST", "/v1/jobs/a/schedules", nightly);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        id: "nightly",
        cron: "0 2 * * *",
        timezone: "Europe/Berlin",
        startingDeadlineSeconds: 900,
        concurrencyPolicy: "ALLOW",
        enabled: true,
        nextRunAt: "2026-01-02T01:00:00.000+0000",
      });
      const again = await h.inject("POST", "/v1/jobs/a/schedules", nightly);
      expect(again.statusCode).toBe(409);
      expect(again.json().message).toBe("A schedule with id nightly already exists");
      const other = await h.inject("POST", "/v1/jobs/a/schedules", { ...nightly, id: "other" });
      expect(other.json().message).toBe("Only one schedule supported at the moment");
      expect((await h.inject("POST", "/v1/jobs/nope/schedules", nightly)).statusCode).toBe(404);
    });

    it("lists, reads, replaces and deletes it", async () => {
      await h.inject("POST", "/v1/jobs/a/schedules", nightly);
      expect((await h.inject("GET", "/v1/jobs/a/schedules")).json().map((s: { id: string }) => s.id)).toEqual(
        ["nightly"],
      );
      expect((await h.inject("GET", "/v1/jobs/a/schedules/nightly")).json().cron).toBe("0 2 * * *");
      const missing = await h.inject("GET", "/v1/jobs/a/schedules/other");
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ id: "other", message: "Schedule not found" });

      const put = await h.inject("PUT", "/v1/jobs/a/schedules/nightly", {
        cron: "*/5 * * * *",
        concurrencyPolicy: "FORBID",
        enabled: false,
      });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({
        id: "nightly",
        cron: "*/5 * * * *",
        concurrencyPolicy: "FORBID",
        enabled: false,
      });
      expect(h.service.job("a")?.definition).toMatchObject({
        schedule: "*/5 * * * *",
        concurrent: false,
        disabled: true,
      });
      expect((await h.inject("PUT", "/v1/jobs/a/schedules/other", nightly)).statusCode).toBe(404);
      expect((await h.inject("PUT", "/v1/jobs/a/schedules/nightly", { cron: "nope" })).statusCode).toBe(422);

      const del = await h.inject("DELETE", "/v1/jobs/a/schedules/nightly");
      expect(del.statusCode).toBe(200);
      expect((await h.inject("GET", "/v1/jobs/a/schedules")).json()).toEqual([]);
      expect(h.service.job("a")?.definition.schedule).toBeUndefined();
      expect((await h.inject("DELETE", "/v1/jobs/a/schedules/nightly")).statusCode).toBe(404);
    });

    it("answers 422 for a schedule body that breaks the schema", async () => {
      const res = await h.inject("POST", "/v1/jobs/a/schedules", {
        id: "x",
        cron: "0 2 * * *",
        startingDeadlineSeconds: 10,
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().details.map((d: { path: string }) => d.path)).toEqual([
        "/id",
        "/startingDeadlineSeconds",
      ]);
    });
  });

  describe("runs", () => {
    beforeEach(async () => {
      await h.inject("POST", "/v1/jobs", job("a"));
    });

    it("starts a run with POST /v1/jobs/{id}/runs (201) and lists the active ones", async () => {
      const res = await h.inject("POST", "/v1/jobs/a/runs");
      expect(res.statusCode).toBe(201);
      const run = res.json();
      expect(run).toEqual({
        id: expect.any(String),
        jobId: "a",
        status: "STARTING",
        createdAt: "2026-01-01T00:00:00.000+0000",
        completedAt: null,
        tasks: [],
      });
      expect((await h.inject("GET", "/v1/jobs/a/runs")).json()).toEqual([run]);
      expect((await h.inject("GET", `/v1/jobs/a/runs/${run.id}`)).json()).toEqual(run);
      expect((await h.inject("POST", "/v1/jobs/nope/runs")).statusCode).toBe(404);
      expect((await h.inject("GET", "/v1/jobs/nope/runs")).statusCode).toBe(404);
    });

    it("finds a finished run by id; 404 in Metronome's form for an unknown one", async () => {
      const run = await h.service.runNow("a");
      h.service.finish("a", run.id, "SUCCESS");
      expect((await h.inject("GET", `/v1/jobs/a/runs/${run.id}`)).json()).toMatchObject({
        status: "SUCCESS",
        completedAt: "2026-01-01T00:00:00.000+0000",
      });
      const missing = await h.inject("GET", "/v1/jobs/a/runs/nope");
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ jobSpec: "a", id: "nope", message: "Job Run not found" });
    });

    it("stops an active run with POST …/runs/{rid}/actions/stop (200, the run)", async () => {
      const run = await h.service.runNow("a");
      const res = await h.inject("POST", `/v1/jobs/a/runs/${run.id}/actions/stop`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: run.id, status: "FAILED" });
      expect(h.service.activeRuns("a")).toEqual([]);
      expect((await h.inject("POST", `/v1/jobs/a/runs/${run.id}/actions/stop`)).statusCode).toBe(404);
    });
  });
});
