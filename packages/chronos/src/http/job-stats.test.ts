import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobRun } from "../model/run.js";
import { ChronosHttpHarness } from "../test-support/http.js";
import { chronosTime, histogram, periodText, quantile } from "./job-stats.js";

/** A finished run of `job` that ran `seconds`, starting at `start`. */
function ran(
  job: string,
  id: string,
  start: string,
  seconds: number,
  status: "SUCCESS" | "FAILED" = "SUCCESS",
): JobRun {
  const end = new Date(Date.parse(start) + seconds * 1000).toISOString();
  return {
    id,
    jobName: job,
    trigger: "scheduled",
    arguments: [],
    status,
    createdAt: start,
    finishedAt: end,
    attempts: [
      {
        attempt: 0,
        taskId: `ct:${Date.parse(start)}:0:${job}:`,
        agentId: "agent-1",
        state: status === "SUCCESS" ? "TASK_FINISHED" : "TASK_FAILED",
        launchedAt: start,
        startedAt: start,
        finishedAt: end,
      },
    ],
  };
}

describe("job statistics", () => {
  let h: ChronosHttpHarness;
  beforeEach(() => {
    h = new ChronosHttpHarness();
  });
  afterEach(() => h.close());

  it("GET /job/stat/{name} of a job never run: all zeros and an empty history", async () => {
    await h.scheduled("a");
    const res = await h.inject("GET", "/v1/scheduler/job/stat/a");
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(
      '{"histogram":{"75thPercentile":0,"95thPercentile":0,"98thPercentile":0,"99thPercentile":0,"median":0,"mean":0,"count":0},"taskStatHistory":[]}',
    );
  });

  it("GET /job/stat/{name}: the histogram of successful runs (ms) and one entry per task, newest first", async () => {
    await h.scheduled("a");
    h.service.record(ran("a", "r1", "2026-03-01T10:00:00.000Z", 10));
    h.service.record(ran("a", "r2", "2026-03-01T11:00:00.000Z", 3725));
    h.service.record(ran("a", "r3", "2026-03-01T12:00:00.000Z", 5, "FAILED"));
    h.service.addActive({
      id: "r4",
      jobName: "a",
      trigger: "manual",
      arguments: [],
      status: "ACTIVE",
      createdAt: "2026-03-01T13:00:00.000Z",
      attempts: [
        { attempt: 0, taskId: "ct:4:0:a:", state: "TASK_RUNNING", startedAt: "2026-03-01T13:00:01.000Z" },
        { attempt: 1, taskId: "ct:4:1:a:" },
      ],
    });
    const stat = (await h.inject("GET", "/v1/scheduler/job/stat/a")).json();
    expect(stat.histogram).toEqual({
      "75thPercentile": 3725000,
      "95thPercentile": 3725000,
      "98thPercentile": 3725000,
      "99thPercentile": 3725000,
      median: 1867500,
      mean: 1867500,
      count: 2,
    });
    expect(stat.taskStatHistory).toEqual([
      {
        taskId: "ct:4:0:a:",
        jobName: "a",
        slaveId: "",
        startTime: "03/01/26 13:00:01",
        endTime: "N/A",
        status: "Running",
      },
      { taskId: "ct:4:1:a:", jobName: "a", slaveId: "", startTime: "N/A", endTime: "N/A", status: "Idle" },
      {
        taskId: `ct:${Date.parse("2026-03-01T12:00:00.000Z")}:0:a:`,
        jobName: "a",
        slaveId: "agent-1",
        startTime: "03/01/26 12:00:00",
        endTime: "03/01/26 12:00:05",
        duration: "5s",
        status: "Fail",
      },
      expect.objectContaining({ startTime: "03/01/26 11:00:00", duration: "1h2m5s", status: "Success" }),
      expect.objectContaining({ startTime: "03/01/26 10:00:00", duration: "10s", status: "Success" }),
    ]);
  });

  it("GET /stats/{percentile}: one entry per job, seconds, sorted descending", async () => {
    await h.scheduled("fast");
    await h.scheduled("slow");
    await h.scheduled("never");
    h.service.record(ran("fast", "f1", "2026-03-01T10:00:00.000Z", 2));
    h.service.record(ran("slow", "s1", "2026-03-01T10:00:00.000Z", 60));
    h.service.record(ran("slow", "s2", "2026-03-01T11:00:00.000Z", 90));
    for (const p of [
      "99thPercentile",
      "98thPercentile",
      "95thPercentile",
      "75thPercentile",
      "median",
      "mean",
    ]) {
      const res = await h.inject("GET", `/v1/scheduler/stats/${p}`);
      expect(res.statusCode, p).toBe(200);
      expect(res.json().map((e: { jobNameLabel: string }) => e.jobNameLabel)).toEqual([
        "slow",
        "fast",
        "never",
      ]);
    }
    expect((await h.inject("GET", "/v1/scheduler/stats/median")).json()).toEqual([
      { jobNameLabel: "slow", time: 75 },
      { jobNameLabel: "fast", time: 2 },
      { jobNameLabel: "never", time: 0 },
    ]);
  });
});

describe("the statistics helpers", () => {
  it("interpolate quantiles as codahale's uniform snapshot does", () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(v, 0.5)).toBe(5.5);
    expect(quantile(v, 0.75)).toBe(8.25);
    expect(quantile(v, 0.99)).toBe(10);
    expect(quantile(v, 0.01)).toBe(1);
    expect(quantile([], 0.5)).toBe(0);
    expect(histogram([4])).toEqual({
      "75thPercentile": 4,
      "95thPercentile": 4,
      "98thPercentile": 4,
      "99thPercentile": 4,
      median: 4,
      mean: 4,
      count: 1,
    });
  });

  it("write periods and times as Chronos' Joda formatters do", () => {
    expect(periodText(0)).toBe("0s");
    expect(periodText(999)).toBe("0s");
    expect(periodText(65_000)).toBe("1m5s");
    expect(periodText(3_605_000)).toBe("1h5s");
    expect(periodText(90_061_000)).toBe("25h1m1s");
    expect(chronosTime("2026-12-31T23:59:58.900Z")).toBe("12/31/26 23:59:58");
    expect(chronosTime("garbage")).toBe("N/A");
  });
});
