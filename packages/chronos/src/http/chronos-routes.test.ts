import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChronosHttpHarness } from "../test-support/http.js";

describe("the Chronos 3 API", () => {
  let h: ChronosHttpHarness;
  beforeEach(() => {
    h = new ChronosHttpHarness();
  });
  afterEach(() => h.close());

  it("creates a scheduled job with POST /iso8601 (204) and shows it as Chronos' JobSerializer does", async () => {
    const res = await h.inject("POST", "/v1/scheduler/iso8601", {
      name: "nightly",
      command: "echo hi",
      schedule: "R/2026-01-01T02:00:00Z/P1D",
      owner: "ops@example.com",
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    const job = (await h.inject("GET", "/v1/scheduler/job/nightly")).json();
    expect(Object.keys(job)).toEqual([
      "name",
      "command",
      "shell",
      "executor",
      "executorFlags",
      "taskInfoData",
      "retries",
      "owner",
      "ownerName",
      "description",
      "successCount",
      "errorCount",
      "lastSuccess",
      "lastError",
      "cpus",
      "disk",
      "mem",
      "disabled",
      "softError",
      "dataProcessingJobType",
      "errorsSinceLastSuccess",
      "fetch",
      "uris",
      "environmentVariables",
      "arguments",
      "highPriority",
      "runAsUser",
      "concurrent",
      "maxCompletionTime",
      "constraints",
      "schedule",
      "scheduleTimeZone",
    ]);
    expect(job).toMatchObject({
      name: "nightly",
      command: "echo hi",
      shell: true,
      retries: 2,
      owner: "ops@example.com",
      successCount: 0,
      errorCount: 0,
      lastSuccess: "",
      lastError: "",
      cpus: 0.1,
      mem: 128,
      disk: 256,
      runAsUser: "root",
      schedule: "R/2026-01-01T02:00:00Z/P1D",
      scheduleTimeZone: "",
    });
  });

  it("fills zero resources from the jobDefaults flags and keeps the ones a job sets", async () => {
    const custom = new ChronosHttpHarness({ jobDefaults: { cpus: 0.5, mem: 64, disk: 10, user: "nobody" } });
    await custom.scheduled("a", { cpus: 2 });
    const job = (await custom.inject("GET", "/v1/scheduler/job/a")).json();
    expect(job).toMatchObject({ cpus: 2, mem: 64, disk: 10, runAsUser: "nobody" });
    await custom.close();
  });

  it("shows a container, fetch and constraints in Chronos' JSON", async () => {
    await h.scheduled("boxed", {
      container: { image: "busybox", volumes: [{ containerPath: "/data", hostPath: "/tmp", mode: "RO" }] },
      fetch: [{ uri: "http://x/a.tgz" }],
      constraints: [["rack", "EQUALS", "r1"]],
    });
    const job = (await h.inject("GET", "/v1/scheduler/job/boxed")).json();
    expect(job.container).toEqual({
      type: "DOCKER",
      image: "busybox",
      network: "HOST",
      networkInfos: [],
      volumes: [{ hostPath: "/tmp", containerPath: "/data", mode: "RO" }],
      forcePullImage: false,
      parameters: [],
    });
    expect(job.fetch).toEqual([{ uri: "http://x/a.tgz", executable: false, cache: false, extract: true }]);
    expect(job.constraints).toEqual([["rack", "EQUALS", "r1"]]);
  });

  it("creates a dependent job with POST /dependency (204): parents, no schedule", async () => {
    await h.scheduled("a");
    const res = await h.inject("POST", "/v1/scheduler/dependency", {
      name: "b",
      command: "x",
      parents: ["a"],
    });
    expect(res.statusCode).toBe(204);
    const job = (await h.inject("GET", "/v1/scheduler/job/b")).json();
    expect(job.parents).toEqual(["a"]);
    expect(job).not.toHaveProperty("schedule");
  });

  it("answers the same under Chronos 2's /scheduler prefix", async () => {
    expect(
      (await h.inject("POST", "/scheduler/iso8601", { name: "a", schedule: "R/2026-01-01T00:00:00Z/PT1H" }))
        .statusCode,
    ).toBe(204);
    expect((await h.inject("GET", "/scheduler/jobs")).json().map((j: { name: string }) => j.name)).toEqual([
      "a",
    ]);
    expect((await h.inject("GET", "/scheduler/job/a")).statusCode).toBe(200);
    expect((await h.inject("GET", "/scheduler/leader")).json()).toEqual({ leader: "127.0.0.1:4400" });
  });

  it("replaces a job posted again under the same name", async () => {
    await h.scheduled("a", { command: "one" });
    await h.scheduled("a", { command: "two" });
    const jobs = (await h.inject("GET", "/v1/scheduler/jobs")).json();
    expect(jobs).toHaveLength(1);
    expect(jobs[0].command).toBe("two");
  });

  it("reads a body sent without a content type, and an empty JSON body on DELETE", async () => {
    const res = await h.http.inject({
      method: "POST",
      url: "/v1/scheduler/iso8601",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: JSON.stringify({ name: "a", schedule: "R/2026-01-01T00:00:00Z/PT1H" }),
    });
    expect(res.statusCode).toBe(204);
    const del = await h.http.inject({
      method: "DELETE",
      url: "/v1/scheduler/job/a",
      headers: { "content-type": "application/json" },
    });
    expect(del.statusCode).toBe(204);
  });

  it("shows a job's new counters and a replaced definition on the next read (the JSON is kept per object)", async () => {
    await h.scheduled("a", { command: "one" });
    expect((await h.inject("GET", "/v1/scheduler/jobs")).json()[0]).toMatchObject({
      command: "one",
      successCount: 0,
    });
    const run = await h.service.runNow("a");
    h.service.finish("a", run.id, "FAILED");
    expect((await h.inject("GET", "/v1/scheduler/jobs")).json()[0]).toMatchObject({
      errorCount: 1,
      errorsSinceLastSuccess: 1,
      lastError: "2026-01-01T00:00:00.000Z",
    });
    await h.scheduled("a", { command: "two" });
    expect((await h.inject("GET", "/v1/scheduler/job/a")).json()).toMatchObject({
      command: "two",
      errorCount: 1,
    });
  });

  it("lists jobs in name order with GET /jobs, and their summary", async () => {
    await h.scheduled("b");
    await h.scheduled("a", { disabled: true });
    await h.dependent("c", ["a", "b"]);
    await h.service.runNow("b");
    h.service.setStats("a", { lastSuccess: "2026-01-01T00:00:00.000Z" });
    expect((await h.inject("GET", "/v1/scheduler/jobs")).json().map((j: { name: string }) => j.name)).toEqual(
      ["a", "b", "c"],
    );
    const summary = (await h.inject("GET", "/v1/scheduler/jobs/summary")).json();
    expect(summary).toEqual({
      jobs: [
        {
          name: "a",
          status: "success",
          state: "idle",
          schedule: "R/2026-01-01T00:00:00Z/PT1H",
          parents: [],
          disabled: true,
        },
        {
          name: "b",
          status: "fresh",
          state: "1 running",
          schedule: "R/2026-01-01T00:00:00Z/PT1H",
          parents: [],
          disabled: false,
        },
        { name: "c", status: "fresh", state: "idle", schedule: "", parents: ["a", "b"], disabled: false },
      ],
    });
  });

  describe("GET /jobs/search", () => {
    beforeEach(async () => {
      for (let i = 0; i < 25; i++)
        await h.scheduled(`job-${String(i).padStart(2, "0")}`, {
          command: i % 2 === 0 ? "backup DB" : "report",
        });
      await h.scheduled("Special", { command: "cleanup" });
    });
    const names = (body: { name: string }[]) => body.map((j) => j.name);

    it("matches name and command case-insensitively, 10 at a time by default", async () => {
      const byName = (await h.inject("GET", "/v1/scheduler/jobs/search?name=SPEC")).json();
      expect(names(byName)).toEqual(["Special"]);
      expect(byName[0]).toHaveProperty("schedule");
      const byCommand = (await h.inject("GET", "/v1/scheduler/jobs/search?command=db")).json();
      expect(names(byCommand)).toHaveLength(10);
      expect(names(byCommand)[0]).toBe("job-00");
      const any = (await h.inject("GET", "/v1/scheduler/jobs/search?any=clean")).json();
      expect(names(any)).toEqual(["Special"]);
      const both = (
        await h.inject("GET", "/v1/scheduler/jobs/search?name=job-1&command=report&limit=100")
      ).json();
      expect(names(both)).toEqual(["job-11", "job-13", "job-15", "job-17", "job-19"]);
    });

    it("pages with limit and offset", async () => {
      const page = (await h.inject("GET", "/v1/scheduler/jobs/search?name=job&limit=5&offset=20")).json();
      expect(names(page)).toEqual(["job-20", "job-21", "job-22", "job-23", "job-24"]);
      const past = (await h.inject("GET", "/v1/scheduler/jobs/search?name=job&offset=100")).json();
      expect(past).toEqual([]);
      const all = (await h.inject("GET", "/v1/scheduler/jobs/search?limit=1000")).json();
      expect(all).toHaveLength(26);
    });

    it("refuses a limit or offset that is not a non-negative integer", async () => {
      for (const q of ["limit=-1", "limit=abc", "offset=1.5"]) {
        const res = await h.inject("GET", `/v1/scheduler/jobs/search?${q}`);
        expect(res.statusCode).toBe(400);
        expect(res.json().message).toContain(q.split("=")[0]);
      }
    });
  });

  it("runs a job now with PUT /job/{name} (204), with ?arguments", async () => {
    await h.scheduled("a");
    expect((await h.inject("PUT", "/v1/scheduler/job/a")).statusCode).toBe(204);
    expect((await h.inject("PUT", "/v1/scheduler/job/a?arguments=x,y")).statusCode).toBe(204);
    expect(h.service.calls.filter((c) => c.startsWith("run"))).toEqual(["run a", "run a x,y"]);
  });

  it("deletes a job with DELETE /job/{name} (204)", async () => {
    await h.scheduled("a");
    expect((await h.inject("DELETE", "/v1/scheduler/job/a")).statusCode).toBe(204);
    expect((await h.inject("GET", "/v1/scheduler/job/a")).statusCode).toBe(404);
  });

  it("marks a job successful with PUT /job/success/{name}: 200 and a text body", async () => {
    await h.scheduled("a");
    const res = await h.inject("PUT", "/v1/scheduler/job/success/a");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toBe("marked job a as successful: true");
    expect((await h.inject("GET", "/v1/scheduler/job/a")).json().successCount).toBe(1);
  });

  it("kills a job's tasks with DELETE /task/kill/{name} (204)", async () => {
    await h.scheduled("a");
    await h.service.runNow("a");
    expect((await h.inject("DELETE", "/v1/scheduler/task/kill/a")).statusCode).toBe(204);
    expect(h.service.activeRuns("a")).toEqual([]);
    expect(h.service.calls).toContain("kill a");
  });

  it("answers 404 JOB_NOT_FOUND for every job route of an unknown job, and touches nothing", async () => {
    for (const [method, url] of [
      ["GET", "/v1/scheduler/job/nope"],
      ["PUT", "/v1/scheduler/job/nope"],
      ["DELETE", "/v1/scheduler/job/nope"],
      ["PUT", "/v1/scheduler/job/success/nope"],
      ["GET", "/v1/scheduler/job/stat/nope"],
      ["DELETE", "/v1/scheduler/task/kill/nope"],
    ] as const) {
      const res = await h.inject(method, url);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toEqual({ message: "Job 'nope' not found" });
    }
    expect(h.service.calls).toEqual([]);
  });

  it("exports the graph as Chronos' CSV: node lines, then link lines", async () => {
    await h.scheduled("a");
    await h.scheduled("b");
    await h.dependent("c", ["a", "b"]);
    h.service.setStats("a", { lastError: "2026-01-01T00:00:00.000Z" });
    await h.service.runNow("b");
    const res = await h.inject("GET", "/v1/scheduler/graph/csv");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toBe(
      "node,a,failure,idle\nnode,b,fresh,1 running\nnode,c,fresh,idle\nlink,a,c\nlink,b,c\n",
    );
  });

  it("exports the graph as DOT (jgrapht's form: numbered, labelled vertices)", async () => {
    await h.scheduled("a");
    await h.dependent("b", ["a"]);
    const res = await h.inject("GET", "/v1/scheduler/graph/dot");
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toBe('digraph G {\n  1 [ label="a" ];\n  2 [ label="b" ];\n  1 -> 2;\n}\n');
  });

  it("names the leader with GET /v1/scheduler/leader", async () => {
    expect((await h.inject("GET", "/v1/scheduler/leader")).json()).toEqual({ leader: "127.0.0.1:4400" });
  });

  it("answers /ping with pong", async () => {
    const res = await h.inject("GET", "/ping");
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("pong");
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
  });

  it("serves codahale-like /metrics: per-job counters and histograms, gauges", async () => {
    await h.scheduled("a");
    await h.dependent("b", ["a"]);
    const run = await h.service.runNow("a");
    h.service.finish("a", run.id, "SUCCESS");
    await h.service.runNow("b");
    const m = (await h.inject("GET", "/metrics")).json();
    expect(Object.keys(m)).toEqual(["version", "gauges", "counters", "histograms", "meters", "timers"]);
    expect(m.gauges).toMatchObject({
      "jobs.count": { value: 2 },
      "jobs.scheduled": { value: 1 },
      "jobs.dependent": { value: 1 },
      "runs.active": { value: 1 },
      "leadership.elected": { value: 1 },
    });
    expect(m.counters["jobs.run.success.a"]).toEqual({ count: 1 });
    expect(m.counters["jobs.run.failure.a"]).toEqual({ count: 0 });
    expect(m.counters["http.requests"].count).toBeGreaterThan(0);
    expect(m.histograms["jobs.run.time.b"]).toMatchObject({ count: 0, p99: 0 });
  });

  it("answers an unknown route with 404 and a message", async () => {
    const res = await h.inject("GET", "/v1/scheduler/nothing");
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain("/v1/scheduler/nothing");
  });
});
