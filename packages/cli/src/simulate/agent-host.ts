import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { Agent } from "@agora/agent";
import { firstIssue, parseResources, type Resource } from "@agora/protocol";
import { connectNatsBus, type NatsBus } from "@agora/transport";
import { pino } from "pino";
import {
  type PendingUpdate,
  WorkerCommand,
  WorkerConfig,
  type WorkerCounters,
  type WorkerReport,
} from "./ipc.js";
import { SimExecutor } from "./sim-executor.js";

/**
 * A worker process of `agora simulate`: thousands of real `Agent`s (registration, pings, status
 * update manager with retries until acknowledged) on one NATS connection, each running its tasks
 * with the `SimExecutor`. Forked by the simulator with an IPC channel; it takes `WorkerCommand`s and
 * answers with `WorkerReport`s.
 */

/**
 * Registrations in flight at once per worker. A registration the master answers after the agent's
 * 5 s timeout is retried, and the master answers the retry with the same id (the agent's instanceId);
 * before that it registered a ghost, so this was 8. More in flight keeps the master's registration
 * queue full without flooding it: it writes each agent to the registry one after another.
 */
const REGISTER_CONCURRENCY = 64;

const silent = pino({ level: "silent" });

class AgentPool {
  private readonly slots: Array<Agent | undefined>;
  private readonly generation: number[];
  private readonly resources: Resource[];
  private readonly executor = new SimExecutor();
  /** Counters of agents no longer in a slot (killed), so totals survive them. */
  private retired = { produced: 0, abandoned: 0, dropped: 0, resent: 0, registrations: 0 };
  /** Set by `stop`: registrations still queued are not started. */
  private stopped = false;

  constructor(
    private readonly bus: NatsBus,
    private readonly config: WorkerConfig,
  ) {
    this.slots = new Array(config.count).fill(undefined);
    this.generation = new Array(config.count).fill(0);
    this.resources = parseResources(config.resources);
  }

  /** Starts the agents in these slots, `REGISTER_CONCURRENCY` at a time; `onRegistered` after each. */
  async start(locals: readonly number[], onRegistered: () => void): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < locals.length && !this.stopped) {
        const local = locals[next++]!;
        const gen = this.generation[local]!;
        const index = this.config.offset + local;
        const agent = new Agent({
          bus: this.bus,
          cluster: this.config.cluster,
          workDir: path.join(this.config.workDir, `agent-${index}-${gen}`),
          hostname: gen === 0 ? `sim-agent-${index}` : `sim-agent-${index}-r${gen}`,
          resources: this.resources,
          executors: { shell: this.executor },
          logger: silent,
        });
        this.slots[local] = agent;
        await agent.start({ httpPort: 0 });
        onRegistered();
      }
    };
    await Promise.all(Array.from({ length: Math.min(REGISTER_CONCURRENCY, locals.length) }, lane));
  }

  /** Stops these agents as a crash would: they fall silent, their tasks and pending updates with them. */
  async kill(locals: readonly number[]): Promise<void> {
    for (const local of locals) {
      const agent = this.slots[local];
      if (!agent) continue;
      this.slots[local] = undefined;
      this.generation[local]! += 1;
      const c = agent.counters;
      this.retired.produced += c.statusUpdates;
      this.retired.dropped += c.statusUpdatesDropped;
      this.retired.resent += c.statusUpdatesResent;
      this.retired.registrations += c.registrations;
      this.retired.abandoned += agent.pendingUpdates;
      await agent.stop({ killTasks: false });
    }
  }

  /** `overdue` counts the updates pending since before `producedBefore` (ms since the epoch). */
  counters(producedBefore: number): WorkerCounters {
    const out: WorkerCounters = { live: 0, pending: 0, overdue: 0, ...this.retired };
    for (const agent of this.slots) {
      if (!agent) continue;
      const c = agent.counters;
      out.live += 1;
      out.produced += c.statusUpdates;
      out.dropped += c.statusUpdatesDropped;
      out.resent += c.statusUpdatesResent;
      out.registrations += c.registrations;
      out.pending += agent.pendingUpdates;
      if (agent.pendingUpdates > 0) out.overdue += this.pendingOf(agent, producedBefore).length;
    }
    return out;
  }

  /** The live agents' updates unacknowledged since before `producedBefore`, oldest first, at most `limit`. */
  unacknowledged(producedBefore: number, limit: number): PendingUpdate[] {
    const out: PendingUpdate[] = [];
    for (const agent of this.slots) if (agent) out.push(...this.pendingOf(agent, producedBefore));
    return out.sort((a, b) => a.producedAt - b.producedAt).slice(0, limit);
  }

  private pendingOf(agent: Agent, producedBefore: number): PendingUpdate[] {
    const out: PendingUpdate[] = [];
    for (const { update, position, firstSentAt, sends } of agent.unacknowledgedUpdates()) {
      const { status } = update;
      const producedAt = status.timestamp * 1000;
      if (producedAt >= producedBefore) continue;
      out.push({
        agentId: agent.id ?? "",
        frameworkId: update.frameworkId,
        taskId: status.taskId,
        state: status.state,
        uuid: status.uuid,
        producedAt,
        firstSentAt: firstSentAt ?? null,
        sends,
        position,
      });
    }
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const live = this.slots.filter((a): a is Agent => a !== undefined);
    this.slots.fill(undefined);
    await Promise.all(live.map((a) => a.stop({ killTasks: true })));
  }
}

function send(report: WorkerReport): void {
  process.send?.(report);
}

async function main(): Promise<void> {
  const config = WorkerConfig.parse(JSON.parse(process.argv[2] ?? "null"));
  mkdirSync(config.workDir, { recursive: true });
  const bus = await connectNatsBus({
    servers: config.nats.split(","),
    name: "agora-simulate",
    logger: silent,
  });
  const pool = new AgentPool(bus, config);
  // Commands run one after another, so a restart never overtakes the kill it follows. Listening
  // starts before the agents register, so a stop during registration is taken at once.
  let queue = Promise.resolve();
  process.on("message", (raw) => {
    const parsed = WorkerCommand.safeParse(raw);
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error);
      process.stderr.write(`agent host: invalid command: ${field || "message"}: ${message}\n`);
      return;
    }
    const command = parsed.data;
    // A stop does not wait for the registrations in progress: it ends them.
    const after = command.type === "stop" ? Promise.resolve() : queue;
    queue = after.then(async () => {
      switch (command.type) {
        case "kill":
          await pool.kill(command.agents);
          return send({ type: "done", command: "kill" });
        case "restart":
          await pool.start(command.agents, () => {});
          return send({ type: "done", command: "restart" });
        case "counters":
          return send({ type: "counters", counters: pool.counters(command.producedBefore) });
        case "unacknowledged":
          return send({
            type: "unacknowledged",
            updates: pool.unacknowledged(command.producedBefore, command.limit),
          });
        case "stop":
          await pool.stop();
          await bus.close();
          rmSync(config.workDir, { recursive: true, force: true });
          send({ type: "done", command: "stop" });
          process.disconnect?.();
          return;
      }
    });
  });
  // The simulator died without saying stop: nothing of this worker must outlive it.
  process.on("disconnect", () => {
    rmSync(config.workDir, { recursive: true, force: true });
    process.exit(0);
  });
  let registered = 0;
  let lastReported = 0;
  const all = Array.from({ length: config.count }, (_, i) => i);
  // The simulator shows registration progress: report every 1% (and the last one).
  const step = Math.max(1, Math.floor(config.count / 100));
  await pool.start(all, () => {
    registered++;
    if (registered - lastReported >= step || registered === config.count) {
      lastReported = registered;
      send({ type: "registered", count: registered });
    }
  });
  send({ type: "ready" });
}

main().catch((err: unknown) => {
  process.stderr.write(`agent host failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
