import { describe, expect, it } from "vitest";
import type { JobRun } from "../model/run.js";
import { JobBook } from "./job-book.js";

function run(jobName: string, id: string): JobRun {
  return {
    id,
    jobName,
    trigger: "manual",
    arguments: [],
    status: "INITIAL",
    createdAt: "2026-12-03T10:00:00.000Z",
    attempts: [{ attempt: 0, taskId: `ct:0:0:${jobName}:${id}` }],
  };
}

describe("JobBook's active runs", () => {
  it("lists every active run across jobs, after each add, finish and removal", () => {
    const book = new JobBook(10);
    const a1 = run("a", "1");
    const a2 = run("a", "2");
    const b1 = run("b", "1");
    book.addActive(a1);
    book.addActive(b1);
    expect(book.allActive()).toEqual([a1, b1]);
    book.addActive(a2);
    expect(book.allActive()).toEqual([a1, a2, b1]);
    book.finish({ ...a1, status: "SUCCESS" });
    expect(book.allActive()).toEqual([a2, b1]);
    expect(book.runOfTask(a1.attempts[0]!.taskId)).toBeUndefined();
    book.finish({ ...b1, status: "FAILED" });
    expect(book.allActive()).toEqual([a2]);
    expect(book.activeRuns("b")).toEqual([]);
    book.removeJob("a");
    expect(book.allActive()).toEqual([]);
  });

  it("hands out the same list until the active runs change", () => {
    const book = new JobBook(10);
    book.addActive(run("a", "1"));
    const first = book.allActive();
    expect(book.allActive()).toBe(first);
    book.addActive(run("a", "2"));
    expect(book.allActive()).not.toBe(first);
    expect(first).toHaveLength(1);
  });
});
