import { Offer } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import {
  applyResourceDefaults,
  DEFAULT_JOB_RESOURCES,
  JobDefinition,
  type JobDefinitionInput,
} from "../model/job.js";
import type { JobRun } from "../model/run.js";
import { placeLaunches } from "./placement.js";
import { offerFits, taskSpecOf } from "./task-spec.js";

const job = (j: Partial<JobDefinitionInput> & { name: string }) =>
  applyResourceDefaults(
    JobDefinition.parse({ schedule: "R//PT1M", command: "true", ...j }),
    DEFAULT_JOB_RESOURCES,
  );

function offer(
  agent: string,
  o: { cpus?: number; attributes?: Record<string, string>; capabilities?: string[] } = {},
) {
  return Offer.parse({
    id: `offer-${agent}`,
    frameworkId: "chronos",
    agentId: agent,
    hostname: `${agent}.example`,
    role: "*",
    resources: [
      { name: "cpus", scalar: o.cpus ?? 1 },
      { name: "mem", scalar: 4096 },
      { name: "disk", scalar: 4096 },
    ],
    attributes: Object.entries(o.attributes ?? {}).map(([name, text]) => ({ name, text })),
    capabilities: o.capabilities ?? ["shell", "docker"],
  });
}

function run(jobName: string, o: Partial<JobRun> = {}): JobRun {
  return {
    id: `run-${jobName}`,
    jobName,
    trigger: "manual",
    arguments: [],
    status: "INITIAL",
    createdAt: "2026-01-01T00:00:00.000Z",
    attempts: [],
    ...o,
  };
}

describe("offerFits", () => {
  it("applies EQUALS, LIKE (whole value) and UNLIKE, with hostname as the offer's host", () => {
    const o = offer("a1", { attributes: { rack: "r12", zone: "eu" } });
    expect(offerFits(job({ name: "j", constraints: [["rack", "EQUALS", "r12"]] }), o)).toBe(true);
    expect(offerFits(job({ name: "j", constraints: [["rack", "EQUALS", "r1"]] }), o)).toBe(false);
    expect(offerFits(job({ name: "j", constraints: [["rack", "LIKE", "r1.*"]] }), o)).toBe(true);
    expect(offerFits(job({ name: "j", constraints: [["rack", "LIKE", "r1"]] }), o)).toBe(false);
    expect(offerFits(job({ name: "j", constraints: [["zone", "UNLIKE", "us"]] }), o)).toBe(true);
    expect(offerFits(job({ name: "j", constraints: [["hostname", "EQUALS", "a1.example"]] }), o)).toBe(true);
  });

  it("fails every operator but UNLIKE on a missing attribute", () => {
    const o = offer("a1");
    expect(offerFits(job({ name: "j", constraints: [["gpu", "EQUALS", "yes"]] }), o)).toBe(false);
    expect(offerFits(job({ name: "j", constraints: [["gpu", "LIKE", ".*"]] }), o)).toBe(false);
    expect(offerFits(job({ name: "j", constraints: [["gpu", "UNLIKE", "yes"]] }), o)).toBe(true);
  });

  it("keeps container jobs off agents without the docker executor", () => {
    const docker = job({ name: "d", container: { image: "busybox" } });
    expect(offerFits(docker, offer("a1", { capabilities: ["shell"] }))).toBe(false);
    expect(offerFits(docker, offer("a2"))).toBe(true);
  });
});

describe("taskSpecOf", () => {
  it("runs a shell command with the job's resources, Chronos' environment and the task id form", () => {
    const r = run("backup", { scheduledAt: "2026-01-01T02:00:00.000Z" });
    const spec = taskSpecOf(
      job({ name: "backup", command: "pg_dump", environmentVariables: [{ name: "DB", value: "app" }] }),
      r,
      1,
    );
    expect(spec.taskId).toBe(`ct:${Date.parse("2026-01-01T02:00:00.000Z")}:1:backup:run-backup`);
    expect(spec.resources).toEqual({ cpus: 0.1, mem: 128, disk: 256 });
    expect(spec.command).toMatchObject({ value: "pg_dump", shell: true, user: "root" });
    expect(spec.env).toMatchObject({ DB: "app", CHRONOS_JOB_NAME: "backup", CHRONOS_JOB_RUN_ATTEMPT: "1" });
  });

  it("runs argv without a shell, a manual run's arguments replacing the job's", () => {
    const j = job({ name: "argv", shell: false, command: "/bin/echo", arguments: ["a"] });
    expect(taskSpecOf(j, run("argv"), 0).command).toMatchObject({
      value: "/bin/echo",
      shell: false,
      arguments: ["a"],
    });
    expect(taskSpecOf(j, run("argv", { arguments: ["b", "c"] }), 0).command).toMatchObject({
      arguments: ["b", "c"],
    });
  });

  it("runs a container job's image as built when it has no command", () => {
    const spec = taskSpecOf(
      job({ name: "img", command: "", container: { image: "busybox", network: "NONE" } }),
      run("img"),
      0,
    );
    expect(spec.command).toBeUndefined();
    expect(spec.container).toMatchObject({ type: "DOCKER", docker: { image: "busybox", network: "NONE" } });
  });
});

describe("placeLaunches", () => {
  it("places first-fit in the given order, honours constraints and returns the unused offers", () => {
    const big = job({ name: "big", cpus: 0.8 });
    const pinned = job({ name: "pinned", constraints: [["rack", "EQUALS", "r2"]] });
    const small = job({ name: "small", cpus: 0.5 });
    const pending = [big, pinned, small].map((j) => ({ job: j, spec: taskSpecOf(j, run(j.name), 0) }));
    const offers = [
      offer("a1", { attributes: { rack: "r1" } }),
      offer("a2", { attributes: { rack: "r2" } }),
      offer("a3"),
    ];
    const { launches, placed, unused } = placeLaunches(offers, pending);
    expect(launches.map((l) => [l.offer.agentId, l.tasks.map((t) => t.name)])).toEqual([
      ["a1", ["ChronosTask:big"]],
      ["a2", ["ChronosTask:pinned", "ChronosTask:small"]],
    ]);
    expect(placed).toHaveLength(3);
    expect(unused.map((o) => o.agentId)).toEqual(["a3"]);
  });
});
