import { packTasks, Scheduler, type TaskSpec } from "@agora/framework-sdk";
import { isTerminalState, type Offer, type TaskState, type TaskStatus } from "@agora/protocol";
import { connectNatsBus, type NatsBus } from "@agora/transport";
import { waitFor } from "./wait.js";

export interface ChurnOptions {
  /** Tasks started once and expected to run for the whole test (`sleep 3600`). */
  longTasks: number;
  /** Short tasks (`sleep 0.3`) kept in flight while `launching` is on. */
  shortInFlight: number;
  failoverTimeoutSeconds?: number;
}

/**
 * A framework in the test process, on the SDK over NATS: keeps `longTasks` long tasks running and
 * launches short ones continuously, recording every status its handler is given (the SDK already
 * dropped duplicates by uuid) so a test can count them.
 */
export class ChurnFramework {
  /** Every status handed to the update handler, in order, with the time it arrived. */
  readonly delivered: Array<{ status: TaskStatus; at: number }> = [];
  /** Latest state per task, and when each task was launched (accepted by the master). */
  readonly states = new Map<string, TaskState>();
  readonly launchedAt = new Map<string, number>();
  /** Times the SDK re-subscribed (after silence or on a new leader's epoch). */
  readonly reconnectedAt: number[] = [];
  /** Errors the SDK reported (a refused re-subscribe, a master's error event). */
  readonly errors: string[] = [];
  /** Launches that failed (stale offers after a failover, no reply in time), with why: their tasks go back to the queue. */
  readonly refusedLaunches: string[] = [];
  private launching = true;
  private pending: TaskSpec[] = [];
  /** The offers being handled (one batch at a time), so `stopLaunching` can wait for it. */
  private handling: Promise<void> = Promise.resolve();
  private shortSeq = 0;

  private constructor(
    readonly bus: NatsBus,
    readonly scheduler: Scheduler,
    private readonly o: ChurnOptions,
  ) {}

  static async start(natsUrls: string, o: ChurnOptions): Promise<ChurnFramework> {
    const bus = await connectNatsBus({ servers: natsUrls.split(","), reconnect: { timeWaitMs: 100 } });
    const scheduler = new Scheduler({
      bus,
      framework: { name: "churn", roles: ["*"], failoverTimeout: o.failoverTimeoutSeconds ?? 3600 },
    });
    const f = new ChurnFramework(bus, scheduler, o);
    f.pending = Array.from({ length: o.longTasks }, (_, i) => ({
      taskId: `long.${i}`,
      name: `long-${i}`,
      resources: { cpus: 0.05, mem: 8 },
      command: { value: "sleep 3600", shell: true },
    }));
    scheduler.on("update", (status) => {
      f.delivered.push({ status, at: Date.now() });
      f.states.set(status.taskId, status.state);
    });
    scheduler.on("reconnected", () => void f.reconnectedAt.push(Date.now()));
    scheduler.on("error", (err) => void f.errors.push(String(err)));
    scheduler.on("offers", (offers) => {
      f.handling = f.handling.then(() => f.onOffers(offers));
    });
    await scheduler.subscribe();
    return f;
  }

  get longIds(): string[] {
    return Array.from({ length: this.o.longTasks }, (_, i) => `long.${i}`);
  }

  /**
   * Short tasks launched and not dropped: each must finish. (The master drops a launch that never
   * reached its agent, with TASK_DROPPED; a framework launches it anew, as this one does.)
   */
  launchedShorts(): string[] {
    return [...this.launchedAt.keys()].filter(
      (id) => id.startsWith("short.") && this.states.get(id) !== "TASK_DROPPED",
    );
  }

  /** Launches the master reported TASK_DROPPED (never received by the agent). */
  dropped(): string[] {
    return [...this.states].filter(([, s]) => s === "TASK_DROPPED").map(([id]) => id);
  }

  /** Short tasks that reached TASK_FINISHED. */
  finishedShorts(): string[] {
    return [...this.states]
      .filter(([id, s]) => id.startsWith("short.") && s === "TASK_FINISHED")
      .map(([id]) => id);
  }

  /** Launched tasks not in `state` (for failure messages): `id=STATE` pairs. */
  notIn(ids: readonly string[], state: TaskState): string[] {
    return ids
      .filter((id) => this.states.get(id) !== state)
      .map((id) => `${id}=${this.states.get(id) ?? "none"}`);
  }

  /** Waits (up to a minute each) until every long task is RUNNING and `shorts` short tasks have finished: the churn is under way. */
  async churning(shorts: number): Promise<void> {
    await waitFor(
      `${this.longIds.length} long tasks RUNNING`,
      () => this.longIds.every((id) => this.states.get(id) === "TASK_RUNNING"),
      { timeoutMs: 60_000 },
    );
    await waitFor("short tasks finishing", () => this.finishedShorts().length >= shorts, {
      timeoutMs: 60_000,
    });
  }

  /** Updates that carry a uuid (from agents), by `task/state`: each must be delivered once. */
  agentUpdateCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { status } of this.delivered) {
      if (status.uuid === undefined) continue;
      const key = `${status.taskId}/${status.state}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  /** Launches no more short tasks (queued ones are dropped); resolves once no launch is in flight. */
  async stopLaunching(): Promise<void> {
    this.launching = false;
    await this.handling;
  }

  async close(): Promise<void> {
    await this.stopLaunching();
    await this.scheduler.teardown().catch(() => this.scheduler.close());
    await this.bus.close();
  }

  private async onOffers(offers: Offer[]): Promise<void> {
    const inFlight = [...this.launchedAt.keys()].filter(
      (id) => id.startsWith("short.") && !isTerminalState(this.states.get(id) ?? "TASK_STAGING"),
    ).length;
    if (!this.launching) this.pending = this.pending.filter((t) => !t.taskId!.startsWith("short."));
    else {
      for (let i = inFlight; i < this.o.shortInFlight; i++) this.pending.push(this.shortTask());
    }
    const { launches } = packTasks(offers, this.pending);
    const used = new Set<string>();
    for (const { offer, tasks } of launches) {
      used.add(offer.id);
      const ids = new Set(tasks.map((t) => t.taskId as string));
      const specs = this.pending.filter((t) => ids.has(t.taskId!));
      this.pending = this.pending.filter((t) => !ids.has(t.taskId!));
      try {
        await this.scheduler.launch(offer, tasks);
        for (const id of ids) this.launchedAt.set(id, Date.now());
      } catch (err) {
        this.refusedLaunches.push(`${[...ids].join(",")}: ${String(err)}`);
        // A launch that timed out may have reached the master, and a finished task's id may be used
        // again: a short task goes back under a new id, so each id runs once (as Marathon names each launch).
        this.pending.push(...specs.map((t) => (t.taskId!.startsWith("short.") ? this.shortTask() : t)));
      }
    }
    const unused = offers.filter((o) => !used.has(o.id)).map((o) => o.id);
    if (unused.length > 0)
      await this.scheduler.decline(unused, { refuseSeconds: 0.2 }).catch(() => undefined);
  }

  private shortTask(): TaskSpec {
    const n = this.shortSeq++;
    return {
      taskId: `short.${n}`,
      name: `short-${n}`,
      resources: { cpus: 0.05, mem: 8 },
      command: { value: "sleep 0.3", shell: true },
    };
  }
}
