import type { AppDefinition } from "../model/app-definition.js";
import type { QueuedLaunch } from "../service.js";

/**
 * Why offers did not take an app's instances, in the order the offer matcher checks them (Marathon's
 * names; `InvalidTask`, Agora's, is an app whose task the protocol refuses, e.g. `args: []`).
 */
export const REJECT_REASONS = [
  "UnfulfilledRole",
  "InsufficientCpus",
  "InsufficientMemory",
  "InsufficientDisk",
  "InsufficientGpus",
  "InsufficientPorts",
  "UnfulfilledConstraint",
  "InvalidTask",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface LaunchQueueOptions {
  /** Epoch milliseconds; injected so backoff is testable without waiting. */
  now(): number;
  /** The framework's role, shown for apps without their own `role`. Default `*`. */
  role?: string;
}

interface Entry {
  app: AppDefinition;
  count: number;
  since: number;
  processedOffersCount: number;
  unusedOffersCount: number;
  lastUnusedOfferAt: number | undefined;
  lastRejects: Record<string, number>;
  lastProcessed: number;
}

interface Backoff {
  /** The config the failures were counted for: a new config starts over (as Marathon's RateLimiter). */
  config: string;
  failures: number;
  until: number;
}

/**
 * Marathon's launch queue: how many instances each app waits to launch, and its launch backoff.
 * After the n-th failure in a row an app's launches wait
 * `min(backoffSeconds × backoffFactor^(n−1), maxLaunchDelaySeconds)` from the failure; the count
 * starts over on `resetDelay` (DELETE /v2/queue/{id}/delay, a restart beginning) and when the app's
 * config changes. Pure: no timers, the runtime asks `launchable()` when offers come and wakes up at
 * the earliest `delayUntil` of `entries()`.
 *
 * @example
 * ```ts
 * const queue = new LaunchQueue({ now: () => Date.now() });
 * queue.add(app, 3);
 * const wanted = queue.launchable(); // [{ app, count: 3 }]
 * const result = matchOffers(offers, wanted, placed, ctx);
 * for (const l of result.launches) queue.launched(l.instances[0]!.appId, l.instances.length);
 * ```
 */
export class LaunchQueue {
  private readonly waiting = new Map<string, Entry>();
  private readonly backoffs = new Map<string, Backoff>();

  constructor(private readonly opts: LaunchQueueOptions) {}

  /** Queues `n` more launches of `app`; the entry launches at this (newest) definition from now on. */
  add(app: AppDefinition, n: number): void {
    if (n <= 0) return;
    const backoff = this.backoffs.get(app.id);
    if (backoff !== undefined && backoff.config !== configOf(app)) this.backoffs.delete(app.id);
    const entry = this.waiting.get(app.id);
    if (entry !== undefined) {
      entry.app = app;
      entry.count += n;
      return;
    }
    this.waiting.set(app.id, {
      app,
      count: n,
      since: this.opts.now(),
      processedOffersCount: 0,
      unusedOffersCount: 0,
      lastUnusedOfferAt: undefined,
      lastRejects: {},
      lastProcessed: 0,
    });
  }

  /** Drops `n` (default: all) queued launches of the app; returns how many were dropped. */
  remove(appId: string, n?: number): number {
    const entry = this.waiting.get(appId);
    if (entry === undefined) return 0;
    const dropped = Math.min(entry.count, n ?? entry.count);
    entry.count -= dropped;
    if (entry.count === 0) this.waiting.delete(appId);
    return dropped;
  }

  /** `n` of the app's queued launches were handed to the master. */
  launched(appId: string, n: number): void {
    this.remove(appId, n);
  }

  /** An instance of the app failed: its launches wait one backoff step longer than before. */
  recordFailure(app: AppDefinition): void {
    const config = configOf(app);
    const known = this.backoffs.get(app.id);
    const failures = known !== undefined && known.config === config ? known.failures + 1 : 1;
    const seconds = Math.min(
      app.backoffSeconds * app.backoffFactor ** (failures - 1),
      app.maxLaunchDelaySeconds,
    );
    this.backoffs.set(app.id, { config, failures, until: this.opts.now() + Math.round(seconds * 1000) });
  }

  /** Forgets the app's failures, so its launches are not held back; false when it had none. */
  resetDelay(appId: string): boolean {
    return this.backoffs.delete(appId);
  }

  /** When the app's launches may go again (epoch ms); undefined when it is not held back. */
  delayUntil(appId: string): number | undefined {
    const until = this.backoffs.get(appId)?.until;
    return until !== undefined && until > this.opts.now() ? until : undefined;
  }

  count(appId: string): number {
    return this.waiting.get(appId)?.count ?? 0;
  }

  /** Apps with queued launches (delayed or not), without building their `/v2/queue` entries. */
  appIds(): string[] {
    return [...this.waiting.keys()];
  }

  /** Apps with queued launches whose backoff has passed, in the order they were first queued. */
  launchable(): { app: AppDefinition; count: number }[] {
    return [...this.waiting.values()]
      .filter((e) => this.delayUntil(e.app.id) === undefined)
      .map((e) => ({ app: e.app, count: e.count }));
  }

  /**
   * Books one round of offer matching for every launchable app: `offers` were looked at, and
   * `rejected[appId][reason]` of them could not take (more of) the app — `matchOffers`' `rejected`.
   */
  recordOffers(offers: number, rejected: Record<string, Record<string, number>>): void {
    if (offers <= 0) return;
    const now = this.opts.now();
    for (const { app } of this.launchable()) {
      const entry = this.waiting.get(app.id)!;
      const rejects = rejected[app.id] ?? {};
      const unused = Object.values(rejects).reduce((a, b) => a + b, 0);
      entry.processedOffersCount += offers;
      entry.unusedOffersCount += unused;
      if (unused > 0) entry.lastUnusedOfferAt = now;
      entry.lastRejects = rejects;
      entry.lastProcessed = offers;
    }
  }

  /** What `/v2/queue` shows, in the order apps were first queued. */
  entries(): QueuedLaunch[] {
    return [...this.waiting.values()].map((e) => ({
      app: e.app,
      count: e.count,
      delayUntil: this.backoffs.get(e.app.id)?.until ?? e.since,
      since: new Date(e.since).toISOString(),
      role: e.app.role ?? this.opts.role ?? "*",
      processedOffersSummary: {
        processedOffersCount: e.processedOffersCount,
        unusedOffersCount: e.unusedOffersCount,
        ...(e.lastUnusedOfferAt !== undefined
          ? { lastUnusedOfferAt: new Date(e.lastUnusedOfferAt).toISOString() }
          : {}),
        rejectSummaryLastOffers: funnel(e.lastProcessed, e.lastRejects),
      },
    }));
  }
}

/**
 * Marathon's reject summary: each reason with how many offers reached that check (`processed`) and
 * how many it turned away (`declined`), in check order.
 */
function funnel(
  processed: number,
  rejects: Record<string, number>,
): { reason: string; declined: number; processed: number }[] {
  let reaching = processed;
  return REJECT_REASONS.map((reason) => {
    const declined = rejects[reason] ?? 0;
    const row = { reason, declined, processed: reaching };
    reaching -= declined;
    return row;
  });
}

function configOf(app: AppDefinition): string {
  return app.versionInfo?.lastConfigChangeAt ?? app.version ?? "";
}
