import { monitorEventLoopDelay } from "node:perf_hooks";
import type { TaskState } from "@agora/protocol";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Why an inbound message was dropped. */
export type InvalidMessageKind = "json" | "schema";

/** Scalar resources reported per name in metrics. */
export const METRIC_RESOURCES = ["cpus", "mem", "disk", "gpus"] as const;

/** A ledger column summed over agents. */
export type ResourceColumn = "total" | "used" | "offered";

/**
 * What the gauges read at scrape time. The master's books implement it (registry/metrics-source.ts);
 * metrics see these numbers only, never the registry itself, so this module sits below the registry.
 */
export interface MetricsSource {
  activeFilters(): number;
  roleShares(): Iterable<{ readonly name: string; readonly dominantShare: number }>;
  activeAgents(): number;
  unreachableAgents(): number;
  activeFrameworks(): number;
  /** The state of every task not yet terminal, one entry per task. */
  liveTaskStates(): Iterable<TaskState>;
  terminalCounts(): ReadonlyMap<TaskState, number>;
  outstandingOffers(): number;
  /** One scalar resource summed over agents, in one ledger column. */
  resourceSum(column: ResourceColumn, name: string): number;
}

/**
 * The master's metrics on its own prom-client registry (never the global one, so several masters
 * can live in one process and tests stay independent). Gauges read the registry state at scrape
 * time through a `MetricsSource`; counters and the histogram are fed by the master. Plain numbers are kept as well for
 * Mesos' `/metrics/snapshot`, which must answer synchronously.
 */
export class MasterMetrics {
  readonly registry = new Registry();
  private readonly invalidMessages: Counter<"subject" | "kind">;
  private readonly updatesRelayed: Counter;
  private readonly allocationRun: Histogram;
  private readonly offersMade: Counter<"role">;
  private readonly filtersAdded: Counter;
  private readonly messagesDropped: Counter<"reason" | "to" | "type">;
  private readonly stateRender: Histogram;
  /** Sampled every 10 ms while the master runs (`startLoopMonitor`). */
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private invalidTotal = 0;
  private relayedTotal = 0;
  private lastAllocationMs = 0;

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    this.invalidMessages = new Counter({
      name: "agora_master_invalid_messages_total",
      help: "Inbound bus messages dropped because they were not JSON or failed their schema",
      labelNames: ["subject", "kind"],
      registers,
    });
    this.updatesRelayed = new Counter({
      name: "agora_master_status_updates_relayed_total",
      help: "Agent status updates relayed to frameworks",
      registers,
    });
    this.allocationRun = new Histogram({
      name: "agora_master_allocation_run_seconds",
      help: "Time spent in one allocation cycle",
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.offersMade = new Counter({
      name: "agora_master_offers_made_total",
      help: "Offers the allocator made, by the role they were made for",
      labelNames: ["role"],
      registers,
    });
    this.filtersAdded = new Counter({
      name: "agora_master_offer_filters_added_total",
      help: "Decline filters installed (declines and the unused part of accepts)",
      registers,
    });
    this.messagesDropped = new Counter({
      name: "agora_master_messages_dropped_total",
      help: "Messages the master could not send: over the bus's max payload and unsplittable, or the publish failed",
      labelNames: ["reason", "to", "type"],
      registers,
    });
    this.stateRender = new Histogram({
      name: "agora_master_state_render_seconds",
      help: "Time one /master/state held the event loop to render its JSON and copy it into the reply",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    const loopDelay = this.loopDelay;
    new Gauge({
      name: "agora_master_event_loop_delay_seconds",
      help: "How late the event loop ran a 10 ms timer since the last scrape, by quantile (1: the worst): how long a request or a message could wait for the master's one thread",
      labelNames: ["quantile"],
      registers,
      collect() {
        const seen = loopDelay.count > 0;
        for (const q of [50, 90, 99])
          this.set({ quantile: String(q / 100) }, seen ? loopDelay.percentile(q) / 1e9 : 0);
        this.set({ quantile: "1" }, seen ? loopDelay.max / 1e9 : 0);
        loopDelay.reset();
      },
    });
    new Gauge({
      name: "agora_master_offer_filters_active",
      help: "Decline filters in place (expired ones linger until their agent is next allocated)",
      registers,
      collect() {
        this.set(source.activeFilters());
      },
    });
    new Gauge({
      name: "agora_master_role_dominant_share",
      help: "Each known role's dominant share of the cluster (unweighted)",
      labelNames: ["role"],
      registers,
      collect() {
        this.reset();
        for (const r of source.roleShares()) this.set({ role: r.name }, r.dominantShare);
      },
    });
    new Gauge({
      name: "agora_master_agents_active",
      help: "Registered, active agents",
      registers,
      collect() {
        this.set(source.activeAgents());
      },
    });
    new Gauge({
      name: "agora_master_agents_unreachable",
      help: "Agents removed after missing pings",
      registers,
      collect() {
        this.set(source.unreachableAgents());
      },
    });
    new Gauge({
      name: "agora_master_frameworks_active",
      help: "Subscribed, active frameworks",
      registers,
      collect() {
        this.set(source.activeFrameworks());
      },
    });
    new Gauge({
      name: "agora_master_tasks",
      help: "Tasks not yet terminal, by state",
      labelNames: ["state"],
      registers,
      collect() {
        // Counted here, set once per state: an inc per task (its labels hashed each time) took ~33 ms
        // of the master's loop per scrape at 100,000 tasks.
        const counts = new Map<TaskState, number>();
        for (const state of source.liveTaskStates()) counts.set(state, (counts.get(state) ?? 0) + 1);
        this.reset();
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });
    new Gauge({
      name: "agora_master_tasks_completed",
      help: "Tasks that reached each terminal state since the master started",
      labelNames: ["state"],
      registers,
      collect() {
        this.reset();
        for (const [s, n] of source.terminalCounts()) this.set({ state: s }, n);
      },
    });
    new Gauge({
      name: "agora_master_offers_outstanding",
      help: "Offers made and not yet accepted, declined or rescinded",
      registers,
      collect() {
        this.set(source.outstandingOffers());
      },
    });
    for (const kind of ["total", "used", "offered"] as const) {
      new Gauge({
        name: `agora_master_resources_${kind}`,
        help: `Scalar resources ${kind} over active agents, by name`,
        labelNames: ["resource"],
        registers,
        collect() {
          for (const name of METRIC_RESOURCES) this.set({ resource: name }, source.resourceSum(kind, name));
        },
      });
    }
  }

  invalidMessage(subject: string, kind: InvalidMessageKind): void {
    this.invalidMessages.inc({ subject, kind });
    this.invalidTotal += 1;
  }

  statusUpdateRelayed(): void {
    this.updatesRelayed.inc();
    this.relayedTotal += 1;
  }

  allocationRan(ms: number): void {
    this.allocationRun.observe(ms / 1000);
    this.lastAllocationMs = ms;
  }

  stateRendered(seconds: number): void {
    this.stateRender.observe(seconds);
  }

  /** Starts sampling the event loop's delay (`agora_master_event_loop_delay_seconds`). */
  startLoopMonitor(): void {
    this.loopDelay.enable();
  }

  stopLoopMonitor(): void {
    this.loopDelay.disable();
  }

  offerMade(role: string): void {
    this.offersMade.inc({ role });
  }

  messageDropped(reason: string, to: string, type: string): void {
    this.messagesDropped.inc({ reason, to, type });
  }

  offerFiltered(): void {
    this.filtersAdded.inc();
  }

  get invalidMessagesTotal(): number {
    return this.invalidTotal;
  }

  get statusUpdatesRelayed(): number {
    return this.relayedTotal;
  }

  get lastAllocationRunMs(): number {
    return this.lastAllocationMs;
  }
}
