import { type AgentId, type FrameworkId, TaskInfo, type TaskInfoInput } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { dockerCreateOptions, SANDBOX_MOUNT } from "./docker-spec.js";

const target = {
  frameworkId: "fw-1" as FrameworkId,
  agentId: "agent-1" as AgentId,
  sandbox: "/work/sandboxes/fw-1/t1",
  env: { PORT0: "31000", MESOS_SANDBOX: "/work/sandboxes/fw-1/t1" },
  name: "agora-x",
};

function task(extra: Partial<TaskInfoInput> = {}, docker: Record<string, unknown> = {}): TaskInfo {
  return TaskInfo.parse({
    taskId: "t1",
    name: "t1",
    agentId: "agent-1",
    resources: [
      { name: "cpus", scalar: 0.5 },
      { name: "mem", scalar: 64 },
    ],
    container: { type: "DOCKER", docker: { image: "img:1", ...docker } },
    ...extra,
  });
}

describe("dockerCreateOptions", () => {
  it("labels the container and derives cpu shares, quota and a swapless memory limit from the resources", () => {
    const o = dockerCreateOptions(task({ labels: { team: "a" } }), target);
    expect(o.Labels).toEqual({
      team: "a",
      "agora.task-id": "t1",
      "agora.framework-id": "fw-1",
      "agora.agent-id": "agent-1",
    });
    expect(o.HostConfig).toMatchObject({
      CpuShares: 512,
      CpuPeriod: 100_000,
      CpuQuota: 50_000,
      Memory: 64 * 1024 * 1024,
      MemorySwap: 64 * 1024 * 1024,
      NetworkMode: "host",
    });
  });

  it("mounts the sandbox at Mesos' path and points MESOS_SANDBOX there", () => {
    const o = dockerCreateOptions(task(), target);
    expect(o.HostConfig?.Binds).toEqual([`${target.sandbox}:${SANDBOX_MOUNT}:rw`]);
    expect(o.Env).toContain(`MESOS_SANDBOX=${SANDBOX_MOUNT}`);
    expect(o.Env).toContain("PORT0=31000");
    expect(o.WorkingDir).toBe(SANDBOX_MOUNT);
  });

  it("a command with only an environment keeps the image's entrypoint and cmd", () => {
    const o = dockerCreateOptions(task({ command: { environment: { PORT0: "31000" } } }), target);
    expect(o.Entrypoint).toBeUndefined();
    expect(o.Cmd).toBeUndefined();
  });

  it("runs a shell command through /bin/sh -c, and value/arguments as entrypoint/cmd without a shell", () => {
    expect(dockerCreateOptions(task({ command: { value: "echo $X" } }), target)).toMatchObject({
      Entrypoint: ["/bin/sh", "-c"],
      Cmd: ["echo $X"],
    });
    expect(
      dockerCreateOptions(task({ command: { shell: false, value: "/bin/echo", arguments: ["a"] } }), target),
    ).toMatchObject({ Entrypoint: ["/bin/echo"], Cmd: ["a"] });
    const imageDefault = dockerCreateOptions(task(), target);
    expect(imageDefault.Entrypoint).toBeUndefined();
    expect(imageDefault.Cmd).toBeUndefined();
  });

  it("binds volumes (relative host paths inside the sandbox) and creates container-only ones", () => {
    const o = dockerCreateOptions(
      task({
        container: {
          type: "DOCKER",
          docker: { image: "img:1" },
          volumes: [
            { containerPath: "/data", hostPath: "/srv/data", mode: "RO" },
            { containerPath: "/cache", hostPath: "cache" },
            { containerPath: "/scratch" },
          ],
        },
      }),
      target,
    );
    expect(o.HostConfig?.Binds).toEqual([
      `${target.sandbox}:${SANDBOX_MOUNT}:rw`,
      "/srv/data:/data:ro",
      `${target.sandbox}/cache:/cache:rw`,
    ]);
    expect(o.Volumes).toEqual({ "/scratch": {} });
  });

  it("maps ports only on the bridge network", () => {
    const mappings = [{ hostPort: 31001, containerPort: 80 }];
    const bridge = dockerCreateOptions(task({}, { network: "BRIDGE", portMappings: mappings }), target);
    expect(bridge.HostConfig?.NetworkMode).toBe("bridge");
    expect(bridge.HostConfig?.PortBindings).toEqual({ "80/tcp": [{ HostPort: "31001" }] });
    expect(bridge.ExposedPorts).toEqual({ "80/tcp": {} });
    const none = dockerCreateOptions(task({}, { network: "NONE", portMappings: mappings }), target);
    expect(none.HostConfig?.NetworkMode).toBe("none");
    expect(none.HostConfig?.PortBindings).toBeUndefined();
  });
});
