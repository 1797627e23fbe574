import type { EventOf, Offer, OfferId, TaskStatus } from "@agora/protocol";
import type { SchedulerError } from "./errors.js";

/*
 * The payloads are the protocol's event schemas less their `type` (and, but for `subscribed`,
 * less the epoch, which only the SDK's stale-event check reads): one definition on both sides.
 */

/** What the master said when it (re)registered the framework, and its epoch (leader term). */
export type SubscribedInfo = Readonly<Omit<EventOf<"subscribed">, "type">>;

/** A best-effort message an executor sent to the framework. */
export type FrameworkMessage = Readonly<Omit<EventOf<"message">, "type" | "epoch">>;

/** An agent was lost, or an executor exited (`status` is its exit status). */
export type FailureInfo = Readonly<Omit<EventOf<"failure">, "type" | "epoch">>;

/**
 * Every event a `Scheduler` emits, by name, with its payload type.
 * Handlers of `update` may be async: the update is acknowledged only after all of them resolve.
 */
export interface SchedulerEventMap {
  /** The master (re)registered the framework. Emitted on every `subscribed` event. */
  subscribed: SubscribedInfo;
  /** New offers. Use them (`accept`/`launch`) or `decline` them; they are yours until then. */
  offers: Offer[];
  /** An offer is no longer valid (it timed out, or its agent was lost). */
  rescind: OfferId;
  /** A task status update; delivered once per uuid, acknowledged automatically after the handlers. */
  update: TaskStatus;
  message: FrameworkMessage;
  failure: FailureInfo;
  /** The master's `error` event (code `MASTER_ERROR`), or a background re-subscribe that failed. */
  error: SchedulerError;
  heartbeat: Readonly<Pick<EventOf<"heartbeat">, "epoch">>;
  /** No event (heartbeats included) arrived for `missedHeartbeats` intervals; the SDK re-subscribes. */
  disconnected: { readonly silentForMs: number };
  /** A re-subscribe after `disconnected` succeeded (same framework id). */
  reconnected: SubscribedInfo;
}

export type SchedulerEventType = keyof SchedulerEventMap;

/** What the SDK counts as it goes (its parts increment these); `scheduler.stats` adds the accept window's. */
export interface SchedulerCounters {
  /** Events that were not JSON or failed the `Event` schema (logged and dropped). */
  invalidEvents: number;
  /** Events from an epoch lower than the highest seen (dropped). */
  staleEvents: number;
  /** Updates handed to handlers and iterators. */
  updatesDelivered: number;
  /** Updates with an already delivered uuid (re-acknowledged, not delivered again). */
  duplicatesSuppressed: number;
  acknowledgementsSent: number;
  /** Handlers that threw or rejected; an update whose handler failed is not acknowledged. */
  handlerErrors: number;
  /** Offers an overflowing `offers()` iterator dropped; the SDK declines them. */
  offersDropped: number;
  /** Offers that arrived with no `offers` handler and no `offers()` iterator (declined at once). */
  offersDeclinedUnconsumed: number;
  /** Successful re-subscribes after the master went silent. */
  resubscribes: number;
}

/** Counters of what the SDK did and dropped, and its accept window; read them from `scheduler.stats`. */
export interface SchedulerStats extends SchedulerCounters {
  /** Accepts sent and not answered yet (see `maxAcceptsInFlight`). */
  acceptsInFlight: number;
  /** The most accepts that were unanswered at once. */
  acceptsInFlightPeak: number;
  /** Offers waiting in the SDK for an accept to be answered (see `maxAcceptsInFlight`). */
  offersHeld: number;
}

export function emptyCounters(): SchedulerCounters {
  return {
    invalidEvents: 0,
    staleEvents: 0,
    updatesDelivered: 0,
    duplicatesSuppressed: 0,
    acknowledgementsSent: 0,
    handlerErrors: 0,
    offersDropped: 0,
    offersDeclinedUnconsumed: 0,
    resubscribes: 0,
  };
}
