/**
 * The message bus every Agora role talks through: NATS in cluster mode, in-process in dev mode.
 * Payloads are bytes (JSON encoded by `@agora/protocol`'s `encode`); receivers validate with zod.
 */
export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Present when the sender awaits a reply (`request`). */
  readonly reply?: string;
  /** Answers a request; a no-op returning false when the message was not a request. */
  respond(data: Uint8Array): boolean;
}

export interface SubscribeOptions {
  /** Members of one queue group share the messages of a subject: each goes to one of them. */
  queue?: string;
  /**
   * Messages for which this answers true may be handled on arrival, ahead of those still queued behind
   * an asynchronous handler; their handler must not depend on that order and must not wait. Only a
   * hint: the NATS bus takes it (a backlog there is real), the in-process bus keeps arrival order.
   */
  overtakes?: (data: Uint8Array) => boolean;
}

export interface RequestOptions {
  /** Milliseconds before the request fails with a `TransportError` of code `TIMEOUT` (default 5000). */
  timeoutMs?: number;
}

export interface BusSubscription {
  readonly subject: string;
  unsubscribe(): void;
}

export interface Bus {
  publish(subject: string, data: Uint8Array): void;
  /**
   * `subject` may use NATS wildcards (`*` one token, `>` the rest). Handlers run one message at a
   * time per subscription, in arrival order; a handler's exception is logged, never propagated.
   */
  subscribe(
    subject: string,
    handler: (msg: BusMessage) => void | Promise<void>,
    opts?: SubscribeOptions,
  ): BusSubscription;
  /** Fails with `TransportError` code `NO_RESPONDERS` when nobody listens, `TIMEOUT` when nobody answers. */
  request(subject: string, data: Uint8Array, opts?: RequestOptions): Promise<Uint8Array>;
  /** Resolves when everything published so far has reached the server (no-op in process). */
  flush(): Promise<void>;
  /** Drains subscriptions and closes; further calls fail with `TransportError` code `CLOSED`. */
  close(): Promise<void>;
}
