import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  type AllocationSnapshot,
  type AllocatorAgent,
  type AllocatorFramework,
  DeclineFilterIndex,
  DrfAllocator,
} from "@agora/master/internal";
import { type AgentId, type FrameworkId, parseResources } from "@agora/protocol";
import { machine } from "./machine.js";
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
 * times are the warm cycles that follow. ALLOCATOR_SIZES ("1000x100,10000x1000") and
 * ALLOCATOR_CYCLES (default 5) tune it.
 */
const sizes = (process.env.ALLOCATOR_SIZES ?? "1000x100,10000x1000,20000x2000")
  .split(",")
  .map((s) => s.split("x").map(Number) as [number, number]);
const cycles = Number(process.env.ALLOCATOR_CYCLES ?? 5);
const ROLES = 10;

interface CycleResult {
  agents: number;
  frameworks: number;
  case: "fresh" | "declined" | "all-filtered";
  filters: number;
  indexMs: number;
  cycleP50Ms: number;
  cycleMaxMs: number;
  offers: number;
  offersPerSecond: number;
  /** Cycle time per (agent × framework) pair, the quantity growth is measured against. */
  nsPerPair: number;
}

function cluster(
  agentCount: number,
  frameworkCount: number,
): { agents: AllocatorAgent[]; frameworks: AllocatorFramework[] } {
  const resources = parseResources("cpus:16;mem:65536;disk:1000000;ports:[31000-32000]");
  const agents = Array.from({ length: agentCount }, (_, i) => ({
    id: `agent-${i}` as AgentId,
    total: resources,
    available: resources,
  }));
  // Half the roles are nested, so the role sorter works on a real tree.
  const roleOf = (i: number) => (i % 2 === 0 ? `role${i % ROLES}` : `eng/role${i % ROLES}`);
  const frameworks = Array.from({ length: frameworkCount }, (_, i) => ({
    id: `framework-${i}` as FrameworkId,
    roles: [roleOf(i)],
    suppressedRoles: new Set<string>(),
    allocated: new Map(),
  }));
  return { agents, frameworks };
}

function measure(
  snapshot: AllocationSnapshot,
  result: Omit<
    CycleResult,
    "indexMs" | "cycleP50Ms" | "cycleMaxMs" | "offers" | "offersPerSecond" | "nsPerPair"
  >,
): CycleResult {
  const allocator = new DrfAllocator();
  const first = performance.now();
  const offers = allocator.allocate(snapshot).length;
  const indexMs = performance.now() - first;
  const samples: number[] = [];
  for (let c = 0; c < cycles; c++) {
    const started = performance.now();
    allocator.allocate(snapshot);
    samples.push(performance.now() - started);
  }
  const s = summarize(samples);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    ...result,
    indexMs: round(Math.max(0, indexMs - s.p50Ms)),
    cycleP50Ms: round(s.p50Ms),
    cycleMaxMs: round(s.maxMs),
    offers,
    offersPerSecond: Math.round(offers / (s.p50Ms / 1000)),
    nsPerPair: round((s.p50Ms * 1e6) / (result.agents * result.frameworks)),
  };
}

function runSize(agentCount: number, frameworkCount: number): CycleResult[] {
  const { agents, frameworks } = cluster(agentCount, frameworkCount);
  const weights = new Map([["eng", 2]]);
  const base = { agents: agentCount, frameworks: frameworkCount };
  // The master seeds every cycle, so each cycle pays for shuffling its agents: measured here too.
  const seed = 1;
  const out: CycleResult[] = [];
  out.push(measure({ now: 0, seed, agents, frameworks, weights }, { ...base, case: "fresh", filters: 0 }));

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

/** Writes bench/results/allocator.json and returns its Markdown table. */
export default async function allocatorBench(): Promise<string> {
  const results: CycleResult[] = [];
  for (const [a, f] of sizes) {
    for (const r of runSize(a, f)) {
      process.stderr.write(
        `${r.agents}×${r.frameworks} ${r.case}: ${r.cycleP50Ms} ms/cycle, ${r.offers} offers, index ${r.indexMs} ms\n`,
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
      `| ${r.agents} | ${r.frameworks} | ${r.case} | ${r.filters} | ${r.cycleP50Ms} | ${r.cycleMaxMs} | ${r.offers} | ${r.offersPerSecond} | ${r.nsPerPair} | ${r.indexMs} |`,
  );
  return [
    "| agents | frameworks | case | filters | cycle p50 ms | cycle max ms | offers | offers/s | ns per agent×framework | index ms (once) |",
    "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
}
