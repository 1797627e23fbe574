import { decode, Event, type Offer, type OfferId, type TaskStatus } from "@agora/protocol";
import type { Logger } from "pino";
import { SchedulerError } from "./errors.js";
import type { SchedulerCounters, SchedulerEventMap, SubscribedInfo } from "./scheduler-events.js";
import type { TypedEmitter } from "./typed-emitter.js";

export interface EventRouterConfig {
  readonly emitter: TypedEmitter<SchedulerEventMap>;
  readonly stats: SchedulerCounters;
  readonly logger: Logger;
  /** Any admitted event: the master is alive. */
  readonly onAlive: () => void;
  /**
   * Runs before the `subscribed` event is emitted; `newMaster` when an earlier subscription was to
   * an older epoch (another master leads now, and what the old one offered is void).
   */
  readonly onSubscribed: (info: SubscribedInfo, newMaster: boolean) => void;
  /** New offers: the scheduler emits them (through its accept window) and feeds the iterators. */
  readonly onOffers: (offers: Offer[]) => void;
  /** A rescinded offer: the scheduler emits `rescind` unless it never handed the offer on. */
  readonly onRescind: (offerId: OfferId) => void;
  /** Updates are not emitted here: they go through acknowledgement-aware delivery. */
  readonly onUpdate: (status: TaskStatus) => void;
  /**
   * An event or reply of a higher epoch than the one the framework subscribed with: another master
   * leads now (a new leader sends a heartbeat of its epoch to prompt this).
   */
  readonly onNewerEpoch?: (epoch: number) => void;
}

/**
 * Turns event payloads from the bus into scheduler events: validates each with the protocol's
 * `Event` schema, drops what is invalid or from an older master epoch (counted, never thrown),
 * and dispatches the rest.
 */
export class EventRouter {
  private highestEpoch = 0;
  /** The epoch of the last `subscribed` event (0 before the first). */
  private subscribedEpoch = 0;

  constructor(private readonly config: EventRouterConfig) {}

  /** Raises the highest epoch seen; call replies carry the master's epoch too. */
  sawEpoch(epoch: number): void {
    if (epoch > this.highestEpoch) this.highestEpoch = epoch;
    if (this.subscribedEpoch > 0 && epoch > this.subscribedEpoch) this.config.onNewerEpoch?.(epoch);
  }

  receive(bytes: Uint8Array): void {
    const { emitter, stats, logger } = this.config;
    const decoded = decode(Event, bytes);
    if (!decoded.ok) {
      stats.invalidEvents++;
      logger.warn({ err: decoded.error, field: decoded.error.field }, "invalid event dropped");
      return;
    }
    const event = decoded.value;
    if (event.epoch < this.highestEpoch) {
      stats.staleEvents++;
      logger.debug(
        { epoch: event.epoch, highest: this.highestEpoch, type: event.type },
        "stale event dropped",
      );
      return;
    }
    const previousEpoch = this.subscribedEpoch;
    if (event.type === "subscribed") this.subscribedEpoch = event.epoch;
    this.sawEpoch(event.epoch);
    this.config.onAlive();
    switch (event.type) {
      case "subscribed": {
        const { frameworkId, heartbeatIntervalSeconds, masterInfo, epoch } = event;
        const info: SubscribedInfo = { frameworkId, heartbeatIntervalSeconds, masterInfo, epoch };
        this.config.onSubscribed(info, previousEpoch > 0 && epoch > previousEpoch);
        emitter.emit("subscribed", info);
        return;
      }
      case "offers":
        this.config.onOffers(event.offers);
        return;
      case "rescind":
        this.config.onRescind(event.offerId);
        return;
      case "update":
        this.config.onUpdate(event.status);
        return;
      case "updates":
        for (const status of event.statuses) this.config.onUpdate(status);
        return;
      case "message":
        emitter.emit("message", { agentId: event.agentId, executorId: event.executorId, data: event.data });
        return;
      case "failure":
        emitter.emit("failure", {
          agentId: event.agentId,
          executorId: event.executorId,
          status: event.status,
        });
        return;
      case "error":
        logger.error({ message: event.message }, "the master sent an error event");
        emitter.emit("error", new SchedulerError("MASTER_ERROR", event.message));
        return;
      case "heartbeat":
        emitter.emit("heartbeat", { epoch: event.epoch });
        return;
    }
  }
}
