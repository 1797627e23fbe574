import { randomUUID } from "node:crypto";
import type { Bus, BusMessage, Clock } from "@agora/transport";
import type { Logger } from "pino";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Judges frameworks' silence only on the calls that reached the master before the judgement. A timer
 * alone judged on the calls handled so far: a master a launch burst had put behind (50,000 accepts in
 * its own call queue, on a machine that gave it a sixth of a core) found a framework's heartbeats
 * waiting behind them for over the framework timeout, took the framework for gone and, as its failover
 * timeout was 0, tore it down with its 25,000 running tasks. So the check rides the call subjects
 * itself: the master publishes a tick to each subscription its calls come in on, and when a tick
 * comes out of every one, all the calls sent before its time have been handled; only then does
 * `onCaughtUp` judge, as of that time.
 */
export class FrameworkLivenessTicks {
  /** Marks a tick among the calls; a random one, so no framework can send one. */
  private readonly marker = `agora-liveness-tick:${randomUUID()}:`;
  private readonly prefix = encoder.encode(this.marker);
  /** Per subject, the send time of the last tick that came out of it. */
  private readonly heard = new Map<string, number>();

  constructor(
    private readonly bus: Bus,
    /** Where the ticks go: a subject each call subscription matches (the plain and the principal's). */
    private readonly subjects: readonly string[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Every call sent before `caughtUpTo` (clock ms) has been handled. */
    private readonly onCaughtUp: (caughtUpTo: number) => void,
  ) {}

  /** Sends a tick through every call subject. */
  send(): void {
    const tick = encoder.encode(`${this.marker}${this.clock.now()}`);
    for (const subject of this.subjects) {
      try {
        this.bus.publish(subject, tick);
      } catch (err) {
        // Not sent, not judged: a master that cannot reach the bus cannot hear its frameworks either.
        this.logger.warn({ err, subject }, "liveness tick not sent");
      }
    }
  }

  /**
   * Takes a tick out of the calls (true; `onCaughtUp` runs once a tick came out of every subject) or
   * leaves any other message to the call handler (false).
   */
  take(msg: BusMessage, subscription: string): boolean {
    const data = msg.data;
    if (data.length <= this.prefix.length) return false;
    for (let i = 0; i < this.prefix.length; i++) if (data[i] !== this.prefix[i]) return false;
    this.heard.set(subscription, Number(decoder.decode(data.subarray(this.prefix.length))));
    if (this.heard.size < this.subjects.length) return true;
    this.onCaughtUp(Math.min(...this.heard.values()));
    return true;
  }
}
