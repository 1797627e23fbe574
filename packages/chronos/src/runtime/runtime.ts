import { type Launch, Scheduler } from "@agora/framework-sdk";
import { AGORA_VERSION, type AgentId, type Offer, type TaskId, type TaskStatus } from "@agora/protocol";
import { type Bus, type Clock, type StateStore, systemClock, type TimerHandle } from "@agora/transport";
import { type Logger, pino } from "pino";
import { ChronosError } from "../errors.js";
import { checkJob, childrenOf, rewireChildren } from "../graph/job-graph.js";
import {
  applyResourceDefaults,
  DEFAULT_JOB_RESOURCES,
  isScheduled,
  type JobDefaults,
  type JobDefinition,
} from "../model/job.js";
import type { JobRun, JobState, RunTrigger } from "../model/run.js";
import {
  advance,
  dueSlot,
  formatSchedule,
  type JobSchedule,
  nextRunAt,
  parseSchedule,
  skip,
} from "../schedule/index.js";
import type {
  ChronosEvent,
  ChronosEventType,
  ChronosInfo,
  ChronosService,
  JobEntry,
  JobView,
} from "../service.js";
import { JobBook } from "./job-book.js";
import { type PendingLaunch, placeLaunches } from "./placement.js";
import { ChronosRepository } from "./repository.js";
import { countFailure, countSuccess, newRunId, phaseOf, shouldRetry } from "./run-outcome.js";
import { taskIdOf, taskSpecOf } from "./task-spec.js";

export interface ChronosRuntimeOptions {
  bus: Bus;
  /** Jobs, their state and runs (a file store in dev mode, JetStream KV in a cluster). */
  store: StateStore;
  /** Subject namespace of the Agora cluster. Default "agora". */
  cluster?: string;
  logger?: Logger;
  clock?: Clock;
  /** Chronos' `--mesos_role`. Default `*`. */
  role?: string;
  /** Default "chronos". */
  frameworkName?: string;
  /** The principal it subscribes as, with its secret when the master authenticates frameworks (`--principal`, `--secret-file`); default: none. */
  credential?: { principal: string; secret?: string | undefined };
  /** Seconds the master keeps Chronos' tasks while it is away. Default one week (Chronos'). */
  failoverTimeoutSeconds?: number;
  /** This Chronos' HTTP address parts, for `webuiUrl` and `info()`. */
  hostname?: string;
  /** The scheme of the `webuiUrl` it registers: `https` when the API serves TLS (default http). */
  webuiScheme?: "http" | "https";
  httpPort?: number;
  /** `--mesos_task_cpu/mem/disk` and `--user`: what a job's zero resources and empty user mean. */
  jobDefaults?: JobDefaults;
  /** Chronos' `--failure_retry`: how long a failed attempt waits before its retry. Default 60 s. */
  failureRetryMs?: number;
  /** Chronos' `--disable_after_failures`: disable a job after this many errors since its last success (0: never). */
  disableAfterFailures?: number;
  /** Finished runs kept per job. Default 100. */
  historySize?: number;
  /** How long declined offers stay away while nothing waits to launch. Default 120 s. */
  declineOfferSeconds?: number;
  /**
   * How long before a schedule slot its run is created and written and offers are asked for (and
   * held), so that when the slot comes only the launch is left to do. Default 2 s; more while run
   * writes are slow (twice the slowest lately, at most `MAX_AHEAD_FACTOR` times this).
   */
  prepareAheadMs?: number;
  /** A kill not answered by a terminal update within this long is sent again. Default 10 s. */
  killRetryMs?: number;
  /** Who leads, from the leader election; default: this one, always. */
  leadership?: () => { elected: boolean; leader: string | undefined };
  /** Flags to show in `info().config`. */
  config?: Record<string, unknown>;
  newRunId?: (at: Date) => string;
}

const ONE_WEEK_SECONDS = 7 * 24 * 3600;

/** Runs placed on held offers: the launches, the run (and job definition) of each task, the runs that fit nowhere. */
interface LaunchPlan {
  key: string;
  launches: Launch[];
  runs: Map<string, { run: JobRun; job: JobDefinition }>;
  unplaced: JobRun[];
}
const PREPARE_AHEAD_MS = 2000;
/** The longest a slot is taken ahead, in multiples of `prepareAheadMs`, however slow the store. */
const MAX_AHEAD_FACTOR = 5;
/** How fast a slow write is forgotten: the remembered lag halves every this long. */
const WRITE_LAG_HALF_LIFE_MS = 60_000;
/** The longest the runtime sleeps between passes, so a clock jump is noticed within this long. */
const MAX_SLEEP_MS = 60_000;

/**
 * Chronos' runtime: a framework on the SDK `Scheduler` that creates a run for every due schedule
 * slot (missed slots collapse into one), fires dependent jobs once all their parents succeeded,
 * launches runs on offers, retries failed attempts, kills overrunning ones, and keeps jobs, their
 * state and their runs in the `StateStore`, so a restart or a new leader resumes where the last
 * left off and never launches a slot twice. The HTTP layer talks to it through `ChronosService`.
 *
 * @example
 * ```ts
 * const runtime = new ChronosRuntime({ bus, store });
 * await runtime.start();
 * await runtime.putJob(JobDefinition.parse({ name: "hello", command: "echo hi", schedule: "R/2026-01-01T00:00:00Z/PT1M" }));
 * ```
 */
export class ChronosRuntime implements ChronosService {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly repo: ChronosRepository;
  private readonly book: JobBook;
  private readonly defaults: JobDefaults;
  private readonly listeners = new Set<(e: ChronosEvent) => void>();
  /** When each scheduled job is next due (epoch ms). */
  private readonly nextDue = new Map<string, number>();
  private readonly parsed = new Map<string, { key: string; schedule: JobSchedule }>();
  /** Runs whose creation is being written: they launch once it is in the store. */
  private readonly unsaved = new Set<string>();
  /**
   * Task ids of attempts that may have been launched without a record saying so (a launch is sent
   * before its record is written; a launch call may fail after the master took it): asked for by
   * reconciliation, and not launched again before the master answers that it does not know them.
   */
  private readonly unconfirmed = new Set<string>();
  /** Offers kept for runs due within `prepareAheadMs`, by offer id. */
  private readonly held = new Map<string, Offer>();
  private entryCache: { version: number; entries: readonly JobEntry[] } | undefined;
  /** Where the runs due soon go on the held offers, worked out before they are due. */
  private plan: LaunchPlan | undefined;
  private readonly prepareAheadMs: number;
  /** The slowest run write lately (ms) and when it was seen: a decaying maximum. */
  private writeLag = { ms: 0, at: 0 };
  private scheduler: Scheduler | undefined;
  private frameworkId: string | undefined;
  /**
   * What the master was last told: true after revive, false after suppress, undefined when unknown
   * (after a subscribe: a failed-over framework keeps its predecessor's suppression in the master,
   * and a Chronos that assumed otherwise would leave its runs queued forever).
   */
  private wantsOffers: boolean | undefined;
  private timer: TimerHandle | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private passPending = false;
  private starting: Promise<void> | undefined;
  private started = false;
  private stopped = false;
  private httpPort: number;

  constructor(private readonly opts: ChronosRuntimeOptions) {
    this.logger = (opts.logger ?? pino({ level: "silent" })).child({ component: "chronos" });
    this.clock = opts.clock ?? systemClock;
    this.repo = new ChronosRepository(opts.store, this.logger);
    this.book = new JobBook(opts.historySize ?? 100);
    this.defaults = opts.jobDefaults ?? DEFAULT_JOB_RESOURCES;
    this.httpPort = opts.httpPort ?? 4400;
    this.prepareAheadMs = opts.prepareAheadMs ?? PREPARE_AHEAD_MS;
  }

  /** Loads the stored state, subscribes as the framework and resumes. Call when this Chronos leads. */
  start(): Promise<void> {
    this.starting ??= this.lead();
    return this.starting;
  }

  /** The port the API really listens on (known after `listen`), for `webuiUrl` and `info()`. */
  advertise(httpPort: number): void {
    this.httpPort = httpPort;
  }

  /** Stops scheduling and the framework client; running tasks keep running (failover). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clear(this.timer);
    this.timer = undefined;
    await this.starting?.catch(() => {});
    await this.scheduler?.close();
    await this.repo.flush();
  }

  private async lead(): Promise<void> {
    const stored = await this.repo.load();
    for (const job of stored.jobs) this.book.setJob(job);
    for (const [name, state] of stored.states) if (this.book.jobs.has(name)) this.book.setState(name, state);
    const evicted = this.book.load(stored.runs.filter((r) => this.book.jobs.has(r.jobName)));
    for (const r of evicted) void this.repo.forgetRun(r.jobName, r.id);
    this.repairSlots(stored.runs);
    // A launch goes out before its record says so: whether these ran is the master's to tell.
    for (const run of this.book.allActive()) {
      const attempt = run.attempts[run.attempts.length - 1];
      if (run.status === "INITIAL" && attempt && !attempt.launchedAt) this.unconfirmed.add(attempt.taskId);
    }
    this.frameworkId = stored.frameworkId;
    for (const name of this.book.names()) this.refreshDue(name);

    const scheduler = new Scheduler({
      bus: this.opts.bus,
      ...(this.opts.credential ? { credential: this.opts.credential } : {}),
      ...(this.opts.cluster ? { cluster: this.opts.cluster } : {}),
      logger: this.logger,
      clock: this.clock,
      framework: {
        name: this.opts.frameworkName ?? "chronos",
        roles: [this.opts.role ?? "*"],
        checkpoint: true,
        failoverTimeout: this.opts.failoverTimeoutSeconds ?? ONE_WEEK_SECONDS,
        ...(this.frameworkId ? { id: this.frameworkId } : {}),
        ...(this.opts.hostname
          ? {
              hostname: this.opts.hostname,
              webuiUrl: `${this.opts.webuiScheme ?? "http"}://${this.opts.hostname}:${this.httpPort}`,
            }
          : {}),
      },
    });
    this.scheduler = scheduler;
    scheduler.on("offers", (offers) => this.onOffers(offers));
    scheduler.on("rescind", (offerId) => {
      this.held.delete(offerId);
    });
    scheduler.on("update", (status) => this.onStatus(status));
    scheduler.on("reconnected", () => {
      // A new subscription's master no longer holds the old offers for us.
      this.held.clear();
      this.wantsOffers = undefined;
      this.reconcileLaunched();
      this.requestPass();
    });
    const id = await scheduler.subscribe();
    if (this.stopped) return;
    this.started = true;
    if (id !== this.frameworkId) await this.repo.saveFrameworkId(id);
    this.frameworkId = id;
    this.reconcileLaunched();
    this.logger.info(
      { frameworkId: id, jobs: this.book.jobs.size, activeRuns: this.book.allActive().length },
      "chronos leads",
    );
    this.requestPass();
  }

  /**
   * Asks the master for every launched attempt's state (a new leader learns how its runs went) and
   * for every attempt that may have been launched unrecorded (`unconfirmed`): with no agent named,
   * the master answers TASK_UNKNOWN for a task it never saw.
   */
  private reconcileLaunched(): void {
    const tasks = this.book
      .allActive()
      .map((r) => r.attempts[r.attempts.length - 1])
      .filter((a) => a?.launchedAt !== undefined && !this.unconfirmed.has(a.taskId))
      .map((a) => ({
        taskId: a!.taskId as TaskId,
        ...(a!.agentId ? { agentId: a!.agentId as AgentId } : {}),
      }));
    for (const taskId of this.unconfirmed) tasks.push({ taskId: taskId as TaskId });
    if (tasks.length > 0)
      this.scheduler?.reconcile(tasks).catch((err: unknown) => this.logger.warn({ err }, "reconcile failed"));
  }

  /**
   * Mends what a leader that died between its writes can leave behind: a run written for a slot
   * whose job state (`lastSlot`) was not, and an ISO schedule whose start was not advanced past the
   * slot taken. Either would let the slot be taken again, or the schedule stall.
   */
  private repairSlots(runs: readonly JobRun[]): void {
    const latest = new Map<string, number>();
    for (const r of runs)
      if (r.scheduledAt && this.book.jobs.has(r.jobName))
        latest.set(r.jobName, Math.max(latest.get(r.jobName) ?? 0, Date.parse(r.scheduledAt)));
    for (const [name, slot] of latest) {
      const state = this.book.state(name);
      if (state.lastSlot !== undefined && Date.parse(state.lastSlot) >= slot) continue;
      this.book.setState(name, { ...state, lastSlot: new Date(slot).toISOString() });
      void this.repo.saveState(name, this.book.state(name));
    }
    for (const name of this.book.names()) {
      const job = this.book.jobs.get(name)!;
      const s = this.schedule(name);
      const lastSlot = this.book.state(name).lastSlot;
      if (s?.kind !== "iso8601" || s.repetitions === 0 || lastSlot === undefined) continue;
      if (s.start.getTime() > Date.parse(lastSlot)) continue;
      const advanced = { ...job, schedule: advance(s, new Date(lastSlot)) };
      this.book.setJob(advanced);
      void this.repo
        .saveJob(advanced)
        .catch((err: unknown) => this.logger.warn({ err, job: name }, "job write failed"));
    }
  }

  // ── reads ────────────────────────────────────────────────────────────────────────────────────

  jobs(): readonly JobView[] {
    return this.book.names().map((n) => this.view(n));
  }

  entries(): readonly JobEntry[] {
    if (this.entryCache?.version !== this.book.version) {
      const entries = this.book.names().map((n) => ({
        definition: this.book.jobs.get(n)!,
        stats: this.book.state(n).stats,
      }));
      this.entryCache = { version: this.book.version, entries };
    }
    return this.entryCache.entries;
  }

  job(name: string): JobView | undefined {
    return this.book.jobs.has(name) ? this.view(name) : undefined;
  }

  activeRuns(name: string): readonly JobRun[] {
    return this.book.activeRuns(name);
  }

  history(name: string): readonly JobRun[] {
    return this.book.history(name);
  }

  run(name: string, runId: string): JobRun | undefined {
    return this.book.run(name, runId);
  }

  onEvent(listener: (event: ChronosEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  info(): ChronosInfo {
    const leadership = this.opts.leadership?.() ?? {
      elected: true,
      leader: `${this.opts.hostname ?? "localhost"}:${this.httpPort}`,
    };
    return {
      name: this.opts.frameworkName ?? "chronos",
      version: AGORA_VERSION,
      frameworkId: this.frameworkId,
      leader: leadership.leader,
      elected: leadership.elected,
      httpPort: this.httpPort,
      config: {
        mesos_task_cpu: this.defaults.cpus,
        mesos_task_mem: this.defaults.mem,
        mesos_task_disk: this.defaults.disk,
        user: this.defaults.user,
        failure_retry: this.opts.failureRetryMs ?? 60_000,
        disable_after_failures: this.opts.disableAfterFailures ?? 0,
        ...this.opts.config,
      },
    };
  }

  private view(name: string): JobView {
    const definition = this.book.jobs.get(name)!;
    const state = this.book.state(name);
    const active = this.book.activeRuns(name);
    const running = active.filter((r) => r.status === "STARTING" || r.status === "ACTIVE").length;
    const due = this.nextDue.get(name);
    return {
      definition,
      stats: state.stats,
      lastStatus: state.lastOutcome ?? "fresh",
      state: running > 0 ? `${running} running` : active.length > 0 ? "queued" : "idle",
      nextRunAt: due === undefined ? undefined : new Date(due).toISOString(),
      parentsDone: state.parentsDone,
    };
  }

  // ── writes ───────────────────────────────────────────────────────────────────────────────────

  async putJob(input: JobDefinition): Promise<void> {
    await this.ready();
    const now = new Date(this.clock.now());
    checkJob(input, this.book.jobs, now);
    const parsed = isScheduled(input)
      ? parseSchedule(input.schedule, { timeZone: input.scheduleTimeZone, now })
      : undefined;
    // An empty ISO start means "now": stored written out, or every re-read would move it.
    const job = parsed ? { ...input, schedule: formatSchedule(parsed) } : input;
    const previous = this.book.jobs.get(job.name);
    const scheduleChanged =
      previous?.schedule !== job.schedule || previous?.scheduleTimeZone !== job.scheduleTimeZone;
    await this.write(() => this.repo.saveJob(job));
    // Applied to the state as it is after the write: a run may have finished meanwhile.
    let next: JobState = this.book.state(job.name);
    if (parsed && scheduleChanged) {
      // A new ISO start says when to run (a past one runs once to catch up, as Chronos does); a
      // new cron schedule runs from now on: its past occurrences were never promised.
      const { lastSlot: _lastSlot, ...rest } = next;
      next = parsed.kind === "cron" ? { ...rest, lastSlot: now.toISOString() } : rest;
    }
    if (!parsed && previous && isScheduled(previous)) next = { ...next, parentsDone: [] };
    this.book.setJob(job);
    this.book.setState(job.name, next);
    await this.repo.saveState(job.name, next);
    this.refreshDue(job.name);
    this.emit(previous ? "job_updated" : "job_created", job.name);
    this.requestPass();
  }

  async deleteJob(name: string, options: { stopRuns?: boolean } = {}): Promise<void> {
    await this.ready();
    this.known(name);
    const children = rewireChildren(name, this.book.jobs);
    for (const child of children) await this.write(() => this.repo.saveJob(child));
    if (options.stopRuns !== false) for (const run of this.book.activeRuns(name)) this.halt(run, "deleted");
    const runIds = this.book.removeJob(name);
    this.nextDue.delete(name);
    this.parsed.delete(name);
    await this.write(() => this.repo.deleteJob(name, runIds));
    for (const child of children) {
      this.book.setJob(child);
      this.refreshDue(child.name);
    }
    this.emit("job_deleted", name);
    // Offers held for its run due soon may have to go back.
    this.requestPass();
  }

  async runNow(name: string, options: { arguments?: string[] } = {}): Promise<JobRun> {
    await this.ready();
    this.known(name);
    const run = await this.createRun(name, "manual", { arguments: options.arguments ?? [] });
    this.requestPass();
    return run;
  }

  async markSuccess(name: string): Promise<void> {
    await this.ready();
    this.known(name);
    const now = new Date(this.clock.now());
    const state = this.book.state(name);
    this.book.setState(name, { ...state, stats: countSuccess(state.stats, now), lastOutcome: "success" });
    const fired = this.noteParentDone(name);
    await Promise.all([this.repo.saveState(name, this.book.state(name)), ...fired.writes]);
    await this.runChildren(fired.ready);
    this.emit("job_updated", name);
  }

  async killTasks(name: string): Promise<void> {
    await this.ready();
    this.known(name);
    for (const run of [...this.book.activeRuns(name)]) this.halt(run, "user");
  }

  async stopRun(name: string, runId: string): Promise<JobRun> {
    await this.ready();
    this.known(name);
    const run = this.book.activeRuns(name).find((r) => r.id === runId);
    if (!run) {
      if (this.book.run(name, runId)) return this.book.run(name, runId)!;
      throw new ChronosError("RUN_NOT_FOUND", `Job ${name} has no run ${runId}`);
    }
    this.halt(run, "user");
    return run;
  }

  private known(name: string): JobDefinition {
    const job = this.book.jobs.get(name);
    if (!job) throw new ChronosError("JOB_NOT_FOUND", `Job ${name} does not exist`);
    return job;
  }

  /** Writes arriving while this Chronos loads and subscribes wait for it. */
  private async ready(): Promise<void> {
    if (!this.started) await this.starting;
  }

  private async write(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (cause) {
      throw new ChronosError("STORE_FAILED", "The state store did not accept the write; nothing changed", {
        cause,
      });
    }
  }

  // ── scheduling ──────────────────────────────────────────────────────────────────────────────

  private schedule(name: string): JobSchedule | undefined {
    const job = this.book.jobs.get(name);
    if (!job || !isScheduled(job)) return undefined;
    const key = `${job.schedule}\u0000${job.scheduleTimeZone}`;
    const cached = this.parsed.get(name);
    if (cached?.key === key) return cached.schedule;
    const schedule = parseSchedule(job.schedule, {
      timeZone: job.scheduleTimeZone,
      now: new Date(this.clock.now()),
    });
    this.parsed.set(name, { key, schedule });
    return schedule;
  }

  private refreshDue(name: string): void {
    const job = this.book.jobs.get(name);
    const s = this.schedule(name);
    if (!job || !s || job.disabled) {
      this.nextDue.delete(name);
      return;
    }
    const lastSlot = this.book.state(name).lastSlot;
    const at = nextRunAt(s, {
      now: new Date(this.clock.now()),
      ...(lastSlot ? { lastSlot: new Date(lastSlot) } : {}),
    });
    if (at === undefined) this.nextDue.delete(name);
    else this.nextDue.set(name, at.getTime());
  }

  /** Runs one pass soon (coalesced): due slots, retries, overruns, revive or suppress. */
  private requestPass(): void {
    if (this.passPending || this.stopped) return;
    this.passPending = true;
    queueMicrotask(() => {
      this.passPending = false;
      this.pass().catch((err: unknown) => this.logger.error({ err }, "scheduling pass failed"));
    });
  }

  private async pass(): Promise<void> {
    if (!this.started || this.stopped) return;
    const now = this.clock.now();
    const creations: Promise<unknown>[] = [];
    const ahead = this.aheadMs(now);
    // A slot is taken (its run created and written) `ahead` early, as of the slot itself.
    for (const [name, due] of this.nextDue)
      if (due <= now + ahead) creations.push(this.takeSlot(name, new Date(Math.max(now, due))));
    this.place();
    // Offers are asked for at once, not after the writes: they arrive while the runs are written.
    this.offerDemand();
    await Promise.all(creations);
    // Taking many slots at once costs CPU before the writes even start: the lead covers it all.
    if (creations.length > 0) this.noteWriteLag(now);
    this.killOverruns(now);
    this.resendKills(now);
    // Time moved since the first placement (writes, a starved CPU, a timer that fired a millisecond
    // before the clock says its time came): placing again and arming the timer on one reading of
    // the clock leaves no run that turned ready in between without either its launch or a wake.
    const end = this.clock.now();
    this.place(end);
    this.offerDemand();
    this.armTimer(end);
  }

  /**
   * Creates the run of the job's due slot (or skips a slot past its deadline), then advances the
   * schedule. `at` is the slot's time when it is taken ahead of it, or now when it is overdue.
   */
  private async takeSlot(name: string, at: Date): Promise<void> {
    const job = this.book.jobs.get(name);
    const s = this.schedule(name);
    if (!job || !s) return;
    const state = this.book.state(name);
    const due = dueSlot(s, {
      now: at,
      ...(state.lastSlot ? { lastSlot: new Date(state.lastSlot) } : {}),
      ...(job.startingDeadlineSeconds ? { startingDeadlineMs: job.startingDeadlineSeconds * 1000 } : {}),
    });
    if (!due) {
      this.refreshDue(name);
      return;
    }
    const slot = "slot" in due ? due.slot : due.skipped;
    // A skipped slot uses up no repetition: nothing ran.
    const advanced = "slot" in due ? advance(s, at) : skip(s, at);
    const nextJob = advanced === job.schedule ? job : { ...job, schedule: advanced };
    this.book.setJob(nextJob);
    this.book.setState(name, { ...state, lastSlot: slot.toISOString() });
    this.refreshDue(name);
    // The slot is taken in memory before any await, so a second pass cannot take it again; the
    // run is written before its task can launch, so a new leader cannot either.
    const waiting = this.book.activeRuns(name).some((r) => r.status === "INITIAL");
    const creating =
      "slot" in due && !(waiting && !job.concurrent)
        ? this.createRun(name, "scheduled", { scheduledAt: slot.toISOString() })
        : undefined;
    if ("skipped" in due) this.emit("run_skipped", name, undefined, slot.toISOString());
    await Promise.all([
      creating,
      nextJob === job ? undefined : this.repo.saveJob(nextJob),
      this.repo.saveState(name, this.book.state(name)),
    ]);
  }

  private async createRun(
    name: string,
    trigger: RunTrigger,
    o: { scheduledAt?: string; arguments?: string[] },
  ): Promise<JobRun> {
    const now = new Date(this.clock.now());
    const id = (this.opts.newRunId ?? newRunId)(now);
    const run: JobRun = {
      id,
      jobName: name,
      trigger,
      ...(o.scheduledAt ? { scheduledAt: o.scheduledAt } : {}),
      arguments: o.arguments ?? [],
      status: "INITIAL",
      createdAt: now.toISOString(),
      attempts: [],
    };
    run.attempts.push({ attempt: 0, taskId: taskIdOf(run, 0) });
    this.book.addActive(run);
    this.unsaved.add(run.id);
    this.emit("run_created", name, run);
    try {
      await this.repo.saveRun(run);
    } finally {
      this.unsaved.delete(run.id);
      this.noteWriteLag(now.getTime());
    }
    this.requestPass();
    return run;
  }

  /**
   * How early slots are taken and offers asked for: `prepareAheadMs`, or twice the longest that
   * taking slots (a pass's creations with their writes) or writing a run took lately when that is
   * more (a file store's fsync on a busy disk can take seconds, a starved CPU makes 200 slots slow),
   * so that runs are written before their slot comes; at most `MAX_AHEAD_FACTOR` × `prepareAheadMs`.
   */
  private aheadMs(now: number): number {
    const lag = this.writeLag.ms * 0.5 ** ((now - this.writeLag.at) / WRITE_LAG_HALF_LIFE_MS);
    return Math.min(Math.max(this.prepareAheadMs, 2 * lag), MAX_AHEAD_FACTOR * this.prepareAheadMs);
  }

  private noteWriteLag(startedAt: number): void {
    const now = this.clock.now();
    const took = now - startedAt;
    const remembered = this.writeLag.ms * 0.5 ** ((now - this.writeLag.at) / WRITE_LAG_HALF_LIFE_MS);
    if (took >= remembered) this.writeLag = { ms: took, at: now };
  }

  /** When a waiting run may launch: not before its slot, nor before its retry is due. */
  private static readyAt(run: JobRun): number {
    return Math.max(
      run.scheduledAt ? Date.parse(run.scheduledAt) : 0,
      run.retryAt ? Date.parse(run.retryAt) : 0,
    );
  }

  /** FORBID (concurrent false) holds a run, manual ones too, while another of the job is out. */
  private heldByForbid(run: JobRun): boolean {
    const job = this.book.jobs.get(run.jobName);
    return (
      job !== undefined &&
      !job.concurrent &&
      this.book.activeRuns(run.jobName).some((r) => r !== run && r.status !== "INITIAL")
    );
  }

  /**
   * Runs whose next attempt may launch by `horizon` (those still being written included), highest
   * priority and oldest first; of a FORBID job only the first, since two of its runs never launch
   * in the same round.
   */
  private waiting(horizon: number): JobRun[] {
    const out: JobRun[] = [];
    for (const run of this.book.allActive()) {
      if (run.status !== "INITIAL" || ChronosRuntime.readyAt(run) > horizon) continue;
      if (!this.book.jobs.has(run.jobName) || this.heldByForbid(run)) continue;
      if (this.unconfirmed.has(run.attempts[run.attempts.length - 1]?.taskId ?? "")) continue;
      out.push(run);
    }
    out.sort(
      (a, b) =>
        Number(this.book.jobs.get(b.jobName)?.highPriority) -
          Number(this.book.jobs.get(a.jobName)?.highPriority) || a.createdAt.localeCompare(b.createdAt),
    );
    const forbidding = new Set<string>();
    return out.filter((run) => {
      if (this.book.jobs.get(run.jobName)!.concurrent) return true;
      if (forbidding.has(run.jobName)) return false;
      forbidding.add(run.jobName);
      return true;
    });
  }

  /**
   * The earliest time a run will want offers: now for runs being written or awaiting the master's
   * word on an earlier launch, the slot or retry time of waiting ones, the next due slot of every
   * job. Runs held by FORBID wait for an end nobody can foretell and do not count.
   */
  private nextWant(now: number): number {
    let at = Number.POSITIVE_INFINITY;
    for (const due of this.nextDue.values()) if (due < at) at = due;
    for (const run of this.book.allActive()) {
      if (run.status !== "INITIAL" || !this.book.jobs.has(run.jobName) || this.heldByForbid(run)) continue;
      const pending =
        this.unsaved.has(run.id) || this.unconfirmed.has(run.attempts[run.attempts.length - 1]?.taskId ?? "");
      at = Math.min(at, pending ? now : ChronosRuntime.readyAt(run));
    }
    return at;
  }

  /**
   * Revives when a run waits or will within `prepareAheadMs` (which also clears the long decline
   * filters set while none did), so offers are at hand when its slot comes; suppresses when none
   * does, so an idle Chronos holds no offers.
   */
  private offerDemand(): void {
    const scheduler = this.scheduler;
    const now = this.clock.now();
    const wanted = this.nextWant(now) <= now + this.aheadMs(now);
    if (!scheduler || wanted === this.wantsOffers) return;
    this.wantsOffers = wanted;
    (wanted ? scheduler.revive() : scheduler.suppress()).catch((err: unknown) =>
      this.logger.warn({ err }, wanted ? "revive failed" : "suppress failed"),
    );
  }

  private onOffers(offers: Offer[]): void {
    for (const offer of offers) this.held.set(offer.id, offer);
    this.place();
  }

  /**
   * Launches what may launch on the offers at hand; keeps the rest for runs due within
   * `prepareAheadMs`, or declines them. Placement (a checked TaskInfo per task) is the costly part,
   * so it is planned for every run due within `prepareAheadMs` as soon as offers are at hand, and at
   * the slot the plan is only sent. Launches go out before their records are written: task ids name
   * their run and slot, and a new leader asks the master about every attempt it finds unlaunched
   * (see `unconfirmed`), so a slot still launches at most once.
   */
  private place(now = this.clock.now()): void {
    const scheduler = this.scheduler;
    if (!scheduler || this.held.size === 0) return;
    const soonBy = now + this.aheadMs(now);
    const plan = this.currentPlan(this.waiting(soonBy));
    const ready = (run: JobRun) => !this.unsaved.has(run.id) && ChronosRuntime.readyAt(run) <= now;
    const sent: Launch[] = [];
    for (const launch of plan.launches) {
      const tasks = launch.tasks.filter((t) => ready(plan.runs.get(t.taskId)!.run));
      if (tasks.length > 0) sent.push({ offer: launch.offer, tasks });
    }
    const at = new Date(this.clock.now()).toISOString();
    for (const { offer, tasks } of sent) {
      this.held.delete(offer.id);
      for (const t of tasks) {
        const run = plan.runs.get(t.taskId)!.run;
        const attempt = run.attempts[run.attempts.length - 1]!;
        Object.assign(attempt, { agentId: offer.agentId, host: offer.hostname, launchedAt: at });
        run.status = "STARTING";
        delete run.retryAt;
      }
    }
    if (sent.length > 0) this.plan = undefined;
    const soon = this.nextWant(now) <= soonBy;
    for (const { offer, tasks } of sent) {
      // What an accept leaves over comes straight back (no filter) while more runs are due soon.
      scheduler.launch(offer, tasks, soon ? { refuseSeconds: 0 } : undefined).catch((err: unknown) => {
        this.logger.warn({ err, agentId: offer.agentId }, "launch failed; the tasks' states are asked for");
        this.unsure(tasks.map((t) => t.taskId));
      });
    }
    for (const { tasks } of sent)
      for (const t of tasks) void this.repo.updateRun(plan.runs.get(t.taskId)!.run);
    if (sent.length > 0) this.requestPass();
    const planned = new Set(plan.launches.map((l) => l.offer.id));
    const unused = [...this.held.values()].filter((o) => !planned.has(o.id));
    const unplacedNow = plan.unplaced.some((run) => ready(run));
    if (unused.length === 0 || (soon && !unplacedNow)) return;
    for (const offer of unused) this.held.delete(offer.id);
    this.plan = undefined;
    // Runs that these offers do not fit ask again shortly; with nothing due soon a long refusal,
    // which the revive of the next run that wants offers lifts.
    if (!soon) this.wantsOffers = undefined;
    scheduler
      .decline(
        unused.map((o) => o.id),
        { refuseSeconds: soon ? 1 : (this.opts.declineOfferSeconds ?? 120) },
      )
      .catch((err: unknown) => this.logger.warn({ err }, "decline failed"));
    if (!soon) this.requestPass();
  }

  /**
   * The placement of `runs` on the held offers: the last one while neither the offers, nor the runs'
   * attempts, nor their jobs' definitions changed (a job's JSON is replaced, never mutated).
   */
  private currentPlan(runs: readonly JobRun[]): LaunchPlan {
    const key = `${[...this.held.keys()].join(",")}|${runs.map((r) => r.attempts[r.attempts.length - 1]!.taskId).join(",")}`;
    const last = this.plan;
    if (
      last?.key === key &&
      [...last.runs.values()].every(({ run, job }) => this.book.jobs.get(run.jobName) === job)
    )
      return last;
    const byTask = new Map<string, { run: JobRun; job: JobDefinition }>();
    const pending: PendingLaunch[] = [];
    for (const run of runs) {
      const job = this.book.jobs.get(run.jobName)!;
      const withDefaults = applyResourceDefaults(job, this.defaults);
      const attempt = run.attempts[run.attempts.length - 1]!;
      pending.push({ job: withDefaults, spec: taskSpecOf(withDefaults, run, attempt.attempt) });
      byTask.set(attempt.taskId, { run, job });
    }
    const { launches, placed } = placeLaunches([...this.held.values()], pending);
    const isPlaced = new Set(placed);
    const unplaced = runs.filter((r) => !isPlaced.has(r.attempts[r.attempts.length - 1]!.taskId));
    const runsPlaced = new Map([...byTask].filter(([taskId]) => isPlaced.has(taskId)));
    this.plan = { key, launches, runs: runsPlaced, unplaced };
    return this.plan;
  }

  /** Attempts whose launch may or may not have reached the master: asked for, not launched meanwhile. */
  private unsure(taskIds: readonly string[]): void {
    for (const id of taskIds) this.unconfirmed.add(id);
    this.scheduler
      ?.reconcile(taskIds.map((taskId) => ({ taskId: taskId as TaskId })))
      .catch((err: unknown) => this.logger.warn({ err }, "reconcile failed"));
  }

  private async onStatus(status: TaskStatus): Promise<void> {
    const run = this.book.runOfTask(status.taskId);
    if (!run) {
      // A task of a deleted job (or from before a lost write): nobody wants it any more.
      if (phaseOf(status.state) === "running" || phaseOf(status.state) === "launched")
        await this.scheduler?.kill(status.taskId, status.agentId).catch(() => {});
      return;
    }
    const attempt = run.attempts.find((a) => a.taskId === status.taskId);
    if (!attempt || run.status === "SUCCESS" || run.status === "FAILED") return;
    const at = new Date(this.clock.now()).toISOString();
    if (this.unconfirmed.delete(status.taskId)) {
      if (status.state === "TASK_UNKNOWN") {
        // The master never saw this launch: the attempt may go (again), as if never sent.
        for (const k of ["agentId", "host", "launchedAt", "state"] as const) delete attempt[k];
        if (run.status === "STARTING") run.status = "INITIAL";
        void this.repo.updateRun(run);
        this.requestPass();
        return;
      }
      // It did launch (under the last leader, or before its call failed): it is followed from here.
      attempt.launchedAt ??= at;
      if (run.status === "INITIAL") run.status = "STARTING";
    }
    attempt.state = status.state;
    if (status.agentId) attempt.agentId = status.agentId;
    const phase = phaseOf(status.state);
    if (phase === "running" && !attempt.startedAt) {
      attempt.startedAt = at;
      run.status = "ACTIVE";
      this.emit("run_started", run.jobName, run);
      // Its maxCompletionTime counts from now: the timer must know.
      this.requestPass();
    }
    if (phase === "succeeded" || phase === "failed") {
      attempt.finishedAt = at;
      attempt.startedAt ??= attempt.launchedAt ?? at;
      if (status.containerStatus?.exitCode !== undefined) attempt.exitCode = status.containerStatus.exitCode;
      if (status.message) attempt.message = status.message;
      if (phase === "succeeded") await this.finishRun(run, "SUCCESS");
      else await this.attemptFailed(run, attempt.attempt);
      return;
    }
    // Not awaited: an update is acknowledged before a non-final state is stored (the agent stops
    // resending it). A leader that dies first reconciles the attempt and hears its state again.
    void this.repo.updateRun(run);
  }

  private async attemptFailed(run: JobRun, attemptNo: number): Promise<void> {
    const job = this.book.jobs.get(run.jobName);
    if (
      job &&
      shouldRetry({ attempt: attemptNo, retries: job.retries, stopped: run.stopped !== undefined })
    ) {
      const retryAt = this.clock.now() + (this.opts.failureRetryMs ?? 60_000);
      run.attempts.push({ attempt: attemptNo + 1, taskId: taskIdOf(run, attemptNo + 1) });
      this.book.indexTask(taskIdOf(run, attemptNo + 1), run);
      run.status = "INITIAL";
      run.retryAt = new Date(retryAt).toISOString();
      this.emit("run_retry", run.jobName, run);
      await this.repo.updateRun(run);
      this.requestPass();
      return;
    }
    const last = run.attempts[run.attempts.length - 1];
    run.message =
      run.stopped === "maxCompletionTime"
        ? `killed: ran longer than maxCompletionTime (${job?.maxCompletionTime ?? 0} s)`
        : run.stopped
          ? `stopped (${run.stopped})`
          : (last?.message ?? last?.state ?? "failed");
    await this.finishRun(run, "FAILED");
  }

  private async finishRun(run: JobRun, outcome: "SUCCESS" | "FAILED"): Promise<void> {
    const now = new Date(this.clock.now());
    run.status = outcome;
    run.finishedAt = now.toISOString();
    delete run.retryAt;
    const evicted = this.book.finish(run);
    const job = this.book.jobs.get(run.jobName);
    if (!job) return;
    const state = this.book.state(run.jobName);
    const stats = outcome === "SUCCESS" ? countSuccess(state.stats, now) : countFailure(state.stats, now);
    this.book.setState(run.jobName, {
      ...state,
      stats,
      lastOutcome: outcome === "SUCCESS" ? "success" : "failure",
    });
    const disableAfter = this.opts.disableAfterFailures ?? 0;
    const disable = outcome === "FAILED" && disableAfter > 0 && stats.errorsSinceLastSuccess >= disableAfter;
    if (disable) {
      this.book.setJob({ ...job, disabled: true });
      this.refreshDue(job.name);
      this.logger.warn(
        { job: job.name, errors: stats.errorsSinceLastSuccess },
        "job disabled after failures",
      );
    }
    // The children learn of this outcome in the same turn as the counters, so nobody reading the
    // API sees the parent's success without the child's note of it.
    const fired =
      outcome === "SUCCESS" || job.softError ? this.noteParentDone(run.jobName) : { writes: [], ready: [] };
    await Promise.all([
      this.repo.updateRun(run),
      this.repo.saveState(run.jobName, this.book.state(run.jobName)),
      disable ? this.repo.saveJob(this.book.jobs.get(job.name)!) : undefined,
      ...evicted.map((id) => this.repo.forgetRun(run.jobName, id)),
      ...fired.writes,
    ]);
    this.emit(outcome === "SUCCESS" ? "run_succeeded" : "run_failed", run.jobName, run);
    await this.runChildren(fired.ready);
    this.requestPass();
  }

  /**
   * Counts `parent` as done for each of its children, in memory at once; returns the state writes
   * and the children whose every parent is now done (their note is cleared for the next round).
   */
  private noteParentDone(parent: string): { writes: Promise<void>[]; ready: JobDefinition[] } {
    const writes: Promise<void>[] = [];
    const ready: JobDefinition[] = [];
    for (const child of childrenOf(parent, this.book.jobs)) {
      const state = this.book.state(child.name);
      const done = new Set([...state.parentsDone, parent]);
      const complete = (child.parents ?? []).every((p) => done.has(p));
      this.book.setState(child.name, { ...state, parentsDone: complete ? [] : [...done].sort() });
      writes.push(this.repo.saveState(child.name, this.book.state(child.name)));
      if (complete) ready.push(child);
    }
    return { writes, ready };
  }

  private async runChildren(children: readonly JobDefinition[]): Promise<void> {
    for (const child of children) {
      if (child.disabled) continue;
      const waiting = this.book.activeRuns(child.name).some((r) => r.status === "INITIAL");
      if (waiting && !child.concurrent) continue;
      await this.createRun(child.name, "dependency", {});
    }
  }

  // ── kills ───────────────────────────────────────────────────────────────────────────────────

  /** Stops a run: its launched task is killed (no retry follows), an unlaunched run just fails. */
  private halt(run: JobRun, reason: NonNullable<JobRun["stopped"]>): void {
    run.stopped ??= reason;
    const attempt = run.attempts[run.attempts.length - 1];
    if (!attempt?.launchedAt || attempt.finishedAt) {
      // An attempt a former leader may have launched unrecorded is killed in case it did.
      if (attempt && this.unconfirmed.delete(attempt.taskId))
        this.scheduler?.kill(attempt.taskId as TaskId).catch(() => {});
      void this.attemptFailed(run, attempt?.attempt ?? 0);
      return;
    }
    this.sendKill(run);
  }

  private sendKill(run: JobRun): void {
    const attempt = run.attempts[run.attempts.length - 1];
    if (!attempt) return;
    attempt.killSentAt = new Date(this.clock.now()).toISOString();
    void this.repo.updateRun(run);
    this.scheduler
      ?.kill(attempt.taskId as TaskId, attempt.agentId as AgentId | undefined)
      .catch((err: unknown) => this.logger.warn({ err, taskId: attempt.taskId }, "kill failed"));
  }

  /** Kills attempts that ran longer than their job's `maxCompletionTime`; the run fails without retry. */
  private killOverruns(now: number): void {
    for (const run of this.book.allActive()) {
      const job = this.book.jobs.get(run.jobName);
      const attempt = run.attempts[run.attempts.length - 1];
      if (!job || job.maxCompletionTime <= 0 || !attempt?.launchedAt || run.stopped) continue;
      const since = Date.parse(attempt.startedAt ?? attempt.launchedAt);
      if (now - since >= job.maxCompletionTime * 1000) this.halt(run, "maxCompletionTime");
    }
  }

  private resendKills(now: number): void {
    const retryMs = this.opts.killRetryMs ?? 10_000;
    for (const run of this.book.allActive()) {
      const attempt = run.attempts[run.attempts.length - 1];
      if (run.stopped && attempt?.killSentAt && now - Date.parse(attempt.killSentAt) >= retryMs)
        this.sendKill(run);
    }
  }

  /**
   * Sleeps until the next slot to prepare (`prepareAheadMs` before it), the next waiting run to
   * revive for or to launch, overrun or kill retry, at most `MAX_SLEEP_MS`.
   */
  private armTimer(now: number): void {
    let wake = now + MAX_SLEEP_MS;
    const ahead = this.aheadMs(now);
    for (const due of this.nextDue.values()) if (due - ahead < wake) wake = due - ahead;
    for (const run of this.book.allActive()) {
      const ready = run.status === "INITIAL" ? ChronosRuntime.readyAt(run) : 0;
      if (ready > now) wake = Math.min(wake, ready - ahead > now ? ready - ahead : ready);
      const job = this.book.jobs.get(run.jobName);
      const attempt = run.attempts[run.attempts.length - 1];
      if (job && job.maxCompletionTime > 0 && attempt?.launchedAt && !run.stopped)
        wake = Math.min(
          wake,
          Date.parse(attempt.startedAt ?? attempt.launchedAt) + job.maxCompletionTime * 1000,
        );
      if (run.stopped && attempt?.killSentAt)
        wake = Math.min(wake, Date.parse(attempt.killSentAt) + (this.opts.killRetryMs ?? 10_000));
    }
    if (this.timer && wake >= this.timerDue) return;
    if (this.timer) this.clock.clear(this.timer);
    this.timerDue = wake;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.timerDue = Number.POSITIVE_INFINITY;
        this.requestPass();
      },
      Math.max(0, wake - now),
    );
  }

  private emit(type: ChronosEventType, jobName: string, run?: JobRun, slot?: string): void {
    const event: ChronosEvent = {
      type,
      timestamp: new Date(this.clock.now()).toISOString(),
      jobName,
      ...(run ? { run: structuredClone(run) } : {}),
      ...(slot ? { slot } : {}),
    };
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.logger.error({ err }, "event listener failed");
      }
    }
  }
}
