import { describe, expect, it } from "vitest";
import { toMesosCommandInfo } from "./mesos-v1/index.js";
import { CommandInfo, SECRET_MASK, TaskInfo } from "./task.js";

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

describe("secret environment variables", () => {
  const command = {
    value: "run",
    environment: { DB_PASSWORD: "hunter2", MODE: "prod" },
    secrets: ["DB_PASSWORD"],
  };

  it("are named in secrets, each of which must be a variable of environment", () => {
    expect(CommandInfo.parse(command).secrets).toEqual(["DB_PASSWORD"]);
    const stray = CommandInfo.safeParse({ ...command, secrets: ["NOPE"] });
    expect(stray.success).toBe(false);
    expect(stray.error?.issues[0]?.path).toEqual(["secrets"]);
  });

  it("are written as Mesos' SECRET variables whose data is the mask", () => {
    const json = JSON.stringify(toMesosCommandInfo(CommandInfo.parse(command)));
    expect(json).not.toContain("hunter2");
    expect(toMesosCommandInfo(CommandInfo.parse(command)).environment).toEqual({
      variables: [
        {
          name: "DB_PASSWORD",
          type: "SECRET",
          secret: { type: "VALUE", value: { data: btoa(SECRET_MASK) } },
        },
        { name: "MODE", type: "VALUE", value: "prod" },
      ],
    });
  });
});
