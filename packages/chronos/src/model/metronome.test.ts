import { describe, expect, it } from "vitest";
import { isChronosError } from "../errors.js";
import { DEFAULT_JOB_RESOURCES, JobDefinition } from "./job.js";
import {
  jobFromMetronome,
  keepSchedule,
  MetronomeJob,
  MetronomeSchedule,
  metronomeJob,
  metronomeRun,
  metronomeTime,
  withSchedule,
  zodDetails,
} from "./metronome.js";

const spec = (extra: Record<string, unknown> = {}, run: Record<string, unknown> = {}) =>
  MetronomeJob.parse({
    id: "prod.backup",
    run: { cmd: "backup.sh", cpus: 0.5, mem: 64, disk: 10, ...run },
    ...extra,
  });

function pathsOf(
  body: unknown,
  schema: typeof MetronomeJob | typeof MetronomeSchedule = MetronomeJob,
): string[] {
  const parsed = schema.safeParse(body);
  if (parsed.success) return [];
  return zodDetails(parsed.error).map((d) => d.path);
}

describe("Metronome's job JSON", () => {
  it("fills Metronome's defaults", () => {
    const job = MetronomeJob.parse({ id: "a", run: { cmd: "x" } });
    expect(job.run).toMatchObject({
      cpus: 1,
      mem: 128,
      disk: 0,
      gpus: 0,
      env: {},
      artifacts: [],
      maxLaunchDelay: 3600,
      restart: { policy: "NEVER" },
    });
    expect(job.schedules).toEqual([]);
    expect(MetronomeSchedule.parse({ id: "nightly", cron: "0 2 * * *" })).toEqual({
      id: "nightly",
      cron: "0 2 * * *",
      timezone: "UTC",
      startingDeadlineSeconds: 900,
      concurrencyPolicy: "ALLOW",
      enabled: true,
    });
  });

  it("refuses what Metronome's schema refuses, naming the field", () => {
    expect(pathsOf({ id: "Prod", run: { cmd: "x" } })).toEqual(["/id"]);
    expect(pathsOf({ id: "a..b", run: { cmd: "x" } })).toEqual(["/id"]);
    expect(pathsOf({ id: "-a", run: { cmd: "x" } })).toEqual(["/id"]);
    expect(pathsOf({ id: "a", run: { cmd: "x", cpus: 0.001 } })).toEqual(["/run/cpus"]);
    expect(pathsOf({ id: "a", run: { cmd: "x", mem: 16 } })).toEqual(["/run/mem"]);
    expect(pathsOf({ id: "a", run: { cmd: "x" }, extra: 1 })).toEqual(["/"]);
    expect(pathsOf({ id: "a", run: { cmd: "x", cmdd: 1 } })).toEqual(["/run"]);
    expect(pathsOf({ id: "a", run: {} })).toEqual(["/run"]);
    expect(pathsOf({ id: "a", run: { cmd: "x", args: ["y"] } })).toEqual(["/run/args"]);
    expect(pathsOf({ id: "a" })).toEqual(["/run"]);
    expect(pathsOf({ id: "a", run: { cmd: "x", gpus: 1 } })).toEqual(["/run/gpus"]);
    expect(pathsOf({ id: "a", run: { cmd: "x", ucr: { image: { id: "x" } } } })).toEqual(["/run/ucr"]);
    expect(pathsOf({ id: "a", run: { cmd: "x", env: { A: { secret: "s" } } } })).toEqual(["/run/env/A"]);
    expect(
      pathsOf({
        id: "a",
        run: { cmd: "x", placement: { constraints: [{ attribute: "r", operator: "UNIQUE" }] } },
      }),
    ).toEqual(["/run/placement/constraints/0/operator", "/run/placement/constraints/0/value"]);
    expect(
      pathsOf({
        id: "a",
        dependencies: [{ id: "b" }],
        schedules: [{ id: "s1", cron: "* * * * *" }],
        run: { cmd: "x" },
      }),
    ).toEqual(["/dependencies"]);
    expect(
      pathsOf({
        id: "a",
        schedules: [
          { id: "s1", cron: "* * * * *" },
          { id: "s2", cron: "* * * * *" },
        ],
        run: { cmd: "x" },
      }),
    ).toEqual(["/schedules"]);
  });

  it("refuses a bad schedule: id, cron fields, zone, deadline under 60 s, policy", () => {
    const base = { id: "s1", cron: "0 * * * *" };
    expect(pathsOf({ ...base, id: "S" }, MetronomeSchedule)).toEqual(["/id"]);
    expect(pathsOf({ ...base, cron: "* * * *" }, MetronomeSchedule)).toEqual(["/cron"]);
    expect(pathsOf({ ...base, timezone: "PST8PDT-ish" }, MetronomeSchedule)).toEqual(["/timezone"]);
    expect(pathsOf({ ...base, startingDeadlineSeconds: 59 }, MetronomeSchedule)).toEqual([
      "/startingDeadlineSeconds",
    ]);
    expect(pathsOf({ ...base, concurrencyPolicy: "REPLACE" }, MetronomeSchedule)).toEqual([
      "/concurrencyPolicy",
    ]);
    expect(pathsOf({ ...base, nextRunAt: "2026-01-01T00:00:00.000+0000" }, MetronomeSchedule)).toEqual([]);
  });
});

describe("Metronome ↔ JobDefinition", () => {
  it("maps a job with every field to a stored job", () => {
    const job = jobFromMetronome(
      spec(
        {
          description: "nightly backup",
          labels: { team: "ops" },
          schedules: [
            {
              id: "nightly",
              cron: "30 2 * * 1-5",
              timezone: "Europe/Berlin",
              startingDeadlineSeconds: 120,
              concurrencyPolicy: "FORBID",
              enabled: false,
            },
          ],
        },
        {
          user: "backup",
          env: { TARGET: "s3" },
          placement: {
            constraints: [
              { attribute: "rack", operator: "IS", value: "r1" },
              { attribute: "zone", operator: "EQ", value: "a" },
              { attribute: "host", operator: "LIKE", value: "db.*" },
              { attribute: "os", operator: "UNLIKE", value: "win.*" },
            ],
          },
          artifacts: [{ uri: "http://x/tool.tgz", executable: true }],
          docker: {
            image: "busybox",
            forcePullImage: true,
            parameters: [{ key: "ulimit", value: "nofile=1024" }],
          },
          volumes: [{ containerPath: "/data", hostPath: "/srv", mode: "RO" }],
          restart: { policy: "ON_FAILURE" },
        },
      ),
    );
    expect(job).toMatchObject({
      name: "prod.backup",
      description: "nightly backup",
      command: "backup.sh",
      shell: true,
      arguments: [],
      cpus: 0.5,
      mem: 64,
      disk: 10,
      runAsUser: "backup",
      environmentVariables: [{ name: "TARGET", value: "s3" }],
      constraints: [
        ["rack", "EQUALS", "r1"],
        ["zone", "EQUALS", "a"],
        ["host", "LIKE", "db.*"],
        ["os", "UNLIKE", "win.*"],
      ],
      fetch: [{ uri: "http://x/tool.tgz", executable: true, cache: false, extract: true }],
      container: {
        type: "DOCKER",
        image: "busybox",
        network: "HOST",
        volumes: [{ containerPath: "/data", hostPath: "/srv", mode: "RO" }],
        parameters: [{ key: "ulimit", value: "nofile=1024" }],
        forcePullImage: true,
      },
      labels: { team: "ops" },
      retries: 2,
      schedule: "30 2 * * 1-5",
      scheduleTimeZone: "Europe/Berlin",
      startingDeadlineSeconds: 120,
      scheduleId: "nightly",
      concurrent: false,
      disabled: true,
    });
    expect(job.parents).toBeUndefined();
  });

  it("maps args to arguments without a shell, restart NEVER to no retries, no schedule to an on-demand job", () => {
    const job = jobFromMetronome(spec({}, { cmd: undefined, args: ["/bin/echo", "hi"] }));
    expect(job).toMatchObject({ command: "", shell: false, arguments: ["/bin/echo", "hi"], retries: 0 });
    expect(job.schedule).toBeUndefined();
    expect(job.parents).toBeUndefined();
    expect(job.concurrent).toBe(true);
    expect(JobDefinition.safeParse(job).success).toBe(true);
  });

  it("maps dependencies to parents", () => {
    const job = jobFromMetronome(spec({ dependencies: [{ id: "prod.extract" }, { id: "Legacy_Job" }] }));
    expect(job.parents).toEqual(["prod.extract", "Legacy_Job"]);
  });

  it("keeps what Metronome cannot express from the job it replaces; ON_FAILURE keeps its retries", () => {
    const base = JobDefinition.parse({
      name: "prod.backup",
      command: "old",
      schedule: "R//PT1H",
      owner: "ops@example.com",
      softError: true,
      retries: 5,
      maxCompletionTime: 600,
      uris: ["http://old"],
    });
    const job = jobFromMetronome(spec({}, { restart: { policy: "ON_FAILURE" } }), base);
    expect(job).toMatchObject({
      command: "backup.sh",
      owner: "ops@example.com",
      softError: true,
      retries: 5,
      maxCompletionTime: 600,
      uris: [],
    });
    expect(job.schedule).toBeUndefined();
    const kept = keepSchedule(base, job);
    expect(kept.schedule).toBe("R//PT1H");
    expect(kept.command).toBe("backup.sh");
  });

  it("round-trips a Metronome job: JobSpec → JobDefinition → JobSpec", () => {
    const input = {
      id: "prod.report",
      description: "weekly",
      dependencies: [],
      labels: { a: "b" },
      run: {
        cpus: 0.25,
        mem: 256,
        disk: 0,
        gpus: 0,
        cmd: "report.sh",
        user: "nobody",
        env: { A: "1" },
        placement: { constraints: [{ attribute: "rack", operator: "IS", value: "r2" }] },
        artifacts: [{ uri: "http://x/a", extract: true, executable: false, cache: true }],
        maxLaunchDelay: 3600,
        docker: { image: "alpine", privileged: false, parameters: [], forcePullImage: false },
        volumes: [{ containerPath: "/c", hostPath: "/h", mode: "RW" }],
        restart: { policy: "ON_FAILURE" },
      },
      schedules: [
        {
          id: "weekly",
          cron: "0 9 * * 1",
          timezone: "Asia/Tokyo",
          startingDeadlineSeconds: 900,
          concurrencyPolicy: "ALLOW",
          enabled: true,
        },
      ],
    };
    const out = metronomeJob(
      jobFromMetronome(MetronomeJob.parse(input)),
      DEFAULT_JOB_RESOURCES,
      "2026-01-05T00:00:00Z",
    );
    expect(out).toEqual({
      ...input,
      schedules: [{ ...input.schedules[0], nextRunAt: "2026-01-05T00:00:00.000+0000" }],
    });
    // …and what GET shows is a valid body to send back.
    const { schedules: _, ...rest } = out;
    expect(MetronomeJob.safeParse({ ...rest, schedules: out.schedules }).success).toBe(true);
  });

  it("shows a Chronos job in Metronome's form: flag defaults for zero cpus/mem, an ISO schedule as it is", () => {
    const chronos = JobDefinition.parse({
      name: "legacy",
      command: "x",
      schedule: "R/2026-01-01T00:00:00Z/PT1H",
      retries: 0,
      constraints: [["rack", "EQUALS", "r1"]],
      uris: ["http://u"],
    });
    const out = metronomeJob(chronos, DEFAULT_JOB_RESOURCES, undefined);
    expect(out.run).toMatchObject({
      cpus: 0.1,
      mem: 128,
      disk: 0,
      cmd: "x",
      restart: { policy: "NEVER" },
      placement: { constraints: [{ attribute: "rack", operator: "IS", value: "r1" }] },
      artifacts: [{ uri: "http://u", extract: true, executable: false, cache: false }],
    });
    expect(out.schedules).toEqual([
      {
        id: "default",
        cron: "R/2026-01-01T00:00:00Z/PT1H",
        timezone: "UTC",
        startingDeadlineSeconds: 900,
        concurrencyPolicy: "FORBID",
        enabled: true,
        nextRunAt: null,
      },
    ]);
  });

  it("sets and removes the one schedule", () => {
    const job = jobFromMetronome(spec());
    const scheduled = withSchedule(
      job,
      MetronomeSchedule.parse({ id: "hourly", cron: "0 * * * *", enabled: false }),
    );
    expect(scheduled).toMatchObject({
      schedule: "0 * * * *",
      scheduleId: "hourly",
      scheduleTimeZone: "UTC",
      disabled: true,
    });
    const removed = withSchedule(scheduled, undefined);
    expect(removed.schedule).toBeUndefined();
    expect(removed.scheduleId).toBeUndefined();
    expect(removed.disabled).toBe(false);
  });

  it("refuses a schedule on a dependent job with INVALID_JOB", () => {
    const dependent = jobFromMetronome(spec({ dependencies: [{ id: "x" }] }));
    try {
      withSchedule(dependent, MetronomeSchedule.parse({ id: "s1", cron: "* * * * *" }));
      expect.fail("accepted");
    } catch (e) {
      expect(isChronosError(e, "INVALID_JOB")).toBe(true);
    }
  });

  it("writes runs and instants as Metronome does", () => {
    expect(metronomeTime("2016-07-15T13:02:59.735Z")).toBe("2016-07-15T13:02:59.735+0000");
    expect(
      metronomeRun({
        id: "20260101000000abcde",
        jobName: "a",
        trigger: "manual",
        arguments: [],
        status: "ACTIVE",
        createdAt: "2026-01-01T00:00:00.000Z",
        attempts: [
          { attempt: 0, taskId: "ct:1:0:a:", state: "TASK_RUNNING", startedAt: "2026-01-01T00:00:01.000Z" },
        ],
      }),
    ).toEqual({
      id: "20260101000000abcde",
      jobId: "a",
      status: "ACTIVE",
      createdAt: "2026-01-01T00:00:00.000+0000",
      completedAt: null,
      tasks: [{ id: "ct:1:0:a:", startedAt: "2026-01-01T00:00:01.000+0000", status: "TASK_RUNNING" }],
    });
  });
});
