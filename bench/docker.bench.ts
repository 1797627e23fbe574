import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { DockerExecutor, ShellExecutor } from "@agora/agent";
import { dockerAvailable, shellTask, startAgent, TEST_IMAGE } from "@agora/agent/testing";
import type { TaskInfo } from "@agora/protocol";
import Dockerode from "dockerode";
import { machine } from "./machine.js";
import { type LatencySummary, nowMs, summarize } from "./stats.js";

const run = promisify(execFile);

/**
 * Container launch to RUNNING beside a plain `docker run` of the same image, in one run:
 * - `docker run -d`: the Docker CLI creating and starting a container (returns once started);
 * - dockerode create + start: the same two API calls from Node, no CLI;
 * - agent: runTask → the agent's TASK_RUNNING update, through a real Agent (fake master over an
 *   in-process bus) with the Docker executor: image check, create, attach logs, start, inspect.
 * DOCKER_LAUNCHES (default 30) containers each, one at a time, `sleep 300` on network none, each
 * removed before the next (outside the timing).
 */
const launches = Number(process.env.DOCKER_LAUNCHES ?? 30);

interface DockerLaunchResult {
  scenario: string;
  launches: number;
  launchToRunning: LatencySummary;
}

async function dockerCli(): Promise<DockerLaunchResult> {
  const latencies: number[] = [];
  for (let i = 0; i < launches; i++) {
    const t = nowMs();
    const { stdout } = await run("docker", ["run", "-d", "--network", "none", TEST_IMAGE, "sleep", "300"]);
    latencies.push(nowMs() - t);
    await run("docker", ["rm", "-f", stdout.trim()]);
  }
  return { scenario: "docker run -d (CLI)", launches, launchToRunning: summarize(latencies) };
}

async function dockerodeRaw(docker: Dockerode): Promise<DockerLaunchResult> {
  const latencies: number[] = [];
  for (let i = 0; i < launches; i++) {
    const t = nowMs();
    const c = await docker.createContainer({
      Image: TEST_IMAGE,
      Cmd: ["sleep", "300"],
      HostConfig: { NetworkMode: "none" },
    });
    await c.start();
    latencies.push(nowMs() - t);
    await c.remove({ force: true });
  }
  return { scenario: "dockerode create + start", launches, launchToRunning: summarize(latencies) };
}

async function agentDocker(docker: Dockerode): Promise<DockerLaunchResult> {
  const fx = await startAgent({
    executors: { shell: new ShellExecutor(), docker: new DockerExecutor({ docker }) },
  });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < launches; i++) {
      const task: TaskInfo = shellTask("sleep 300", {
        container: {
          type: "DOCKER",
          docker: { image: TEST_IMAGE, network: "NONE", forcePullImage: false, privileged: false },
        },
      });
      const t = nowMs();
      fx.master.runTasks([task]);
      await fx.master.waitForState(task.taskId, "TASK_RUNNING");
      latencies.push(nowMs() - t);
      fx.master.kill(task.taskId, 0);
      await fx.master.waitForState(task.taskId, "TASK_KILLED");
    }
  } finally {
    await fx.close();
  }
  return {
    scenario: "agent: runTask → TASK_RUNNING (Docker executor)",
    launches,
    launchToRunning: summarize(latencies),
  };
}

/** Writes bench/results/docker.json and returns its Markdown table. */
export default async function dockerBench(): Promise<string> {
  if (!(await dockerAvailable())) {
    return "Skipped: no Docker daemon or test image (scripts/setup-host.sh --docker, scripts/build-test-image.sh).";
  }
  const docker = new Dockerode();
  const results: DockerLaunchResult[] = [];
  for (const scenario of [dockerCli, () => dockerodeRaw(docker), () => agentDocker(docker)]) {
    const r = await scenario();
    process.stderr.write(
      `${r.scenario}: p50 ${r.launchToRunning.p50Ms} ms, p99 ${r.launchToRunning.p99Ms} ms\n`,
    );
    results.push(r);
  }
  const dir = path.join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "docker.json"),
    `${JSON.stringify({ machine: machine(), image: TEST_IMAGE, results }, null, 2)}\n`,
  );
  const rows = results.map(
    (r) =>
      `| ${r.scenario} | ${r.launches} | ${r.launchToRunning.p50Ms} | ${r.launchToRunning.p99Ms} | ${r.launchToRunning.maxMs} |`,
  );
  return [
    "| scenario | launches | launch → running p50 ms | p99 ms | max ms |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
}
