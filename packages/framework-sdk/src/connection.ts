import type { FrameworkId, FrameworkInfo } from "@agora/protocol";
import type { Clock, TimerHandle } from "@agora/transport";
import type { Logger } from "pino";
import { isSchedulerError, SchedulerError, type SchedulerErrorCode } from "./errors.js";
import type { MasterClient } from "./master-client.js";
import type { SubscribedInfo } from "./scheduler-events.js";
import { backoffMs, Sleeper } from "./sleeper.js";

/** Failures that mean "no master right now": worth retrying. A refusal is not... */
const RETRYABLE: ReadonlySet<SchedulerErrorCode> = new Set(["NO_MASTER", "TIMEOUT"]);
/** ...unless the master could not write its registry (JetStream between stream leaders): that passes. */
const RETRYABLE_REFUSALS: ReadonlySet<string> = new Set(["STORE_FAILED"]);

function retryable(err: unknown): err is SchedulerError {
  return (
    isSchedulerError(err) &&
    (RETRYABLE.has(err.code) || (err.masterCode !== undefined && RETRYABLE_REFUSALS.has(err.masterCode)))
  );
}

export interface ConnectionConfig {
  readonly client: MasterClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Carries the framework id: the same one on every (re)subscribe. */
  readonly frameworkInfo: FrameworkInfo & { id: FrameworkId };
  /** The principal's secret, sent with every subscribe when the framework authenticates. */
  readonly secret?: string;
  readonly callTimeoutMs: number;
  readonly subscribeTimeoutMs: number | undefined;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly missedHeartbeats: number;
  /** No event arrived for `missedHeartbeats` intervals; heartbeats and the watchdog are stopped. */
  readonly onSilent: (silentForMs: number) => void;
}

interface SubscribedWaiter {
  readonly promise: Promise<SubscribedInfo>;
  resolve(info: SubscribedInfo): void;
  reject(err: SchedulerError): void;
}

/**
 * The framework's session with the master: the subscribe handshake (retried with backoff while
 * there is no master), heartbeat calls, and the watchdog that notices a silent master.
 */
export class Connection {
  private readonly waiters = new Set<SubscribedWaiter>();
  private readonly sleeper: Sleeper;
  private heartbeatTimer: TimerHandle | undefined;
  private watchdogTimer: TimerHandle | undefined;
  private lastHeard = 0;
  private stopped = false;

  constructor(private readonly config: ConnectionConfig) {
    this.sleeper = new Sleeper(config.clock);
  }

  /**
   * Sends `subscribe` until the master answers it with a `subscribed` event. The caller must be
   * subscribed to the framework's event subject already, or the answer could be missed.
   */
  async handshake(): Promise<SubscribedInfo> {
    const { clock, client, logger, subscribeTimeoutMs } = this.config;
    const started = clock.now();
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw closedError();
      const waiter = this.expectSubscribed();
      try {
        await client.request(
          {
            type: "subscribe",
            frameworkInfo: this.config.frameworkInfo,
            ...(this.config.secret === undefined ? {} : { secret: this.config.secret }),
          },
          "SUBSCRIBE_FAILED",
        );
        return await this.within(waiter, this.config.callTimeoutMs);
      } catch (err) {
        this.waiters.delete(waiter);
        if (!retryable(err) || this.stopped) throw err;
        const waited = clock.now() - started;
        if (subscribeTimeoutMs !== undefined && waited >= subscribeTimeoutMs) {
          throw new SchedulerError(
            "TIMEOUT",
            `no master completed subscribe within ${subscribeTimeoutMs} ms`,
            {
              cause: err,
            },
          );
        }
        const delay = backoffMs(attempt, this.config.retryInitialMs, this.config.retryMaxMs);
        logger.info({ attempt, delayMs: delay, code: err.code }, "subscribe: no master yet, retrying");
        await this.sleeper.sleep(
          subscribeTimeoutMs === undefined ? delay : Math.min(delay, subscribeTimeoutMs - waited),
        );
      }
    }
  }

  /** Any admitted event proves the master is alive. */
  heard(): void {
    this.lastHeard = this.config.clock.now();
  }

  /** A `subscribed` event: completes a pending handshake and (re)starts heartbeats at the master's interval. */
  subscribed(info: SubscribedInfo): void {
    if (this.stopped) return;
    for (const w of this.waiters) w.resolve(info);
    this.waiters.clear();
    this.startLiveness(info.heartbeatIntervalSeconds * 1000);
  }

  /** Stops timers and fails any pending handshake with `CLOSED`. */
  stop(): void {
    this.stopped = true;
    this.stopLiveness();
    this.sleeper.cancelAll();
    for (const w of this.waiters) w.reject(closedError());
    this.waiters.clear();
  }

  private startLiveness(intervalMs: number): void {
    this.stopLiveness();
    const { clock, client, logger, missedHeartbeats, frameworkInfo } = this.config;
    this.lastHeard = clock.now();
    this.heartbeatTimer = clock.setInterval(() => {
      try {
        client.publish({ type: "heartbeat", frameworkId: frameworkInfo.id });
      } catch (err) {
        logger.warn({ err }, "heartbeat call not sent");
      }
    }, intervalMs);
    this.watchdogTimer = clock.setInterval(() => {
      const silentForMs = clock.now() - this.lastHeard;
      if (silentForMs < missedHeartbeats * intervalMs) return;
      this.stopLiveness();
      this.config.onSilent(silentForMs);
    }, intervalMs);
  }

  private stopLiveness(): void {
    if (this.heartbeatTimer) this.config.clock.clear(this.heartbeatTimer);
    if (this.watchdogTimer) this.config.clock.clear(this.watchdogTimer);
    this.heartbeatTimer = undefined;
    this.watchdogTimer = undefined;
  }

  private expectSubscribed(): SubscribedWaiter {
    let resolve!: (info: SubscribedInfo) => void;
    let reject!: (err: SchedulerError) => void;
    const promise = new Promise<SubscribedInfo>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // The handshake may fail before anyone awaits this promise; that is not an unhandled rejection.
    promise.catch(() => {});
    const waiter = { promise, resolve, reject };
    this.waiters.add(waiter);
    return waiter;
  }

  private async within(waiter: SubscribedWaiter, ms: number): Promise<SubscribedInfo> {
    const { clock } = this.config;
    const timer = clock.setTimeout(
      () =>
        waiter.reject(
          new SchedulerError("TIMEOUT", `subscribe accepted but no subscribed event within ${ms} ms`),
        ),
      ms,
    );
    try {
      return await waiter.promise;
    } finally {
      clock.clear(timer);
    }
  }
}

function closedError(): SchedulerError {
  return new SchedulerError("CLOSED", "the scheduler was closed");
}
