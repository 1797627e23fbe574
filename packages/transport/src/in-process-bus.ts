import type { Bus, BusMessage, BusSubscription, RequestOptions, SubscribeOptions } from "./bus.js";
import { assertPublishable, payloadTooLarge, TransportError } from "./errors.js";
import { hasWildcard, subjectMatches } from "./subject-match.js";

/** nats-server's default `max_payload`. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

type Handler = (msg: BusMessage) => void | Promise<void>;

interface Sub {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly handler: Handler;
  readonly inbox: BusMessage[];
  draining: boolean;
  closed: boolean;
}

/**
 * The dev-mode bus: NATS semantics (wildcards, queue groups, request/reply, no responders)
 * inside one process. Delivery is asynchronous (a later macrotask), in order per subscription,
 * one message at a time, so components behave as they do over NATS.
 */
export class InProcessBus implements Bus {
  private readonly exact = new Map<string, Set<Sub>>();
  private readonly wild = new Set<Sub>();
  private readonly queueCursor = new Map<string, number>();
  private closed = false;
  private inboxSeq = 0;
  /** Subscriptions with deliveries queued or in a handler. */
  private busy = 0;
  private idleWaiters: (() => void)[] = [];

  private readonly maxPayload: number;

  /**
   * `maxPayload` mirrors nats-server's `max_payload` (default 1 MiB), so a message too big for a
   * cluster fails the same way in dev mode.
   */
  constructor(
    private readonly onHandlerError: (err: unknown, subject: string) => void = () => {},
    options: { maxPayload?: number } = {},
  ) {
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  }

  publish(subject: string, data: Uint8Array): void {
    assertPublishable(subject);
    this.deliver(subject, data, undefined);
  }

  subscribe(subject: string, handler: Handler, opts: SubscribeOptions = {}): BusSubscription {
    this.assertOpen(subject);
    const sub: Sub = { subject, queue: opts.queue, handler, inbox: [], draining: false, closed: false };
    if (hasWildcard(subject)) this.wild.add(sub);
    else {
      const set = this.exact.get(subject) ?? new Set<Sub>();
      this.exact.set(subject, set);
      set.add(sub);
    }
    return {
      subject,
      unsubscribe: () => {
        sub.closed = true;
        if (!this.wild.delete(sub)) {
          const set = this.exact.get(subject);
          set?.delete(sub);
          if (set?.size === 0) this.exact.delete(subject);
        }
      },
    };
  }

  request(subject: string, data: Uint8Array, opts: RequestOptions = {}): Promise<Uint8Array> {
    this.assertOpen(subject);
    const inbox = `_INBOX.${++this.inboxSeq}`;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? 5000;
      const timer = setTimeout(() => {
        sub.unsubscribe();
        reject(
          new TransportError("TIMEOUT", `request to ${subject} timed out after ${timeoutMs} ms`, {
            target: subject,
          }),
        );
      }, timeoutMs);
      const sub = this.subscribe(inbox, (msg) => {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(msg.data);
      });
      if (this.deliver(subject, data, inbox) === 0) {
        clearTimeout(timer);
        sub.unsubscribe();
        reject(new TransportError("NO_RESPONDERS", `no responders on ${subject}`, { target: subject }));
      }
    });
  }

  async flush(): Promise<void> {
    this.assertOpen("flush");
  }

  /**
   * Resolves once the bus is quiet: every delivery made so far has been handled, and so has every
   * delivery those handlers made in turn, with a full turn of the event loop in which nothing new
   * was published (work a handler deferred with `setImmediate`, as the master's allocation, runs in
   * it). For tests, instead of counting event-loop turns.
   */
  async drained(): Promise<void> {
    for (;;) {
      while (this.busy > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      if (this.busy === 0) return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const set of this.exact.values()) for (const s of set) s.closed = true;
    for (const s of this.wild) s.closed = true;
    this.exact.clear();
    this.wild.clear();
  }

  /** Returns how many subscriptions the message went to. */
  private deliver(subject: string, data: Uint8Array, reply: string | undefined): number {
    this.assertOpen(subject);
    if (data.length > this.maxPayload) throw payloadTooLarge(subject, data.length, this.maxPayload);
    const matched: Sub[] = [];
    const exact = this.exact.get(subject);
    if (exact) for (const s of exact) matched.push(s);
    for (const s of this.wild) if (subjectMatches(s.subject, subject)) matched.push(s);
    if (matched.length === 0) return 0;

    const targets: Sub[] = [];
    const groups = new Map<string, Sub[]>();
    for (const s of matched) {
      if (s.queue === undefined) targets.push(s);
      else {
        const key = `${s.subject}\u0000${s.queue}`;
        const g = groups.get(key) ?? [];
        groups.set(key, g);
        g.push(s);
      }
    }
    // Queue groups: round-robin, which is deterministic and spreads load as NATS does.
    for (const [key, members] of groups) {
      const cursor = this.queueCursor.get(key) ?? 0;
      targets.push(members[cursor % members.length]!);
      this.queueCursor.set(key, cursor + 1);
    }

    const bus = this;
    for (const s of targets) {
      // Each subscriber gets its own copy, as it would over a wire.
      const copy = new Uint8Array(data);
      let answered = false;
      s.inbox.push({
        subject,
        data: copy,
        ...(reply === undefined ? {} : { reply }),
        respond(payload: Uint8Array): boolean {
          if (reply === undefined || answered || bus.closed) return false;
          answered = true;
          bus.deliver(reply, payload, undefined);
          return true;
        },
      });
      this.scheduleDrain(s);
    }
    return targets.length;
  }

  private scheduleDrain(s: Sub): void {
    if (s.draining) return;
    s.draining = true;
    this.busy++;
    setImmediate(() => void this.drain(s));
  }

  private async drain(s: Sub): Promise<void> {
    while (s.inbox.length > 0 && !s.closed) {
      const msg = s.inbox.shift()!;
      try {
        const r = s.handler(msg);
        if (r instanceof Promise) await r;
      } catch (err) {
        this.onHandlerError(err, msg.subject);
      }
    }
    s.draining = false;
    if (--this.busy === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private assertOpen(target: string): void {
    if (this.closed) throw new TransportError("CLOSED", "the bus is closed", { target });
  }
}
