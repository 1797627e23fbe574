import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { dockerAvailable, TEST_IMAGE } from "@agora/agent/testing";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnAgent, startMaster, waitForAgents } from "./harness/cluster.js";
import { startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { httpJson, runAgora, type Spawned, spawnAgora } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

interface MasterState {
  slaves: Array<{ id: string; capabilities?: string[]; reregistered_time?: number }>;
  frameworks: Array<{ name: string; tasks: Array<{ id: string; state: string; slave_id: string }> }>;
}
interface AgentState {
  id: string;
  frameworks: Array<{
    executors: Array<{
      id: string;
      directory: string;
      completed_tasks: Array<{ id: string; state: string }>;
    }>;
  }>;
  completed_frameworks: AgentState["frameworks"];
}

const available = await dockerAvailable();

/** Master and an agent with the Docker executor over NATS, driven by `agora execute --docker-image`. */
describe.skipIf(!available)("Docker tasks in cluster mode (real dockerd)", () => {
  const docker = new Dockerode();
  let nats: Awaited<ReturnType<typeof startNatsServer>>;
  let dir: string;
  let masterUrl: string;
  let agentUrl: string;
  let agentPort: number;
  let agent: Spawned;
  const procs: Spawned[] = [];

  const startAgent = () => {
    const p = spawnAgent(nats.url, {
      port: agentPort,
      hostname: "docker-agent",
      workDir: path.join(dir, "agent"),
      resources: "cpus:2;mem:1024;disk:1024;ports:[31000-31100]",
    });
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-docker-cluster-"));
    nats = await startNatsServer({ jetstream: true });
    const master = await startMaster(nats.url);
    procs.push(master.proc);
    masterUrl = master.url;
    agentPort = await freePort();
    agentUrl = `http://127.0.0.1:${agentPort}`;
    agent = startAgent();
    await waitForAgents(masterUrl, 1);
  });

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const execute = (name: string, ...args: string[]) => [
    "execute",
    "--nats",
    nats.url,
    "--name",
    name,
    "--cpus",
    "0.1",
    "--mem",
    "64",
    "--timeout",
    "60",
    "--docker-image",
    TEST_IMAGE,
    ...args,
  ];

  async function sandboxOf(taskPrefix: string): Promise<string> {
    const state = await httpJson<AgentState>(`${agentUrl}/state`);
    const executors = [...state.frameworks, ...state.completed_frameworks].flatMap((f) => f.executors);
    return executors.find((e) => e.id.startsWith(taskPrefix))!.directory;
  }

  it("advertises the docker capability", async () => {
    const state = await httpJson<MasterState>(`${masterUrl}/master/state`);
    expect(state.slaves[0]!.capabilities).toContain("docker");
  });

  it("runs the command in a container with the task's environment; its output is readable through /files/read", async () => {
    const r = await runAgora(
      execute(
        "hello",
        "--docker-network",
        "none",
        "--command",
        'echo "task=$AGORA_TASK_ID sandbox=$MESOS_SANDBOX"; cat /proc/1/cgroup | grep -c docker',
      ),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("TASK_FINISHED");
    const sandbox = await sandboxOf("hello.");
    const read = await httpJson<{ data: string; offset: number }>(
      `${agentUrl}/files/read?path=${encodeURIComponent(`${sandbox}/stdout`)}&offset=0`,
    );
    expect(read.data).toMatch(/^task=hello\.\S+\.0 sandbox=\/mnt\/mesos\/sandbox\n[1-9]/);
  });

  it("fails a bridge-network task plainly when the daemon has no bridge network", async () => {
    const networks = await docker.listNetworks({ filters: { name: ["bridge"] } });
    if (networks.some((n) => n.Name === "bridge")) return;
    const r = await runAgora(execute("bridged", "--docker-network", "bridge", "--command", "true"));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/TASK_FAILED.*BRIDGE networking is unavailable/);
  });

  it("maps a non-zero exit code to TASK_FAILED with the code", async () => {
    const r = await runAgora(execute("exit3", "--command", "exit 3"));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("TASK_FAILED");
    expect(r.stdout).toContain("status 3");
  });

  it("ends a task with mem 32 that allocates 100 MB FAILED for being out of memory", async () => {
    const r = await runAgora([
      ...execute("oom", "--command", "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived"),
      // A whole cpu: under a 0.1-cpu quota the kernel's reclaim and kill of the victim run throttled.
      ...["--mem", "32", "--cpus", "1"],
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/TASK_FAILED.*out of memory/);
  });

  it("kills a container task on request: TASK_KILLED, container gone", async () => {
    const p = spawnAgora(execute("killme", "--command", "sleep 300"));
    procs.push(p);
    await waitFor("the task to run", () => p.stdout().includes("TASK_RUNNING"));
    p.signal("SIGTERM");
    await p.exited();
    expect(p.stdout()).toContain("TASK_KILLED");
    const left = await docker.listContainers({ filters: { label: ["agora.task-id"] } });
    expect(left.filter((c) => c.Labels["agora.task-id"]?.startsWith("killme."))).toEqual([]);
  });

  it("keeps a container running through an agent kill -9 and restart, and reports it RUNNING again", async () => {
    const p = spawnAgora(execute("survivor", "--command", "sleep 300"));
    procs.push(p);
    await waitFor("the task to run", () => p.stdout().includes("TASK_RUNNING"));
    const before = await httpJson<AgentState>(`${agentUrl}/state`);
    // Other suites may run containers meanwhile: this task's is found by its task id label.
    const container = (await docker.listContainers({ filters: { label: ["agora.task-id"] } })).find((c) =>
      c.Labels["agora.task-id"]?.startsWith("survivor."),
    );
    expect(container).toBeDefined();

    await agent.stop("SIGKILL");
    expect((await docker.getContainer(container!.Id).inspect()).State.Running).toBe(true);
    agent = startAgent();
    await waitFor("the restarted agent to show the task RUNNING", async () => {
      const state = await httpJson<
        AgentState & { frameworks: Array<{ executors: Array<{ tasks?: Array<{ state: string }> }> }> }
      >(`${agentUrl}/state`);
      return state.id === before.id && JSON.stringify(state.frameworks).includes('"TASK_RUNNING"');
    });
    // The agent shows recovered tasks before it has reregistered; commands reach it only after.
    const master = await waitFor("the master to see the agent reregister", async () => {
      const state = await httpJson<MasterState>(`${masterUrl}/master/state`);
      return state.slaves.find((a) => a.id === before.id)?.reregistered_time !== undefined && state;
    });
    const task = master.frameworks.flatMap((f) => f.tasks).find((t) => t.id.startsWith("survivor."));
    expect(task).toMatchObject({ state: "TASK_RUNNING", slave_id: before.id });

    p.signal("SIGTERM");
    await p.exited();
    expect(p.stdout()).toContain("TASK_KILLED");
    await expect(docker.getContainer(container!.Id).inspect()).rejects.toThrow();
  });
});
