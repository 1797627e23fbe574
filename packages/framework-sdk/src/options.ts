import type { FrameworkInfoInput } from "@agora/protocol";
import type { Bus, Clock } from "@agora/transport";
import type { Logger } from "pino";

/** Options of `new Scheduler(options)`; every optional one shows its default. */
export interface SchedulerOptions {
  /** The bus to the cluster: a NATS bus, or the in-process bus in dev mode. Not closed by the SDK. */
  bus: Bus;
  /** Cluster name, the subject namespace. Default `DEFAULT_CLUSTER` ("agora"). */
  cluster?: string;
  /**
   * Who the framework is: name, roles, failoverTimeout, checkpoint… Set `id` to fail over to an
   * existing framework (re-subscribe); leave it out and the SDK mints a fresh one.
   */
  framework: FrameworkInfoInput;
  /**
   * The principal the framework subscribes as and its secret (Mesos' `Credential`); the secret is
   * needed when the master runs with `--authenticate-frameworks`. The principal becomes
   * `framework.principal` (which, if set, must be the same) and names the framework's subjects.
   * Default: none, the framework subscribes unauthenticated.
   */
  credential?: { principal: string; secret?: string | undefined };
  /** Default: a silent pino logger. */
  logger?: Logger;
  /** Default: `systemClock`. Tests pass a `ManualClock`. */
  clock?: Clock;
  /** Acknowledge updates after all `update` handlers return. Default `true`. */
  autoAcknowledge?: boolean;
  /** How long a call waits for the master's reply. Default 5000 ms. */
  callTimeoutMs?: number;
  /** Give up `subscribe()` with `TIMEOUT` after this long without a master. Default: keep trying until `close()`. */
  subscribeTimeoutMs?: number;
  /** Backoff between subscribe attempts while there is no master: doubling from `initialMs` up to `maxMs`. Default 250 / 10000 ms. */
  retry?: { initialMs?: number; maxMs?: number };
  /** Heartbeat intervals without any event before the SDK re-subscribes. Default 5 (as Mesos). */
  missedHeartbeats?: number;
  /** How many recent update uuids are remembered to suppress duplicates. Default 10000. */
  dedupMemory?: number;
  /**
   * Most accepts (and `launch`, `reserve`, `unreserve`) sent and not yet answered by the master.
   * While that many are, new offers wait in the SDK and reach the handlers and iterators as answers
   * come back, so a framework that takes every offer does not build a queue in the master that its
   * later calls wait behind. 0: no bound. Default 1000.
   */
  maxAcceptsInFlight?: number;
}

export const schedulerDefaults = {
  autoAcknowledge: true,
  callTimeoutMs: 5000,
  retryInitialMs: 250,
  retryMaxMs: 10_000,
  missedHeartbeats: 5,
  dedupMemory: 10_000,
  maxAcceptsInFlight: 1000,
} as const;

/** Options of `scheduler.offers()` / `scheduler.updates()`. */
export interface StreamOptions {
  /**
   * Items buffered before the consumer reads them. Default 1024. A full offers stream drops (and
   * declines) its oldest batch; a full updates stream holds further updates until there is room.
   */
  bufferSize?: number;
}

export const DEFAULT_STREAM_BUFFER = 1024;
