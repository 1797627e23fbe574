import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type AgentId, type FrameworkId, TaskInfo, type TaskInfoInput } from "@agora/protocol";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskExit } from "../executor.js";
import { dockerAvailable, TEST_IMAGE } from "../test-support/docker-available.js";
import { DockerExecutor } from "./docker-executor.js";
import { LABELS } from "./docker-spec.js";

const available = await dockerAvailable();
const agentId = `docker-test-${process.pid}` as AgentId;
const frameworkId = "fw-docker" as FrameworkId;

function task(id: string, extra: Partial<TaskInfoInput> = {}): TaskInfo {
  return TaskInfo.parse({
    taskId: id,
    name: id,
    agentId,
    resources: [
      { name: "cpus", scalar: 0.1 },
      { name: "mem", scalar: 32 },
    ],
    container: { type: "DOCKER", docker: { image: TEST_IMAGE, network: "NONE" } },
    ...extra,
  });
}

describe.skipIf(!available)("DockerExecutor with a real dockerd", () => {
  const docker = new Dockerode();
  const executor = new DockerExecutor({ docker });
  let dir: string;
  let n = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "agora-docker-"));
  });
  afterAll(async () => {
    await executor.removeOrphans(agentId, () => false);
    await rm(dir, { recursive: true, force: true });
  });

  async function run(t: TaskInfo, env: Record<string, string> = {}) {
    const sandbox = await mkdtemp(path.join(dir, `${t.taskId}-`));
    let resolveExit!: (e: TaskExit) => void;
    const exit = new Promise<TaskExit>((r) => (resolveExit = r));
    const handle = await executor.launch(t, {
      frameworkId,
      agentId,
      sandbox,
      env,
      onExit: resolveExit,
    });
    return { handle, exit, sandbox };
  }
  const id = (what: string) => `${what}-${++n}`;

  it("passes env and args, streams stdout and stderr into the sandbox, and reports the exit code", async () => {
    const t = task(id("env"), {
      command: { value: 'echo "hello $GREETING"; echo oops >&2; exit 7', shell: true },
    });
    const { exit, sandbox } = await run(t, { GREETING: "from-env" });
    expect(await exit).toEqual({ kind: "exited", exitCode: 7 });
    expect(await readFile(path.join(sandbox, "stdout"), "utf8")).toBe("hello from-env\n");
    expect(await readFile(path.join(sandbox, "stderr"), "utf8")).toBe("oops\n");
  });

  it("runs value as the entrypoint with arguments when shell is false", async () => {
    const t = task(id("args"), {
      command: { shell: false, value: "/bin/echo", arguments: ["a b", "c"] },
    });
    const { exit, sandbox } = await run(t);
    expect(await exit).toEqual({ kind: "exited", exitCode: 0 });
    expect(await readFile(path.join(sandbox, "stdout"), "utf8")).toBe("a b c\n");
  });

  it("labels the container and applies cpu and memory limits", async () => {
    const t = task(id("labels"), { command: { value: "sleep 300", shell: true } });
    const { handle, exit } = await run(t);
    const info = await docker.getContainer(handle.containerId!).inspect();
    expect(info.Config.Labels).toMatchObject({
      [LABELS.taskId]: t.taskId,
      [LABELS.frameworkId]: frameworkId,
      [LABELS.agentId]: agentId,
    });
    expect(info.HostConfig.Memory).toBe(32 * 1024 * 1024);
    expect(info.HostConfig.CpuQuota).toBe(10_000);
    expect(info.HostConfig.CpuShares).toBe(102);
    expect(info.HostConfig.NetworkMode).toBe("none");
    await handle.kill(500);
    expect(await exit).toEqual({ kind: "killed" });
  });

  it("kills with SIGKILL after the grace period when SIGTERM is ignored", async () => {
    const t = task(id("stubborn"), {
      command: { value: "trap '' TERM; echo ready; while true; do sleep 1; done", shell: true },
    });
    const { handle, exit } = await run(t);
    await handle.kill(200);
    expect(await exit).toEqual({ kind: "killed" });
    await expect(docker.getContainer(handle.containerId!).inspect()).rejects.toThrow();
  });

  it("reports a container over its memory limit as a memory limitation", async () => {
    // 100 MB into a shell variable, in a container limited to 32 MB.
    const t = task(id("oom"), {
      command: { value: "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo done", shell: true },
    });
    const { exit } = await run(t);
    expect(await exit).toMatchObject({ kind: "limited", reason: "REASON_CONTAINER_LIMITATION_MEMORY" });
  });

  it("fails the launch clearly when the image cannot be pulled", async () => {
    const t = task(id("nopull"), {
      container: {
        type: "DOCKER",
        docker: { image: "127.0.0.1:1/agora/absent:1", network: "NONE" },
      },
    });
    await expect(run(t)).rejects.toMatchObject({
      code: "LAUNCH_FAILED",
      reason: "REASON_CONTAINER_LAUNCH_FAILED",
      message: expect.stringContaining("could not pull image '127.0.0.1:1/agora/absent:1'"),
    });
  });

  it("refuses BRIDGE networking plainly when the daemon has no bridge network", async () => {
    const networks = await docker.listNetworks({ filters: { name: ["bridge"] } });
    if (networks.some((x) => x.Name === "bridge")) return;
    const t = task(id("bridge"), {
      command: { value: "true", shell: true },
      container: { type: "DOCKER", docker: { image: TEST_IMAGE, network: "BRIDGE" } },
    });
    await expect(run(t)).rejects.toThrow(/BRIDGE networking is unavailable/);
  });

  it("recovers a running container by its labels and sees its exit", async () => {
    const t = task(id("recover"), {
      command: { value: "sleep 300", shell: true },
    });
    const { handle, sandbox } = await run(t);
    handle.release();
    let resolveExit!: (e: TaskExit) => void;
    const exit = new Promise<TaskExit>((r) => (resolveExit = r));
    const recovered = await new DockerExecutor({ docker }).recover(t, {
      run: { containerId: handle.containerId! },
      frameworkId,
      agentId,
      sandbox,
      onExit: resolveExit,
    });
    expect(recovered?.containerId).toBe(handle.containerId);
    await recovered!.kill(1000);
    expect(await exit).toEqual({ kind: "killed" });
  });

  it("removes containers of this agent that no known task owns, and keeps known ones", async () => {
    const known = task(id("known"), { command: { value: "sleep 300", shell: true } });
    const orphan = task(id("orphan"), { command: { value: "sleep 300", shell: true } });
    const a = await run(known);
    const b = await run(orphan);
    const removed = await executor.removeOrphans(agentId, (key) => key === `${frameworkId}/${known.taskId}`);
    expect(removed).toBe(1);
    expect((await b.exit).kind).not.toBe("killed");
    await expect(docker.getContainer(b.handle.containerId!).inspect()).rejects.toThrow();
    expect((await docker.getContainer(a.handle.containerId!).inspect()).State.Running).toBe(true);
    await a.handle.kill(1000);
  });
});
