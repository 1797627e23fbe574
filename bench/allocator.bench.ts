import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  type AllocationSnapshot,
  type AllocatorAgent,
  type AllocatorFramework,
  cycleSnapshot,
  DeclineFilterIndex,
  DrfAllocator,
  MasterState,
  type OfferPlan,
} from "@agora/master/internal";
import {
  type AgentId,
  type FrameworkId,
  type Offer,
  type OfferId,
  parseResources,
  type Resource,
  TaskStatus,
} from "@agora/protocol";
import { machine } from "./machine.js";
import { addAgent, addFramework, addRunningTask } from "./master-books.js";
import { summarize } from "./stats.js";

/**
 * One allocation cycle of the hierarchical DRF allocator, pure (no bus, no master), at the sizes of
 * Mesos' allocator benchmarks. Three cases per size:
 * - `fresh`: no filters; every agent is offered (to the framework furthest behind).
 * - `declined`: every framework has a live decline filter on every agent except one (a different
 *   one per agent), so every agent is still offered, past F−1 filtered frameworks: the "every
 *   framework declines" steady state.
 * - `all-filtered`: every framework has declined every agent (A × F filters); nothing is offered.
 * The first cycle after filters are added evaluates each new filter once (`index ms`); the cycle
 * times are the warm cycles that follow. Then the same with quota set (`quota fresh`, `quota
 * declined`): guarantees on three of the ten roles, about 30 % of the cluster, and a limit on a
 * fourth, so every cycle takes the two-stage path.
 * Then the master's own path: its books (`MasterState`, with ten running tasks per agent) snapshotted
 * by `cycleSnapshot` and allocated (`books`, `books quota`), the snapshot timed apart; and the cycle an
 * event runs (`event`, `event quota`): a task ends on one agent and the master allocates that agent,
 * counting the agents the cycle visited (it must be one; the run fails otherwise). Last, `event batch`:
 * a task ends on each of a fifth of the agents (a sustained run ends thousands a second) and one cycle
 * visits them all, as the master's coalesced cycle does, its offers booked into the books as
 * `makeOffers` books them (timed with the cycle); between cycles each offer is declined with a filter.
 * ALLOCATOR_SIZES ("1000x100,10000x1000") and ALLOCATOR_CYCLES (default 5) tune it; ALLOCATOR_CASES
 * ("event batch,books") runs only the groups of cases that hold one of those named.
 */
const sizes = (process.env.ALLOCATOR_SIZES ?? "1000x100,10000x1000,20000x2000")
  .split(",")
  .map((s) => s.split("x").map(Number) as [number, number]);
const cycles = Number(process.env.ALLOCATOR_CYCLES ?? 5);
const wantedCases = process.env.ALLOCATOR_CASES?.split(",");
const ROLES = 10;
const AGENT_RESOURCES = "cpus:16;mem:65536;disk:1000000;ports:[31000-32000]";
const TASKS_PER_AGENT = 10;
const TASK_RESOURCES = "cpus:1;mem:4096";

/** Whether a group of cases runs: one of them is among ALLOCATOR_CASES, or that is not set. */
function wanted(...group: Case[]): boolean {
  return wantedCases === undefined || group.some((c) => wantedCases.includes(c));
}

type Case =
  | "fresh"
  | "declined"
  | "all-filtered"
  | "quota fresh"
  | "quota declined"
  | "books"
  | "books quota"
  | "event"
  | "event quota"
  | "event batch";

interface CycleResult {
  agents: number;
  frameworks: number;
  case: Case;
  filters: number;
  /** Agents in the cycle's snapshot: all of them, or the one an event changed. */
  visited: number;
  /** Building the snapshot from the master's books (p50); null when the snapshot is made by hand. */
  snapshotP50Ms: number | null;
  /** Snapshot + allocate, p50 of their sums. */
  totalP50Ms: number;
  /**
   * The process's CPU time over snapshot + allocate (p50): on a shared machine this moves less with
   * the load than wall-clock time does.
   */
  cpuP50Ms: number;
  indexMs: number;
  cycleP50Ms: number;
  cycleMaxMs: number;
  offers: number;
  offersPerSecond: number;
  /** Cycle time per (agent × framework) pair, the quantity growth is measured against. */
  nsPerPair: number;
  /** CPU p50 per agent visited, in µs: what a cycle over changed agents costs per agent. */
  cpuUsPerVisit: number;
}

function cluster(
  agentCount: number,
  frameworkCount: number,
): { agents: AllocatorAgent[]; frameworks: AllocatorFramework[] } {
  const resources = parseResources(AGENT_RESOURCES);
  const agents = Array.from({ length: agentCount }, (_, i) => ({
    id: `agent-${i}` as AgentId,
    total: resources,
    available: resources,
  }));
  const frameworks = Array.from({ length: frameworkCount }, (_, i) => ({
    id: `framework-${i}` as FrameworkId,
    roles: [roleOf(i)],
    suppressedRoles: new Set<string>(),
    allocated: new Map(),
  }));
  return { agents, frameworks };
}

/** Half the roles are nested, so the role sorter works on a real tree. */
function roleOf(i: number): string {
  return i % 2 === 0 ? `role${i % ROLES}` : `eng/role${i % ROLES}`;
}

/**
 * Guarantees of 10 % of the cluster's cpus and mem on each of three roles (30 % in all) and a limit of
 * 5 % of its cpus on a fourth.
 */
function quotaSettings(agentCount: number): { role: string; guarantee: Resource[]; limit: Resource[] }[] {
  const share = (fraction: number, perAgent: number) => Math.round(agentCount * perAgent * fraction);
  const guarantee = parseResources(`cpus:${share(0.1, 16)};mem:${share(0.1, 65536)}`);
  return [
    { role: roleOf(0), guarantee, limit: [] },
    { role: roleOf(1), guarantee, limit: [] },
    { role: roleOf(2), guarantee, limit: [] },
    { role: roleOf(4), guarantee: [], limit: parseResources(`cpus:${share(0.05, 16)}`) },
  ];
}

/** The allocator's view of `quotaSettings` (what `allocatorQuotas` makes of the master's). */
function allocatorQuotas(agentCount: number): NonNullable<AllocationSnapshot["quotas"]> {
  const byName = (rs: readonly Resource[]) =>
    new Map(rs.flatMap((r) => ("scalar" in r ? [[r.name, r.scalar] as const] : [])));
  return new Map(
    quotaSettings(agentCount).map((q) => [
      q.role,
      { guarantee: byName(q.guarantee), limit: byName(q.limit) },
    ]),
  );
}

const round = (x: number) => Math.round(x * 10) / 10;

/** CPU time (user + system) the process used since `since`, in ms. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function measure(
  snapshot: AllocationSnapshot,
  result: Pick<CycleResult, "agents" | "frameworks" | "case" | "filters">,
): CycleResult {
  const allocator = new DrfAllocator();
  const first = performance.now();
  const offers = allocator.allocate(snapshot).length;
  const indexMs = performance.now() - first;
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let c = 0; c < cycles; c++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    allocator.allocate(snapshot);
    cpu.push(cpuMs(cpuStarted));
    samples.push(performance.now() - started);
  }
  const s = summarize(samples);
  return {
    ...result,
    visited: snapshot.agents.length,
    snapshotP50Ms: null,
    totalP50Ms: round(s.p50Ms),
    cpuP50Ms: round(summarize(cpu).p50Ms),
    indexMs: round(Math.max(0, indexMs - s.p50Ms)),
    cycleP50Ms: round(s.p50Ms),
    cycleMaxMs: round(s.maxMs),
    offers,
    offersPerSecond: Math.round(offers / (s.p50Ms / 1000)),
    nsPerPair: round((s.p50Ms * 1e6) / (result.agents * result.frameworks)),
    cpuUsPerVisit: round((summarize(cpu).p50Ms * 1000) / snapshot.agents.length),
  };
}

function runSize(agentCount: number, frameworkCount: number): CycleResult[] {
  const { agents, frameworks } = cluster(agentCount, frameworkCount);
  const weights = new Map([["eng", 2]]);
  const base = { agents: agentCount, frameworks: frameworkCount };
  // The master seeds every cycle, so each cycle pays for shuffling its agents: measured here too.
  const seed = 1;
  const quotas = allocatorQuotas(agentCount);
  const out: CycleResult[] = [];
  out.push(measure({ now: 0, seed, agents, frameworks, weights }, { ...base, case: "fresh", filters: 0 }));
  out.push(
    measure(
      { now: 0, seed, agents, frameworks, weights, quotas },
      { ...base, case: "quota fresh", filters: 0 },
    ),
  );

  const filters = new DeclineFilterIndex();
  for (let a = 0; a < agentCount; a++) {
    // One filter object per agent, shared by its frameworks: the index never mutates a filter.
    const filter = { refused: agents[a]!.available, expiresAt: Number.MAX_SAFE_INTEGER };
    const spared = (a * 7919) % frameworkCount;
    for (let f = 0; f < frameworkCount; f++)
      if (f !== spared) filters.add(frameworks[f]!.id, agents[a]!.id, filter);
  }
  out.push(
    measure(
      { now: 0, seed, agents, frameworks, weights, filters },
      { ...base, case: "declined", filters: filters.size },
    ),
  );
  out.push(
    measure(
      { now: 0, seed, agents, frameworks, weights, filters, quotas },
      { ...base, case: "quota declined", filters: filters.size },
    ),
  );
  for (let a = 0; a < agentCount; a++) {
    const spared = (a * 7919) % frameworkCount;
    filters.add(frameworks[spared]!.id, agents[a]!.id, {
      refused: agents[a]!.available,
      expiresAt: Number.MAX_SAFE_INTEGER,
    });
  }
  out.push(
    measure(
      { now: 0, seed, agents, frameworks, weights, filters },
      { ...base, case: "all-filtered", filters: filters.size },
    ),
  );
  return out;
}

/**
 * The master's books at this size: every agent registered, every framework subscribed (connected,
 * spread over the roles as in `cluster`), ten running tasks per agent.
 */
function books(agentCount: number, frameworkCount: number, withQuota: boolean): MasterState {
  const state = new MasterState({ maxCompletedFrameworks: 100, maxCompletedTasksPerFramework: 100 });
  state.weights.set("eng", 2);
  if (withQuota) for (const q of quotaSettings(agentCount)) state.quotas.set(q.role, q);
  const resources = parseResources(AGENT_RESOURCES);
  const frameworks = Array.from({ length: frameworkCount }, (_, i) =>
    addFramework(state, `framework-${i}`, `framework-${i}`, roleOf(i)),
  );
  const taskResources = parseResources(TASK_RESOURCES);
  for (let a = 0; a < agentCount; a++) {
    const id = `agent-${a}` as AgentId;
    addAgent(state, id, `agent-${a}.bench`, resources);
    for (let t = 0; t < TASKS_PER_AGENT; t++) {
      const framework = frameworks[(a * TASKS_PER_AGENT + t) % frameworkCount]!;
      addRunningTask(state, framework, `task-${a}-${t}`, id, taskResources);
    }
  }
  return state;
}

/** Each measured cycle's times, in ms. */
interface CycleSamples {
  readonly snapshots: number[];
  readonly allocations: number[];
  readonly totals: number[];
  readonly cpu: number[];
}

type TaskEntry = Parameters<MasterState["applyStatus"]>[0];

const noSamples = (): CycleSamples => ({ snapshots: [], allocations: [], totals: [], cpu: [] });

/**
 * One cycle as the master runs it: its snapshot of the books, then the allocator's cycle on it. Its
 * times go into `samples` unless it only warms up (the ledgers' cached `available`, as the master's
 * previous cycle would have).
 */
function timedCycle(
  allocator: DrfAllocator,
  takeSnapshot: () => AllocationSnapshot,
  samples: CycleSamples | undefined,
  commit?: (plans: readonly OfferPlan[]) => void,
): { snapshot: AllocationSnapshot; plans: OfferPlan[] } {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const snapshot = takeSnapshot();
  const snapped = performance.now();
  const plans = allocator.allocate(snapshot);
  const allocated = performance.now();
  commit?.(plans);
  const done = performance.now();
  const cpuUsed = cpuMs(cpuStarted);
  if (samples) {
    samples.snapshots.push(snapped - started);
    samples.allocations.push(allocated - snapped);
    samples.totals.push(done - started);
    samples.cpu.push(cpuUsed);
  }
  return { snapshot, plans };
}

/** Full cycles over the books: the snapshot the master takes, then the allocator's cycle on it. */
function measureBooks(
  state: MasterState,
  result: Pick<CycleResult, "agents" | "frameworks" | "case">,
): CycleResult {
  const allocator = new DrfAllocator();
  const samples = noSamples();
  let offers = 0;
  let visited = 0;
  for (let c = 0; c <= cycles; c++) {
    const { snapshot, plans } = timedCycle(
      allocator,
      () => cycleSnapshot(state, 0, c + 1),
      c > 0 ? samples : undefined,
    );
    offers = plans.length;
    visited = snapshot.agents.length;
  }
  return summarized(result, { filters: 0, visited, offers, ...samples });
}

/**
 * The cycle the master runs when a task ends: the task's resources go back to its agent, and that
 * agent alone is allocated (`runAllocation(ctx, allocator, {agent})`). Each sample ends a task on
 * another agent.
 */
function measureEvent(
  state: MasterState,
  result: Pick<CycleResult, "agents" | "frameworks" | "case">,
): CycleResult {
  const allocator = new DrfAllocator();
  const running = [...state.frameworks.values()].flatMap((f) => [...f.tasks.values()]);
  const samples = noSamples();
  let offers = 0;
  let visited = 0;
  const count = Math.max(cycles * 4, 20);
  for (let c = 0; c <= count; c++) {
    const task = running[(c * 7919) % running.length]!;
    const finished = TaskStatus.parse({
      taskId: task.task.taskId,
      state: "TASK_FINISHED",
      source: "SOURCE_AGENT",
      timestamp: 1,
    });
    state.applyStatus(task, finished);
    const only = new Set([task.agentId]);
    const { snapshot, plans } = timedCycle(
      allocator,
      () => cycleSnapshot(state, 0, c + 1, only),
      c > 0 ? samples : undefined,
    );
    if (snapshot.agents.length !== 1 || plans.some((p) => p.agentId !== task.agentId)) {
      throw new Error(
        `${result.case}: a task ended on ${task.agentId} and the cycle visited ${snapshot.agents.length} agents`,
      );
    }
    visited = Math.max(visited, snapshot.agents.length);
    offers = plans.length;
  }
  return summarized(result, { filters: 0, visited, offers, ...samples });
}

/** A fifth of the agents: in a sustained 10,000-agent run, a coalesced cycle visits about 2,000. */
const BATCH_SHARE = 0.2;
/** Cycles of `event batch` are this far apart on the clock: a filter (5 s) outlives a visit's return. */
const BATCH_STEP_MS = 500;

/**
 * Cycles over the agents a batch of task ends changed: a task ends on each of `BATCH_SHARE` of the
 * agents (a different fifth each cycle), those agents are allocated, and the offers are booked as
 * `makeOffers` books them (the commit is timed with the cycle). Before the next cycle each offer is
 * declined (resources back, a 5 s filter on them), so later visits meet the filters a run leaves.
 */
function measureEventBatch(
  state: MasterState,
  result: Pick<CycleResult, "agents" | "frameworks" | "case">,
): CycleResult {
  const allocator = new DrfAllocator();
  const running = new Map<AgentId, TaskEntry[]>();
  for (const agent of state.agents.values()) {
    running.set(
      agent.id,
      [...agent.tasks.values()].filter((t) => t.state === "TASK_RUNNING"),
    );
  }
  const agentIds = [...state.agents.keys()];
  const batch = Math.max(1, Math.round(agentIds.length * BATCH_SHARE));
  const samples = noSamples();
  let offers = 0;
  let visited = 0;
  let offerCount = 0;
  for (let c = 0; c <= cycles; c++) {
    const now = c * BATCH_STEP_MS;
    const only = new Set<AgentId>();
    for (let i = 0; i < batch; i++) {
      const id = agentIds[(c * batch + i) % agentIds.length]!;
      const task = running.get(id)?.pop();
      if (!task) continue;
      state.applyStatus(task, finishedStatus(task));
      only.add(id);
    }
    const booked: OfferId[] = [];
    const commit = (plans: readonly OfferPlan[]) => {
      for (const plan of plans) {
        const info = state.agents.get(plan.agentId)!.info;
        const offer: Offer = {
          id: `offer-${offerCount++}` as OfferId,
          frameworkId: plan.frameworkId,
          agentId: plan.agentId,
          hostname: info.hostname,
          role: plan.role,
          resources: plan.resources,
          attributes: info.attributes,
          capabilities: info.capabilities,
        };
        state.addOffer(offer, now);
        booked.push(offer.id);
      }
    };
    const { snapshot, plans } = timedCycle(
      allocator,
      () => cycleSnapshot(state, now, c + 1, only),
      c > 0 ? samples : undefined,
      commit,
    );
    for (const id of booked) {
      const { offer } = state.removeOffer(id)!;
      state.filters.add(offer.frameworkId, offer.agentId, {
        refused: offer.resources,
        expiresAt: now + 5000,
      });
    }
    visited = snapshot.agents.length;
    offers = plans.length;
  }
  return summarized(result, { filters: state.filters.size, visited, offers, ...samples });
}

function finishedStatus(task: TaskEntry): TaskStatus {
  return TaskStatus.parse({
    taskId: task.task.taskId,
    state: "TASK_FINISHED",
    source: "SOURCE_AGENT",
    timestamp: 1,
  });
}

function summarized(
  result: Pick<CycleResult, "agents" | "frameworks" | "case">,
  m: CycleSamples & { filters: number; visited: number; offers: number },
): CycleResult {
  const cycle = summarize(m.allocations);
  const cycleP50Ms = round(cycle.p50Ms);
  return {
    ...result,
    filters: m.filters,
    visited: m.visited,
    snapshotP50Ms: round(summarize(m.snapshots).p50Ms),
    totalP50Ms: round(summarize(m.totals).p50Ms),
    cpuP50Ms: round(summarize(m.cpu).p50Ms),
    indexMs: 0,
    cycleP50Ms,
    cycleMaxMs: round(cycle.maxMs),
    offers: m.offers,
    offersPerSecond: Math.round(m.offers / (cycle.p50Ms / 1000)),
    nsPerPair: round((cycle.p50Ms * 1e6) / (m.visited * result.frameworks)),
    cpuUsPerVisit: round((summarize(m.cpu).p50Ms * 1000) / m.visited),
  };
}

function runBooks(agentCount: number, frameworkCount: number): CycleResult[] {
  const out: CycleResult[] = [];
  const base = { agents: agentCount, frameworks: frameworkCount };
  for (const withQuota of [false, true]) {
    if (!(withQuota ? wanted("books quota", "event quota") : wanted("books", "event"))) continue;
    const state = books(agentCount, frameworkCount, withQuota);
    out.push(measureBooks(state, { ...base, case: withQuota ? "books quota" : "books" }));
    out.push(measureEvent(state, { ...base, case: withQuota ? "event quota" : "event" }));
  }
  if (wanted("event batch")) {
    const state = books(agentCount, frameworkCount, false);
    out.push(measureEventBatch(state, { ...base, case: "event batch" }));
  }
  return out;
}

/** Writes bench/results/allocator.json and returns its Markdown table. */
export default async function allocatorBench(): Promise<string> {
  const results: CycleResult[] = [];
  for (const [a, f] of sizes) {
    const snapshots = wanted("fresh", "quota fresh", "declined", "quota declined", "all-filtered");
    for (const r of [...(snapshots ? runSize(a, f) : []), ...runBooks(a, f)]) {
      process.stderr.write(
        `${r.agents}×${r.frameworks} ${r.case}: ${r.cycleP50Ms} ms/cycle (snapshot ${r.snapshotP50Ms ?? "-"} ms), ${r.visited} agents visited, CPU ${r.cpuP50Ms} ms (${r.cpuUsPerVisit} µs per agent visited), ${r.offers} offers, index ${r.indexMs} ms\n`,
      );
      results.push(r);
    }
  }
  const dir = path.join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "allocator.json"),
    `${JSON.stringify({ machine: machine(), cycles, results }, null, 2)}\n`,
  );
  const rows = results.map(
    (r) =>
      `| ${r.agents} | ${r.frameworks} | ${r.case} | ${r.filters} | ${r.cycleP50Ms} | ${r.cycleMaxMs} | ${r.offers} | ${r.offersPerSecond} | ${r.nsPerPair} | ${r.indexMs} | ${r.visited} | ${r.snapshotP50Ms ?? "—"} | ${r.totalP50Ms} | ${r.cpuP50Ms} | ${r.cpuUsPerVisit} |`,
  );
  return [
    "| agents | frameworks | case | filters | cycle p50 ms | cycle max ms | offers | offers/s | ns per agent×framework | index ms (once) | agents visited | snapshot p50 ms | snapshot + cycle p50 ms | CPU p50 ms | CPU µs per agent visited |",
    "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
}
