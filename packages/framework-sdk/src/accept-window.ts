import type { Offer, OfferId } from "@agora/protocol";

/**
 * Bounds how many accepts a framework has unanswered. The master handles the calls on its call
 * subject in the order they arrive (an accept may wait for the registry, and what came after it
 * waits too), so accepts sent faster than it launches only queue there, and later calls (this
 * framework's kill or decline, other frameworks' calls on that subject) wait behind them; at 10,000
 * agents frameworks taking every offer had ~40,000 tasks queued so, and launches waited 7–15 s
 * (BENCHMARKS.md, "Where the launch queue waits"). Past the limit, offers wait here instead of
 * reaching the framework, and go on as answers come back: no call is delayed or reordered, only the
 * offers that would lead to more accepts.
 *
 * An accept counts from when it is sent. The offers handed on at a time are at most the room left,
 * so a framework that accepts in its handler stays within the limit; one that accepts later (after
 * an await, or reading an `offers()` iterator) may exceed it by the offers it holds.
 */
export class AcceptWindow {
  private inFlight = 0;
  private peak = 0;
  /** Offers not handed on yet, in arrival order (a Map: a rescind removes one without a scan). */
  private readonly held = new Map<OfferId, Offer>();

  /**
   * @param limit Most accepts unanswered; 0 for no bound.
   * @param deliver Hands offers to the framework.
   */
  constructor(
    private readonly limit: number,
    private readonly deliver: (offers: Offer[]) => void,
  ) {}

  /** Accepts sent and not answered yet. */
  get acceptsInFlight(): number {
    return this.inFlight;
  }

  /** The most accepts that were unanswered at once. */
  get acceptsInFlightPeak(): number {
    return this.peak;
  }

  /** Offers waiting for room. */
  get offersHeld(): number {
    return this.held.size;
  }

  /** New offers: handed on now as far as there is room, the rest held in arrival order. */
  offered(offers: Offer[]): void {
    if (this.limit === 0 || (this.held.size === 0 && offers.length <= this.room())) {
      this.deliver(offers);
      return;
    }
    for (const offer of offers) this.held.set(offer.id, offer);
    this.release();
  }

  /** True when the rescinded offer was held (it is dropped: the framework never saw it). */
  rescinded(offerId: OfferId): boolean {
    return this.held.delete(offerId);
  }

  /** An accept is being sent; call the returned function once it is answered (or failed). */
  opened(): () => void {
    this.inFlight++;
    if (this.inFlight > this.peak) this.peak = this.inFlight;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.inFlight--;
      this.release();
    };
  }

  /** Drops every held offer (the scheduler is closing, or another master leads). */
  clear(): void {
    this.held.clear();
  }

  private room(): number {
    return Math.max(0, this.limit - this.inFlight);
  }

  /**
   * Hands held offers on, at most the room left at a time. An offer handed on need not lead to an
   * accept (it may be declined), so this goes on while room remains: otherwise offers could wait
   * for an answer that no accept in flight will bring.
   */
  private release(): void {
    for (let room = this.room(); room > 0 && this.held.size > 0; room = this.room()) {
      const batch: Offer[] = [];
      for (const [id, offer] of this.held) {
        if (batch.length === room) break;
        batch.push(offer);
        this.held.delete(id);
      }
      this.deliver(batch);
    }
  }
}
