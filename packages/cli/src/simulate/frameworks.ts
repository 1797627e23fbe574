import { packTasks, Scheduler, scalarIn, type TaskSpec } from "@agora/framework-sdk";
import { isTerminalState, type Offer, type TaskState, type TaskStatus } from "@agora/protocol";
import type { Bus } from "@agora/transport";
import type { Logger } from "pino";
import { type PlannedFramework, type PlannedTask, SIM_LABELS } from "./workload.js";

/** States that take a task out of the simulation for good, though not all are terminal in Mesos. */
const LOST_STATES: ReadonlySet<TaskState> = new Set([
  "TASK_LOST",
  "TASK_UNREACHABLE",
  "TASK_GONE",
  "TASK_GONE_BY_OPERATOR",
  "TASK_DROPPED",
  "TASK_UNKNOWN",
]);

/** What one simulated framework saw; every count is of distinct tasks or update uuids. */
export interface FrameworkTally {
  name: string;
  role: string;
  planned: number;
  launched: number;
  running: number;
  finished: number;
  failed: number;
  killed: number;
  errored: number;
  lost: number;
  /** Distinct agent-sourced update uuids received (each acknowledged by the SDK). */
  updatesReceived: number;
  /** Offers received, and how many of them were declined whole. */
  offers: number;
  declined: number;
  /** Most accepts it had unanswered at once (the SDK's count). */
  acceptsInFlightPeak: number;
}

export interface SimFrameworkOptions {
  bus: Bus;
  cluster: string;
  plan: PlannedFramework;
  taskCpus: number;
  taskMem: number;
  logger: Logger;
  /** A clock in milliseconds for latencies (performance.now()). */
  now: () => number;
  /** The SDK's `maxAcceptsInFlight`: offers wait in the SDK while that many accepts are unanswered (0: no bound). */
  acceptWindow: number;
}

/**
 * One simulated framework on the real SDK: it takes every offer it can fill with its planned tasks
 * (first fit, offer by offer), declines the rest, suppresses once everything is launched, and keeps
 * per task the latest state and the accept → TASK_RUNNING latency.
 */
export class SimFramework {
  readonly scheduler: Scheduler;
  /** accept → first TASK_RUNNING, in ms, one per task that ran. */
  readonly latencies: number[] = [];
  /** When each task first reported TASK_RUNNING (ms on `now`), for throughput over time. */
  readonly runningAt: number[] = [];
  private readonly acceptedAt = new Map<string, number>();
  private readonly states = new Map<string, TaskState>();
  private readonly uuids = new Set<string>();
  /** When the first accept was sent (ms on `now`). */
  firstAcceptAt: number | undefined;
  private next = 0;
  private suppressed = false;
  private armed = false;
  /** Offers received before `arm()`, kept unanswered. */
  private held: Offer[] = [];
  /** The counts this framework keeps; `counts()` adds those of the SDK and of the uuid set. */
  private readonly tally: Omit<FrameworkTally, "updatesReceived" | "acceptsInFlightPeak">;

  constructor(private readonly o: SimFrameworkOptions) {
    const { spec } = o.plan;
    this.tally = {
      name: spec.name,
      role: spec.role,
      planned: o.plan.tasks.length,
      launched: 0,
      running: 0,
      finished: 0,
      failed: 0,
      killed: 0,
      errored: 0,
      lost: 0,
      offers: 0,
      declined: 0,
    };
    this.scheduler = new Scheduler({
      bus: o.bus,
      cluster: o.cluster,
      framework: { name: spec.name, roles: [spec.role] },
      logger: o.logger,
      // A master under a 10,000-agent load answers slowly; a call timing out would drop a launch.
      callTimeoutMs: 60_000,
      dedupMemory: 100_000,
      maxAcceptsInFlight: o.acceptWindow,
    });
    this.scheduler.on("offers", (offers) => this.offers(offers));
    this.scheduler.on("update", (status) => this.update(status));
  }

  get pending(): number {
    return this.o.plan.tasks.length - this.next;
  }

  /** Every task launched and running or out for good (finished, failed, killed, lost). */
  get settled(): boolean {
    return this.pending === 0 && this.unsettled() === 0;
  }

  /** Every task launched and out for good. */
  get done(): boolean {
    return this.settled && this.tally.running === 0;
  }

  /** Launched tasks not yet RUNNING nor out. */
  unsettled(): number {
    const t = this.tally;
    return t.launched - t.running - t.finished - t.failed - t.killed - t.errored - t.lost;
  }

  /** Launched tasks still running (not yet out). */
  get runningNow(): number {
    return this.tally.running;
  }

  counts(): FrameworkTally {
    return {
      ...this.tally,
      updatesReceived: this.uuids.size,
      acceptsInFlightPeak: this.scheduler.stats.acceptsInFlightPeak,
    };
  }

  /** Whether an agent-sourced update with this uuid reached this framework. */
  received(uuid: string): boolean {
    return this.uuids.has(uuid);
  }

  /** Subscribes; offers are held unanswered until `arm()`, so no framework starts before the others. */
  async start(): Promise<void> {
    await this.scheduler.subscribe();
  }

  /**
   * Starts launching: the held offers are declined without a filter, so they go back to the pool
   * together and the next allocation divides them among every framework by DRF. Armed together
   * once all subscribed, no framework fills the cluster before the others exist (work-conserving,
   * not unfair, but then the division by weight would only show as tasks end).
   */
  arm(): void {
    this.armed = true;
    const held = this.held;
    this.held = [];
    void this.scheduler.decline(
      held.map((o) => o.id),
      { refuseSeconds: 0 },
    );
  }

  async stop(): Promise<void> {
    await this.scheduler.teardown().catch(() => {});
    await this.scheduler.close();
  }

  /**
   * Answers offers as they come (the SDK holds them back while the accept window is full): each
   * takes as many pending tasks as fit, one accept per offer.
   */
  private offers(offers: Offer[]): void {
    if (!this.armed) {
      this.held.push(...offers);
      return;
    }
    this.tally.offers += offers.length;
    const { plan, taskCpus, taskMem } = this.o;
    const decline: Offer[] = [];
    for (const offer of offers) {
      const room = Math.floor(
        Math.min(scalarIn(offer, "cpus") / taskCpus, scalarIn(offer, "mem") / taskMem) + 1e-9,
      );
      const take = Math.min(room, this.pending);
      if (take <= 0) {
        decline.push(offer);
        continue;
      }
      const slice = plan.tasks.slice(this.next, this.next + take);
      const { launches } = packTasks([offer], slice.map(this.spec));
      const tasks = launches[0]?.tasks ?? [];
      if (tasks.length === 0) {
        decline.push(offer);
        continue;
      }
      this.next += tasks.length;
      const at = this.o.now();
      this.firstAcceptAt ??= at;
      for (const t of tasks) {
        this.acceptedAt.set(t.taskId, at);
        this.states.set(t.taskId, "TASK_STAGING");
      }
      this.tally.launched += tasks.length;
      // What the launch leaves is too small for a task (or nothing is pending): Mesos' default
      // filter keeps it from coming straight back. A filter holds only while the agent's free
      // resources stay within what was refused, so a task ending there offers them again at once.
      this.scheduler
        .accept([offer.id], [{ type: "launch", tasks }])
        .catch((err: unknown) => this.o.logger.warn({ err, framework: plan.spec.name }, "accept failed"));
    }
    if (decline.length > 0) {
      this.tally.declined += decline.length;
      // Too small for a task. Mesos' default filter is enough: when tasks end on its agent, the larger
      // free resources pass the filter at once. A 1 s filter had every full agent's leftover memory
      // offered and declined again each second (a 2,000-agent run: 40,000 of 78,000 offers declined,
      // 4,400 with the default). With nothing left to launch, it is not wanted.
      void this.scheduler.decline(
        decline.map((o) => o.id),
        this.pending > 0 ? undefined : { refuseSeconds: 3600 },
      );
    }
    if (this.pending === 0 && !this.suppressed) {
      this.suppressed = true;
      this.scheduler
        .suppress()
        .catch((err: unknown) => this.o.logger.warn({ err, framework: plan.spec.name }, "suppress failed"));
    }
  }

  private readonly spec = (t: PlannedTask): TaskSpec => ({
    taskId: t.taskId,
    name: this.o.plan.spec.name,
    resources: { cpus: this.o.taskCpus, mem: this.o.taskMem },
    command: { value: "true" },
    labels: { [SIM_LABELS.runMs]: String(t.runMs), [SIM_LABELS.fail]: String(t.fail) },
  });

  private update(status: TaskStatus): void {
    if (status.uuid !== undefined && status.source !== "SOURCE_MASTER") this.uuids.add(status.uuid);
    const before = this.states.get(status.taskId);
    // Not ours (a reconciliation answer for an unknown task), or already out: nothing changes.
    if (before === undefined || isOut(before)) return;
    const state = status.state;
    if (state === before) return;
    const t = this.tally;
    if (before === "TASK_RUNNING") t.running--;
    this.states.set(status.taskId, state);
    if (state === "TASK_RUNNING") {
      t.running++;
      const acceptedAt = this.acceptedAt.get(status.taskId);
      if (acceptedAt !== undefined) {
        const now = this.o.now();
        this.acceptedAt.delete(status.taskId);
        this.latencies.push(now - acceptedAt);
        this.runningAt.push(now);
      }
    } else if (state === "TASK_FINISHED") t.finished++;
    else if (state === "TASK_FAILED") t.failed++;
    else if (state === "TASK_KILLED") t.killed++;
    else if (state === "TASK_ERROR") t.errored++;
    else if (LOST_STATES.has(state)) t.lost++;
  }
}

function isOut(state: TaskState): boolean {
  return isTerminalState(state) || LOST_STATES.has(state);
}
