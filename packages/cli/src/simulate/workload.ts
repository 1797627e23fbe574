import type { FrameworkSpec } from "./options.js";

/**
 * The labels a simulated task carries: the simulated agents' executor reads its run time and its
 * outcome from them, so the workload (decided here, seeded) is the only source of randomness.
 */
export const SIM_LABELS = { runMs: "agora.simulate/run-ms", fail: "agora.simulate/fail" } as const;

/** One task the simulator will launch. */
export interface PlannedTask {
  readonly taskId: string;
  readonly runMs: number;
  readonly fail: boolean;
}

export interface PlannedFramework {
  readonly spec: FrameworkSpec;
  readonly tasks: readonly PlannedTask[];
}

export interface WorkloadInput {
  tasks: number;
  frameworks: readonly FrameworkSpec[];
  /** Mean run time in ms (exponentially distributed, capped at 10× the mean). */
  taskRunTimeMs: number;
  failureRate: number;
  seed: number;
}

/** mulberry32: a small, fast PRNG with a 32-bit state; deterministic from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Splits `tasks` over the frameworks by their shares (the remainder to the first ones) and draws
 * each task's run time and outcome. Pure and deterministic: the same input gives the same plan.
 */
export function planWorkload(input: WorkloadInput): PlannedFramework[] {
  const random = prng(input.seed);
  const totalShare = input.frameworks.reduce((s, f) => s + f.share, 0);
  const counts = input.frameworks.map((f) => Math.floor((input.tasks * f.share) / totalShare));
  let left = input.tasks - counts.reduce((s, n) => s + n, 0);
  for (let i = 0; left > 0; i = (i + 1) % counts.length, left--) counts[i]! += 1;
  return input.frameworks.map((spec, f) => {
    const tasks: PlannedTask[] = [];
    for (let i = 0; i < counts[f]!; i++) {
      const runMs =
        input.taskRunTimeMs === 0
          ? 0
          : Math.round(Math.min(10, -Math.log(1 - random())) * input.taskRunTimeMs);
      tasks.push({ taskId: `${spec.name}-${i}`, runMs, fail: random() < input.failureRate });
    }
    return { spec, tasks };
  });
}

/**
 * Which agents (indices 0…agents-1) churn: a seeded sample of `fraction × agents`, sorted.
 * A Fisher-Yates prefix, so the choice does not depend on anything but the seed.
 */
export function planChurn(agents: number, fraction: number, seed: number): number[] {
  const n = Math.round(agents * fraction);
  const random = prng(seed ^ 0x5eed);
  const order = Array.from({ length: agents }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (agents - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, n).sort((a, b) => a - b);
}

/** Which worker hosts agent `index`, and its index there: agents are dealt out in contiguous blocks. */
export function workerOf(index: number, agentsPerWorker: number): { worker: number; local: number } {
  return { worker: Math.floor(index / agentsPerWorker), local: index % agentsPerWorker };
}

/** How many agents each worker hosts. */
export function workerSizes(agents: number, agentsPerWorker: number): number[] {
  const sizes: number[] = [];
  for (let left = agents; left > 0; left -= agentsPerWorker) sizes.push(Math.min(left, agentsPerWorker));
  return sizes;
}
