import {
  createInbox,
  type NatsConnection,
  NoRespondersError,
  type Subscription,
  TimeoutError,
} from "@nats-io/transport-node";

interface Pending {
  readonly resolve: (data: Uint8Array) => void;
  readonly reject: (err: Error) => void;
  readonly subject: string;
  readonly timer: NodeJS.Timeout;
}

/**
 * Requests over one wildcard inbox subscription, as nats.js' own request multiplexer works, through
 * the client's public API. Ours because nats.js (3.x) builds an Error, its stack captured, at the end
 * of every request it resolves (`RequestOne.cancel` rejects its already-settled promise with a new
 * `RequestError("cancelled")`): 7 % of a simulated framework's busy samples (each accept is a
 * request), 1 % of a master pinging 10,000 agents. Failures reject with nats.js' own `TimeoutError` and
 * `NoRespondersError`, so callers map them as before.
 */
export class RequestMux {
  private readonly inbox: string;
  private readonly pending = new Map<string, Pending>();
  private subscription: Subscription | undefined;
  private nextToken = 0;

  constructor(
    private readonly connection: NatsConnection,
    inboxPrefix?: string,
  ) {
    this.inbox = `${createInbox(inboxPrefix)}.`;
  }

  /** Publishes `data` to `subject` with a reply inbox; resolves with the first reply's data. */
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    this.subscription ??= this.connection.subscribe(`${this.inbox}*`, {
      callback: (_err, msg) => this.settle(msg.subject, msg.data, msg.headers?.code),
    });
    const token = (this.nextToken++).toString(36);
    return new Promise((resolve, reject) => {
      // First: a closed connection throws here, rejecting before anything waits. No reply can
      // arrive before this turn ends, so the request is booked in time.
      this.connection.publish(subject, data, { reply: this.inbox + token });
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new TimeoutError());
      }, timeoutMs);
      this.pending.set(token, { resolve, reject, subject, timer });
    });
  }

  /** Rejects every request still waiting with `err` (the bus closed under them). */
  close(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private settle(inboxSubject: string, data: Uint8Array, statusCode: number | undefined): void {
    const token = inboxSubject.slice(this.inbox.length);
    const p = this.pending.get(token);
    if (!p) return; // timed out already, or a second reply
    this.pending.delete(token);
    clearTimeout(p.timer);
    // The server's "no responders" status: an empty message with code 503 on the reply subject.
    if (data.length === 0 && statusCode === 503) p.reject(new NoRespondersError(p.subject));
    else p.resolve(data);
  }
}
