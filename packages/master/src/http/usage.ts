import { type AgentId, type Resource, roundScalar } from "@agora/protocol";
import type { AgentEntryView, MasterView } from "../view.js";

/** The scalar resources the dashboard charts. */
export interface Scalars {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
}

/** The cluster's resources at one moment: on active agents, used by tasks, in outstanding offers. */
export interface UsageSample {
  /** Clock time (ms). */
  readonly t: number;
  readonly total: Scalars;
  readonly allocated: Scalars;
  readonly offered: Scalars;
}

/** Sums the cluster's scalar resources now, as `/master/state` would report them. */
export function usageSample(view: MasterView): UsageSample {
  const total = zero();
  const allocated = zero();
  const offered = zero();
  for (const a of view.agents.values()) {
    if (!a.active) continue;
    addScalars(total, a.resources.total);
    addScalars(allocated, a.resources.used);
    addScalars(offered, a.resources.offered);
  }
  return { t: view.now, total: rounded(total), allocated: rounded(allocated), offered: rounded(offered) };
}

/**
 * The charted scalars of a resource list, rounded as Mesos' JSON rounds them. Summed by hand: through
 * `mesosResources` (maps of every kind of resource) sampling 10,000 agents every 10 s took ~4 % of a
 * master's CPU during a 100,000-task launch burst.
 */
export function scalars(resources: readonly Resource[]): Scalars {
  const out = zero();
  addScalars(out, resources);
  return rounded(out);
}

function zero(): Scalars {
  return { cpus: 0, mem: 0, disk: 0, gpus: 0 };
}

function addScalars(into: Scalars, resources: readonly Resource[]): void {
  // A store per named field, not `into[r.name]`: that keyed store was most of a 10,000-agent sample.
  for (const r of resources) {
    if (!("scalar" in r)) continue;
    if (r.name === "cpus") into.cpus += r.scalar;
    else if (r.name === "mem") into.mem += r.scalar;
    else if (r.name === "disk") into.disk += r.scalar;
    else if (r.name === "gpus") into.gpus += r.scalar;
  }
}

function rounded(s: Scalars): Scalars {
  return {
    cpus: roundScalar(s.cpus),
    mem: roundScalar(s.mem),
    disk: roundScalar(s.disk),
    gpus: roundScalar(s.gpus),
  };
}

/** A bounded ring of samples, oldest first. */
export class UsageHistory {
  private readonly samples: UsageSample[] = [];
  private start = 0;

  constructor(readonly capacity: number) {}

  push(sample: UsageSample): void {
    if (this.samples.length < this.capacity) this.samples.push(sample);
    else {
      this.samples[this.start] = sample;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  values(): UsageSample[] {
    return [...this.samples.slice(this.start), ...this.samples.slice(0, this.start)];
  }
}

/** One agent's resources now: its total, what its tasks use and what is in outstanding offers. */
export function agentUsageSample(agent: AgentEntryView, t: number): UsageSample {
  return {
    t,
    total: scalars(agent.resources.total),
    allocated: scalars(agent.resources.used),
    offered: scalars(agent.resources.offered),
  };
}

/**
 * Every agent's usage over the last `windowMs`, kept as a step function: a sample is stored only
 * when it differs from that agent's previous one, so a steady agent costs one entry however long it
 * runs, and a busy one at most one per sampling interval (≤ window / interval + 1 entries). An agent
 * that leaves the registry leaves with its history. The first sample kept may be older than the
 * window: it is the value that still held when the window began.
 */
export class AgentUsageHistory {
  private readonly byAgent = new Map<string, UsageSample[]>();

  constructor(readonly windowMs: number) {}

  /** Records `view`'s agents at `view.now`. */
  record(view: MasterView): void {
    for (const id of this.byAgent.keys()) if (!view.agents.has(id as AgentId)) this.byAgent.delete(id);
    for (const agent of view.agents.values()) this.push(agent.id, agentUsageSample(agent, view.now));
  }

  push(agentId: string, sample: UsageSample): void {
    let list = this.byAgent.get(agentId);
    if (!list) {
      list = [];
      this.byAgent.set(agentId, list);
    }
    const last = list.at(-1);
    if (!last || !sameUsage(last, sample)) list.push(sample);
    // Drop what is older than the window, except the newest of those (it held at the window's start).
    const start = sample.t - this.windowMs;
    let old = 0;
    while (old + 1 < list.length && list[old + 1]!.t <= start) old++;
    if (old > 0) list.splice(0, old);
  }

  /** The agent's step samples, oldest first; undefined for an agent never recorded. */
  samples(agentId: string): readonly UsageSample[] | undefined {
    return this.byAgent.get(agentId);
  }
}

function sameUsage(a: UsageSample, b: UsageSample): boolean {
  return (
    sameScalars(a.total, b.total) &&
    sameScalars(a.allocated, b.allocated) &&
    sameScalars(a.offered, b.offered)
  );
}

function sameScalars(a: Scalars, b: Scalars): boolean {
  return a.cpus === b.cpus && a.mem === b.mem && a.disk === b.disk && a.gpus === b.gpus;
}
