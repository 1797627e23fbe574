import { describe, expect, it } from "vitest";
import { Task } from "../../api/schemas";
import { runRows } from "./runs";

const task = (id: string, statuses: Array<[string, number, number?]>) =>
  Task.parse({
    id,
    name: "job",
    framework_id: "chronos-fw",
    slave_id: "agent-1",
    state: statuses.at(-1)![0],
    resources: { cpus: 0.1, mem: 32 },
    statuses: statuses.map(([state, timestamp, exitCode]) => ({
      state,
      timestamp,
      ...(exitCode === undefined ? {} : { container_status: { exitCode } }),
    })),
  });

describe("runRows", () => {
  it("joins each run's tasks to the master's: exit code and how long each ran; active runs first, then newest", () => {
    const tasks = new Map(
      [
        task("ct:1:0:job", [
          ["TASK_STAGING", 100],
          ["TASK_RUNNING", 101],
          ["TASK_FAILED", 104, 3],
        ]),
        task("ct:1:1:job", [
          ["TASK_RUNNING", 110],
          ["TASK_FINISHED", 112, 0],
        ]),
        task("ct:2:0:job", [["TASK_RUNNING", 200]]),
      ].map((t) => [t.id, t]),
    );
    const rows = runRows(
      {
        activeRuns: [
          { id: "r3", status: "ACTIVE", createdAt: "1970-01-01T00:03:20Z", tasks: [{ id: "ct:2:0:job" }] },
        ],
        history: {
          successCount: 1,
          failureCount: 1,
          successfulFinishedRuns: [
            {
              id: "r1",
              createdAt: "1970-01-01T00:01:40Z",
              finishedAt: "1970-01-01T00:01:52Z",
              tasks: ["ct:1:0:job", "ct:1:1:job"],
            },
          ],
          failedFinishedRuns: [
            {
              id: "r2",
              createdAt: "1970-01-01T00:02:30Z",
              finishedAt: "1970-01-01T00:02:31Z",
              tasks: ["gone"],
            },
          ],
        },
      },
      tasks,
      205_000,
    );
    expect(rows.map((r) => [r.id, r.status, r.seconds, r.finished])).toEqual([
      ["r3", "ACTIVE", 5, false],
      ["r2", "FAILED", 1, true],
      ["r1", "SUCCESS", 12, true],
    ]);
    expect(rows[0]!.attempts.map((a) => [a.exitCode, a.seconds])).toEqual([[undefined, 5]]);
    expect(rows[2]!.attempts.map((a) => [a.taskId, a.exitCode, a.seconds])).toEqual([
      ["ct:1:0:job", 3, 3],
      ["ct:1:1:job", 0, 2],
    ]);
    // A task the master no longer keeps still shows by id, without what only the master knew.
    expect(rows[1]!.attempts).toEqual([
      { taskId: "gone", task: undefined, exitCode: undefined, seconds: undefined },
    ]);
  });
});
