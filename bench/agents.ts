import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent, type Executor, ShellExecutor } from "@agora/agent";
import { NoopExecutor } from "@agora/agent/internal";
import { parseResources } from "@agora/protocol";
import type { Bus } from "@agora/transport";
import { pino } from "pino";

export type ExecutorKind = "noop" | "noop-service" | "shell";

/** Each kind's executor; a checkpointing agent's shell executor records exit statuses, as the agent's own. */
const executors: Record<ExecutorKind, (checkpoint: boolean) => Executor> = {
  noop: () => new NoopExecutor(),
  /** RUNNING until killed (an hour at most), as the tasks of a long-running service. */
  "noop-service": () => new NoopExecutor({ runMs: 3_600_000 }),
  shell: (checkpoint) => new ShellExecutor({ recordExitStatus: checkpoint }),
};

/**
 * Sandboxes go on tmpfs when the host has one (BENCH_WORK_DIR overrides): this VM's disk takes
 * ~0.7 ms per mkdir, and the benchmark measures the scheduling path, not the disk.
 */
const workRoot = process.env.BENCH_WORK_DIR ?? (existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir());

export interface AgentSetOptions {
  /** Where the agents' work directories go (default: tmpfs when there is one). */
  readonly workRoot?: string;
  /** Agents that checkpoint their tasks and journal their updates, as `agora agent` runs. */
  readonly checkpoint?: boolean;
}

/** Starts `count` agents on `bus`, each with `resources` and the given executor; resolves once all registered. */
export async function startAgents(
  bus: Bus,
  count: number,
  resources: string,
  kind: ExecutorKind,
  options: AgentSetOptions = {},
) {
  const checkpoint = options.checkpoint ?? false;
  const workDir = mkdtempSync(path.join(options.workRoot ?? workRoot, "agora-bench-"));
  const agents: Agent[] = [];
  for (let i = 0; i < count; i++) {
    const agent = new Agent({
      bus,
      workDir: path.join(workDir, `agent-${i}`),
      hostname: `bench-agent-${i}`,
      resources: parseResources(resources),
      attributes: [],
      executors: { shell: executors[kind](checkpoint) },
      checkpoint,
      logger: pino({ level: "silent" }),
    });
    await agent.start({ httpPort: 0 });
    agents.push(agent);
  }
  return {
    async stop() {
      for (const a of agents) await a.stop({ killTasks: true });
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
