import { type Resource, TaskInfo } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import type { AppDefinitionInput } from "../model/app-definition.js";
import { app, offer } from "../test-support/fixtures.js";
import { buildTask, taskName, wantedPorts } from "./task-builder.js";

const resources: Resource[] = [
  { name: "cpus", scalar: 1 },
  { name: "mem", scalar: 128 },
];
const build = (fields: Partial<AppDefinitionInput>, ports: number[] = [31000]) =>
  TaskInfo.parse(
    buildTask(app("/prod/web", { version: "2026-04-01T00:00:00.000Z", ...fields }), {
      offer: offer("agent-1", { hostname: "node1" }),
      resources,
      ports,
      taskId: "prod_web.u1",
    }),
  );

describe("buildTask", () => {
  it("runs cmd through the shell with Marathon's environment under the app's own", () => {
    const task = build(
      {
        cmd: "serve",
        env: { FOO: "bar", PORT0: "overridden-by-marathon" },
        labels: { team: "core", "my-label": "x" },
        portDefinitions: [{ port: 0, name: "http" }, { port: 0 }],
      },
      [31000, 31001],
    );
    expect(task.name).toBe("web.prod");
    expect(task.command).toMatchObject({ shell: true, value: "serve" });
    expect(task.command!.environment).toMatchObject({
      FOO: "bar",
      PORT0: "31000",
      PORT1: "31001",
      PORT: "31000",
      PORTS: "31000,31001",
      PORT_HTTP: "31000",
      HOST: "node1",
      MESOS_TASK_ID: "prod_web.u1",
      MARATHON_APP_ID: "/prod/web",
      MARATHON_APP_VERSION: "2026-04-01T00:00:00.000Z",
      MARATHON_APP_RESOURCE_CPUS: "1",
      MARATHON_APP_RESOURCE_MEM: "128",
      MARATHON_APP_LABELS: "TEAM MY_LABEL",
      MARATHON_APP_LABEL_TEAM: "core",
      MARATHON_APP_LABEL_MY_LABEL: "x",
    });
    expect(task.labels).toEqual({ team: "core", "my-label": "x" });
  });

  it("runs args without a shell, carries user and fetch URIs, leaves out env names a shell cannot hold", () => {
    const task = build({
      cmd: undefined,
      args: ["/bin/echo", "hi"],
      user: "nobody",
      fetch: [{ uri: "https://example.com/a.tgz" }],
      env: { "not-a-name": "x" },
    });
    expect(task.command).toMatchObject({ shell: false, arguments: ["/bin/echo", "hi"], user: "nobody" });
    expect(task.command!.uris).toEqual([
      { value: "https://example.com/a.tgz", executable: false, extract: true, cache: false },
    ]);
    expect(task.command!.environment).not.toHaveProperty("not-a-name");
  });

  it("maps a bridged Docker container's ports to the host ports taken", () => {
    const fields: Partial<AppDefinitionInput> = {
      cmd: undefined,
      container: {
        type: "DOCKER",
        docker: {
          image: "nginx:1",
          network: "BRIDGE",
          parameters: [{ key: "label", value: "a=b" }],
          forcePullImage: true,
        },
        portMappings: [
          { containerPort: 80, hostPort: 0, name: "http" },
          { containerPort: 0, hostPort: 0 },
          { containerPort: 9000 },
        ],
      },
    };
    expect(wantedPorts(app("/x", fields))).toEqual([0, 0]);
    const task = build(fields, [31000, 31001]);
    // The image runs as built, with Marathon's environment.
    expect(task.command!.value).toBeUndefined();
    expect(task.command!.environment).toMatchObject({
      PORT0: "31000",
      PORT_HTTP: "31000",
      MARATHON_APP_ID: "/prod/web",
    });
    expect(task.container).toEqual({
      type: "DOCKER",
      docker: {
        image: "nginx:1",
        network: "BRIDGE",
        portMappings: [
          { hostPort: 31000, containerPort: 80, protocol: "tcp" },
          { hostPort: 31001, containerPort: 31001, protocol: "tcp" },
        ],
        parameters: [{ key: "label", value: "a=b" }],
        forcePullImage: true,
        privileged: false,
      },
    });
    const withCmd = build({ ...fields, cmd: "nginx -g 'daemon off;'" }, [31000, 31001]);
    expect(withCmd.command!.environment).toMatchObject({
      PORT_80: "31000",
      PORT_HTTP: "31000",
      MARATHON_APP_DOCKER_IMAGE: "nginx:1",
    });
  });

  it("a container's network comes from Marathon 1.5's networks when docker does not say", () => {
    const task = build({
      container: { type: "DOCKER", docker: { image: "x" } },
      networks: [{ mode: "container/bridge" }],
    });
    expect(task.container!.docker!.network).toBe("BRIDGE");
  });

  it("carries the first health check to the agent with the host port at portIndex", () => {
    const http = build(
      {
        portDefinitions: [{ port: 0 }, { port: 0 }],
        healthChecks: [
          {
            protocol: "MESOS_HTTP",
            path: "/health",
            portIndex: 1,
            intervalSeconds: 5,
            maxConsecutiveFailures: 2,
          },
        ],
      },
      [31000, 31001],
    );
    expect(http.healthCheck).toEqual({
      type: "HTTP",
      http: { port: 31001, path: "/health", scheme: "http" },
      delaySeconds: 15,
      intervalSeconds: 5,
      timeoutSeconds: 20,
      consecutiveFailures: 2,
      gracePeriodSeconds: 300,
    });
    expect(build({ healthChecks: [{ protocol: "TCP" }] }).healthCheck).toMatchObject({
      type: "TCP",
      tcp: { port: 31000 },
    });
    expect(
      build({ healthChecks: [{ protocol: "COMMAND", command: { value: "true" } }] }).healthCheck,
    ).toMatchObject({
      type: "COMMAND",
      command: { shell: true, value: "true" },
    });
    expect(
      build({ portDefinitions: [], healthChecks: [{ protocol: "HTTP" }] }, []).healthCheck,
    ).toBeUndefined();
  });

  it("sets the kill grace period from taskKillGracePeriodSeconds", () => {
    expect(build({ taskKillGracePeriodSeconds: 7 }).killPolicy).toEqual({ gracePeriodSeconds: 7 });
    expect(build({}).killPolicy).toBeUndefined();
  });

  it("names tasks by the app id innermost first", () => {
    expect(taskName("/a/b/c")).toBe("c.b.a");
  });
});
