import { randomUUID } from "node:crypto";
import type { Scheduler } from "@agora/framework-sdk";
import type { Offer } from "@agora/protocol";
import type { Clock, TimerHandle } from "@agora/transport";
import type { Logger } from "pino";
import type { LaunchQueue } from "../launch/launch-queue.js";
import { matchOffers } from "../launch/offer-matcher.js";
import type { Instance } from "../model/instance.js";

/** What the offer cycle needs from the runtime. */
export interface OfferCycleContext {
  scheduler(): Scheduler | undefined;
  queue: LaunchQueue;
  role: string;
  /** How long declined offers stay away (seconds). */
  declineOfferSeconds: number;
  clock: Clock;
  logger: Logger;
  /** One app's active instances, for its constraints (asked only for apps with launches wanted). */
  placed(appId: string): Instance[];
  /** Takes new instances in and resolves once they are stored (before their launch is sent). */
  admit(instances: Instance[]): Promise<void>;
  /** The launch reached the master. */
  launched(instances: Instance[]): void;
  /** The launch failed: forget these instances (the runtime queues them again). */
  launchFailed(instances: Instance[]): void;
  /** Something changed: run the control loop again. */
  changed(): void;
}

/**
 * Marathon's side of the offer cycle: offers are matched against the launch queue's launchable apps
 * (one batch at a time, so two batches never take the same queued launch), unused ones declined;
 * offers are asked for only while something waits to launch — revive when launchable work appears
 * (which also clears earlier decline filters), suppress when the queue is empty — and the runtime is
 * woken when the next backoff delay (or another deadline it names) ends.
 */
export class OfferCycle {
  private work: Promise<void> = Promise.resolve();
  private suppressed = false;
  /** Launchable instances per app version when the master was last told; see `update`. */
  private lastLaunchable = new Map<string, number>();
  private wakeUp: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly c: OfferCycleContext) {}

  /** Handles one batch after the ones before it. */
  offers(offers: Offer[]): Promise<void> {
    this.work = this.work
      .then(() => this.match(offers))
      .catch((err: unknown) => this.c.logger.error({ err }, "handling offers failed"));
    return this.work;
  }

  /** Revives or suppresses as the queue now needs, and wakes the runtime at `alsoAt` or the next delay's end. */
  async update(alsoAt: number | undefined): Promise<void> {
    const scheduler = this.c.scheduler();
    if (!scheduler || this.stopped) return;
    const { queue, clock } = this.c;
    const now = new Map(queue.launchable().map((l) => [`${l.app.id} ${l.app.version}`, l.count]));
    const launchable = [...now.values()].reduce((n, c) => n + c, 0);
    const waiting = queue.appIds();
    // New work for any app version, not only a larger total: a fix deployed at the same instance count
    // (one version's launches replaced by another's) must not wait out the decline filters of offers
    // the old version turned away.
    const grew = [...now].some(([key, count]) => count > (this.lastLaunchable.get(key) ?? 0));
    this.lastLaunchable = now;
    if (this.wakeUp) clock.clear(this.wakeUp);
    this.wakeUp = undefined;
    const due = [...waiting.map((appId) => queue.delayUntil(appId) ?? 0), alsoAt ?? 0].filter(
      (t) => t > clock.now(),
    );
    if (due.length > 0)
      this.wakeUp = clock.setTimeout(() => this.c.changed(), Math.min(...due) - clock.now() + 1);
    try {
      if (launchable > 0 && (this.suppressed || grew)) {
        this.suppressed = false;
        await scheduler.revive([this.c.role]);
      } else if (waiting.length === 0 && !this.suppressed) {
        this.suppressed = true;
        await scheduler.suppress([this.c.role]);
      }
    } catch (err) {
      this.c.logger.warn({ err }, "revive/suppress failed");
    }
  }

  /**
   * Forgets what the master was told: after a re-subscribe (maybe to a new leading master, which
   * knows nothing of an earlier suppress), the next `update` says it again.
   */
  resync(): void {
    this.suppressed = false;
    this.lastLaunchable = new Map();
  }

  /** Stops waking the runtime and waits for the batch in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wakeUp) this.c.clock.clear(this.wakeUp);
    await this.work;
  }

  private async match(offers: Offer[]): Promise<void> {
    const scheduler = this.c.scheduler();
    if (!scheduler || this.stopped) return;
    const { queue } = this.c;
    const refuse = { refuseSeconds: this.c.declineOfferSeconds };
    const wanted = queue.launchable();
    if (wanted.length === 0) {
      await scheduler.decline(
        offers.map((o) => o.id),
        refuse,
      );
      return;
    }
    const result = matchOffers(
      offers,
      wanted,
      wanted.flatMap((w) => this.c.placed(w.app.id)),
      {
        newUuid: randomUUID,
        now: () => new Date(this.c.clock.now()),
        role: this.c.role,
      },
    );
    queue.recordOffers(offers.length, result.rejected);
    const instances = result.launches.flatMap((l) => l.instances);
    const perApp = new Map<string, number>();
    for (const i of instances) perApp.set(i.appId, (perApp.get(i.appId) ?? 0) + 1);
    for (const [appId, n] of perApp) queue.launched(appId, n);
    // Stored before launched: a task Marathon launched but does not remember would be an orphan.
    await this.c.admit(instances);
    await Promise.all([
      ...result.launches.map(async (l) => {
        try {
          await scheduler.launch(l.offer, l.tasks);
          this.c.launched(l.instances);
        } catch (err) {
          this.c.logger.warn({ err, offer: l.offer.id }, "launch failed; the tasks go back to the queue");
          this.c.launchFailed(l.instances);
        }
      }),
      result.unused.length > 0
        ? scheduler.decline(
            result.unused.map((o) => o.id),
            refuse,
          )
        : undefined,
    ]);
    this.c.changed();
  }
}
