import { mesosResources, type Resource } from "@agora/protocol";
import type { FastifyInstance } from "fastify";
import type { Master } from "../master.js";
import type { MasterView } from "../view.js";

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
  const total: Resource[] = [];
  const used: Resource[] = [];
  const offered: Resource[] = [];
  for (const a of view.agents.values()) {
    if (!a.active) continue;
    total.push(...a.resources.total);
    used.push(...a.resources.used);
    offered.push(...a.resources.offered);
  }
  return { t: view.now, total: scalars(total), allocated: scalars(used), offered: scalars(offered) };
}

function scalars(resources: readonly Resource[]): Scalars {
  const m = mesosResources(resources);
  return { cpus: num(m.cpus), mem: num(m.mem), disk: num(m.disk), gpus: num(m.gpus) };
}

const num = (v: unknown) => (typeof v === "number" ? v : 0);

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

export interface UsageRoutesOptions {
  master: Master;
  /** Time between samples (ms, default 10 s). */
  intervalMs?: number;
  /** Samples kept (default: an hour's worth). */
  capacity?: number;
}

/**
 * `GET /master/usage`: the last hour of cluster usage, sampled every 10 s by the leading master,
 * so the dashboard's charts are full on first load: `{intervalMs, samples, current}`.
 */
export async function usageRoutes(app: FastifyInstance, options: UsageRoutesOptions): Promise<void> {
  const { master } = options;
  const intervalMs = options.intervalMs ?? 10_000;
  const history = new UsageHistory(options.capacity ?? Math.ceil(3_600_000 / intervalMs));
  const sample = () => {
    if (master.isLeader) history.push(usageSample(master.snapshot()));
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));

  app.get("/master/usage", async () => ({
    intervalMs,
    samples: history.values(),
    current: usageSample(master.snapshot()),
  }));
}
