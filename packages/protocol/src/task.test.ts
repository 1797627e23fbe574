import { describe, expect, it } from "vitest";
import { CommandInfo, TaskInfo } from "./task.js";

const base = {
  taskId: "web.1",
  name: "web",
  agentId: "agent-1",
  resources: [{ name: "cpus", scalar: 0.1 }],
};
const docker = { type: "DOCKER", docker: { image: "nginx:1" } } as const;

describe("TaskInfo's command", () => {
  it("a docker task may carry only an environment: the image runs as built, with the task's variables", () => {
    const task = TaskInfo.parse({ ...base, container: docker, command: { environment: { PORT0: "31000" } } });
    expect(task.command).toEqual({ shell: true, environment: { PORT0: "31000" } });
  });

  it("a task without a docker container still needs a value or arguments", () => {
    const result = TaskInfo.safeParse({ ...base, command: { environment: { PORT0: "31000" } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([["command", "value"]]);
    expect(TaskInfo.safeParse({ ...base, command: { value: "serve" } }).success).toBe(true);
    expect(TaskInfo.safeParse({ ...base, container: { type: "MESOS" } }).success).toBe(false);
  });

  it("a command on its own (e.g. a health check's) still needs something to run", () => {
    expect(CommandInfo.safeParse({ environment: { A: "1" } }).success).toBe(false);
    expect(CommandInfo.safeParse({ shell: false, arguments: ["serve"] }).success).toBe(true);
  });
});
