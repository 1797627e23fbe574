import {
  type AgentId,
  type ExecutorId,
  type FrameworkId,
  type Resource,
  type TaskId,
  type TaskInfo,
  TaskState,
  type TaskStatus,
  TaskStatusReason,
} from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TaskEntryView } from "../view.js";
import { mesosTask } from "./mesos-state.js";
import { taskJson, withNewStatus } from "./mesos-task-json.js";

const text = fc.string({ unit: "grapheme", maxLength: 12 });
const scalarName = fc.constantFrom("cpus", "mem", "disk", "gpus", "gpus", "cpus", "custom", "7");
const reservation = fc.option(
  fc.record({
    role: fc.constantFrom("eng", "ops"),
    type: fc.constantFrom("static" as const, "dynamic" as const),
  }),
  { nil: undefined },
);
const scalar = fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true });

const resource: fc.Arbitrary<Resource> = fc
  .oneof(
    { weight: 8, arbitrary: fc.record({ name: scalarName, scalar, reservation }) },
    {
      weight: 1,
      arbitrary: fc.record({
        name: fc.constantFrom("ports", "cpus"),
        ranges: fc.array(
          fc.nat(65_000).map((begin) => ({ begin, end: begin + 10 })),
          { maxLength: 3 },
        ),
        reservation,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        name: fc.constantFrom("zones", "mem"),
        set: fc.array(text, { maxLength: 3 }),
        reservation,
      }),
    },
  )
  .map(({ reservation: r, ...rest }) => (r === undefined ? rest : { ...rest, reservation: r }) as Resource);

const status: fc.Arbitrary<TaskStatus> = fc
  .record(
    {
      taskId: fc.constant("t" as TaskId),
      state: fc.constantFrom(...TaskState.options),
      source: fc.constantFrom("SOURCE_MASTER" as const, "SOURCE_AGENT" as const),
      timestamp: fc.oneof(fc.double({ min: 0, max: 2e9, noNaN: true }), fc.nat()),
      healthy: fc.boolean(),
      reason: fc.constantFrom(...TaskStatusReason.options),
      message: text,
      containerStatus: fc.record(
        { containerId: text, executorPid: fc.nat(), exitCode: fc.integer({ min: -1, max: 255 }) },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ["taskId", "state", "source", "timestamp"] },
  )
  .map((s) => s as TaskStatus);

const entry: fc.Arbitrary<TaskEntryView> = fc
  .record({
    taskId: fc.stringMatching(/^[A-Za-z0-9_.:@-]{2,20}$/),
    name: text.filter((n) => n.length > 0),
    resources: fc.array(resource, { minLength: 1, maxLength: 5 }),
    labels: fc.option(fc.dictionary(fc.oneof(text, fc.nat(9).map(String)), text, { maxKeys: 3 }), {
      nil: undefined,
    }),
    container: fc.option(fc.constantFrom("DOCKER" as const, "MESOS" as const), { nil: undefined }),
    executor: fc.option(fc.constantFrom("exec-1", "e:2"), { nil: undefined }),
    statuses: fc.array(status, { minLength: 1, maxLength: 4 }),
    role: fc.constantFrom("*", "eng/web", 'quo"te'),
  })
  .map(({ taskId, name, resources, labels, container, executor, statuses, role }) => {
    const task = {
      taskId: taskId as TaskId,
      name,
      agentId: "agent-1" as AgentId,
      resources,
      ...(labels === undefined ? {} : { labels }),
      ...(executor === undefined
        ? {
            command: { value: "sleep 1", shell: true },
            ...(container ? { container: { type: container } } : {}),
          }
        : { executor: { executorId: executor as ExecutorId, command: { value: "./e", shell: true } } }),
    } as TaskInfo;
    return {
      task,
      frameworkId: "fw-1" as FrameworkId,
      agentId: task.agentId,
      role,
      state: statuses[statuses.length - 1]!.state,
      statuses,
      holdsResources: true,
    };
  });

describe("taskJson", () => {
  it("writes the same bytes as stringifying mesosTask", () => {
    fc.assert(
      fc.property(entry, (t) => {
        expect(taskJson(t).json).toBe(JSON.stringify(mesosTask(t)));
      }),
      { numRuns: 2000 },
    );
  });

  it("writes the same bytes again from a task's earlier JSON when a status came, the oldest kept or dropped", () => {
    fc.assert(
      fc.property(entry, status, fc.boolean(), (t, older, dropped) => {
        const earlier = t.statuses.slice(0, -1);
        if (dropped) earlier.unshift(older);
        const before = { ...t, state: earlier.at(-1)?.state ?? t.state, statuses: earlier };
        expect(withNewStatus(taskJson(before), t).json).toBe(JSON.stringify(mesosTask(t)));
      }),
      { numRuns: 2000 },
    );
  });
});
