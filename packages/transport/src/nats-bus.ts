import {
  ClosedConnectionError,
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  DrainingConnectionError,
  type Msg,
  type NatsConnection,
  NoRespondersError,
  nkeyAuthenticator,
  TimeoutError,
} from "@nats-io/transport-node";
import { type Logger, pino } from "pino";
import type { Bus, BusMessage, BusSubscription, RequestOptions, SubscribeOptions } from "./bus.js";
import { assertPublishable, payloadTooLarge, TransportError } from "./errors.js";
import { RequestMux } from "./nats-request-mux.js";
import { SerialDispatcher } from "./serial-dispatcher.js";

export interface NatsReconnectOptions {
  /** Milliseconds between reconnect attempts (default 250; NATS adds up to 100 ms of jitter). */
  timeWaitMs?: number;
  /** Attempts per server before giving up; -1 (the default) never gives up. */
  maxAttempts?: number;
}

export interface NatsBusOptions {
  /** One or more `nats://host:port` URLs (the servers of one NATS cluster). */
  servers: string | string[];
  /** Shown by the server's monitoring pages, e.g. `agora-master`. */
  name?: string;
  logger?: Logger;
  reconnect?: NatsReconnectOptions;
  /** Milliseconds to wait for the first connection before failing with `CONNECTION` (default 5000). */
  connectTimeoutMs?: number;
  /** Who this process is to nats-server: a user of its `authorization { users }`, or a .creds/nkey identity. */
  auth?: NatsAuth;
  /** TLS to nats-server: a CA to verify it by, and a client certificate when it verifies clients. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /**
   * Where replies to this process's requests come back (default `_INBOX`). A confined user subscribes
   * to its own prefix only (`agora nats-config` grants `_INBOX.<user>.>`), so no one reads its replies.
   */
  inboxPrefix?: string;
}

/**
 * A NATS identity: user and password, or the text of a `.creds` file (a user JWT and its nkey seed,
 * for operator/JWT mode) or of an nkey seed file (`SU…`, for a server's `nkey` users).
 */
export type NatsAuth = { user: string; password: string } | { creds: string };

function connectAuth(auth: NatsAuth | undefined): Partial<ConnectionOptions> {
  if (auth === undefined) return {};
  if ("user" in auth) return { user: auth.user, pass: auth.password };
  const jwt = auth.creds.includes("BEGIN NATS USER JWT");
  const bytes = new TextEncoder().encode(jwt ? auth.creds : auth.creds.trim());
  return { authenticator: jwt ? credsAuthenticator(bytes) : nkeyAuthenticator(bytes) };
}

/**
 * Connects to NATS and resolves once connected; fails with `TransportError` code `CONNECTION`
 * when no server answers. After that the connection reconnects forever (by default), so a role
 * survives a NATS restart or the loss of one node of a cluster; subscriptions are restored by
 * the client.
 *
 * @example
 * const bus = await connectNatsBus({ servers: "nats://127.0.0.1:4222", name: "agora-master" });
 * bus.subscribe("agora.agora.master.call", (msg) => void msg.respond(encode(reply)));
 * await bus.close();
 */
export async function connectNatsBus(opts: NatsBusOptions): Promise<NatsBus> {
  const logger = opts.logger ?? pino({ level: "silent" });
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: opts.servers,
      ...(opts.name === undefined ? {} : { name: opts.name }),
      maxReconnectAttempts: opts.reconnect?.maxAttempts ?? -1,
      reconnectTimeWait: opts.reconnect?.timeWaitMs ?? 250,
      timeout: opts.connectTimeoutMs ?? 5_000,
      // Otherwise every request builds two Errors up front to capture where it started (a master pinging
      // 10,000 agents every 15 s held 180,000 stack frames); our TransportError names the subject instead.
      noAsyncTraces: true,
      ...connectAuth(opts.auth),
      ...(opts.tls === undefined ? {} : { tls: opts.tls }),
      ...(opts.inboxPrefix === undefined ? {} : { inboxPrefix: opts.inboxPrefix }),
    });
  } catch (err) {
    // The reason matters to an operator: an authorization violation is not a server that is down.
    const why = err instanceof Error ? `: ${err.message}` : "";
    throw new TransportError("CONNECTION", `cannot connect to NATS at ${String(opts.servers)}${why}`, {
      target: String(opts.servers),
      cause: err,
    });
  }
  return new NatsBus(nc, logger, opts.inboxPrefix);
}

/** The cluster-mode `Bus`: core NATS publish/subscribe/request on one connection. */
export class NatsBus implements Bus {
  private closed = false;
  private readonly dispatchers = new Set<SerialDispatcher<Msg>>();
  /**
   * Publishes and replies of this turn of the event loop, as subject, data, subject, data…: handed to
   * the client together at its end. nats.js writes to the socket once per microtask that published, so
   * the master's asynchronous call handlers wrote each event and command on its own (socket writes were
   * 13 % of its busy time in a 50,000-task burst); together they go in one write.
   */
  private outbound: Array<string | Uint8Array> = [];
  private outboundScheduled = false;
  private readonly requests: RequestMux;

  /** Prefer `connectNatsBus`; this wraps a connection someone else opened (and now owns it). */
  constructor(
    /** The underlying connection, e.g. for `JetStreamStateStore.open`. */
    readonly connection: NatsConnection,
    private readonly logger: Logger = pino({ level: "silent" }),
    /** The connection's inbox prefix, when its permissions allow replies only under one. */
    inboxPrefix?: string,
  ) {
    this.requests = new RequestMux(connection, inboxPrefix);
    void this.logStatus();
  }

  publish(subject: string, data: Uint8Array): void {
    this.assertOpen(subject);
    assertPublishable(subject);
    this.assertFits(subject, data);
    this.enqueue(subject, data);
  }

  /** Queues a reply (after what this process published before it); false when it cannot be sent. */
  respond(reply: string, data: Uint8Array): boolean {
    if (this.closed || this.connection.isClosed()) return false;
    const max = this.connection.info?.max_payload;
    if (max !== undefined && data.length > max) return false;
    this.enqueue(reply, data);
    return true;
  }

  private enqueue(subject: string, data: Uint8Array): void {
    this.outbound.push(subject, data);
    if (this.outboundScheduled) return;
    this.outboundScheduled = true;
    // The real setImmediate, not a Clock's: this batches real socket writes, which a test clock cannot stand for.
    setImmediate(this.flushOutbound);
  }

  /**
   * Hands the queued publishes to the client, in order. Every other operation on the connection
   * (subscribe, request, flush, close) calls it first, so nothing overtakes what was published before it.
   */
  private readonly flushOutbound = (): void => {
    this.outboundScheduled = false;
    if (this.outbound.length === 0) return;
    const list = this.outbound;
    this.outbound = [];
    for (let i = 0; i < list.length; i += 2) {
      const subject = list[i] as string;
      try {
        this.connection.publish(subject, list[i + 1] as Uint8Array);
      } catch (err) {
        // Closed since it was queued: the peer retries or resyncs, as for a publish that failed at once.
        this.logger.warn({ err, subject }, "queued publish failed: dropped");
      }
    }
  };

  subscribe(
    subject: string,
    handler: (msg: BusMessage) => void | Promise<void>,
    opts: SubscribeOptions = {},
  ): BusSubscription {
    this.assertOpen(subject);
    this.flushOutbound();
    const dispatcher = new SerialDispatcher<Msg>(
      (msg) => handler(new NatsBusMessage(msg, this)),
      (err, msg) => this.logger.error({ err, subject: msg.subject }, "bus handler failed"),
    );
    this.dispatchers.add(dispatcher);
    const sub = this.connection.subscribe(subject, {
      ...(opts.queue === undefined ? {} : { queue: opts.queue }),
      callback: (err, msg) => {
        if (err) this.logger.error({ err, subject }, "subscription failed");
        else if (opts.overtakes?.(msg.data)) dispatcher.overtake(msg);
        else dispatcher.push(msg);
      },
    });
    return {
      subject,
      unsubscribe: () => {
        this.flushOutbound();
        dispatcher.stop();
        this.dispatchers.delete(dispatcher);
        if (!sub.isClosed()) sub.unsubscribe();
      },
    };
  }

  async request(subject: string, data: Uint8Array, opts: RequestOptions = {}): Promise<Uint8Array> {
    this.assertOpen(subject);
    this.assertFits(subject, data);
    this.flushOutbound();
    const timeoutMs = opts.timeoutMs ?? 5_000;
    try {
      return await this.requests.request(subject, data, timeoutMs);
    } catch (err) {
      throw requestError(err, subject, timeoutMs);
    }
  }

  async flush(): Promise<void> {
    this.assertOpen("flush");
    this.flushOutbound();
    try {
      await this.connection.flush();
    } catch (err) {
      throw connectionError(err, "flush");
    }
  }

  /** Drains subscriptions and pending publishes, then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushOutbound();
    this.closed = true;
    try {
      await this.connection.drain();
    } catch (err) {
      // Already closed (e.g. the server refused us): nothing left to drain.
      if (!(err instanceof ClosedConnectionError)) this.logger.warn({ err }, "NATS drain failed");
    }
    this.requests.close(new ClosedConnectionError());
    for (const d of this.dispatchers) d.stop();
    this.dispatchers.clear();
  }

  /** True once `close` was called. */
  isClosed(): boolean {
    return this.closed;
  }

  private assertOpen(target: string): void {
    if (this.closed || this.connection.isClosed()) {
      throw new TransportError("CLOSED", "the bus is closed", { target });
    }
  }

  /** The server announces its limit; the client would otherwise fail with an untyped error. */
  private assertFits(subject: string, data: Uint8Array): void {
    const max = this.connection.info?.max_payload;
    if (max !== undefined && data.length > max) throw payloadTooLarge(subject, data.length, max);
  }

  private async logStatus(): Promise<void> {
    for await (const s of this.connection.status()) {
      switch (s.type) {
        case "disconnect":
          this.logger.warn({ server: s.server }, "NATS disconnected");
          break;
        case "reconnect":
          this.logger.info({ server: s.server }, "NATS reconnected");
          break;
        case "error":
          this.logger.error({ err: s.error }, "NATS connection error");
          break;
        default:
          break;
      }
    }
  }
}

/** Adapts a NATS `Msg` without copying: fields are read lazily from the received buffer. */
class NatsBusMessage implements BusMessage {
  constructor(
    private readonly msg: Msg,
    private readonly bus: NatsBus,
  ) {}

  get subject(): string {
    return this.msg.subject;
  }

  get data(): Uint8Array {
    return this.msg.data;
  }

  get reply(): string | undefined {
    return this.msg.reply || undefined;
  }

  respond(data: Uint8Array): boolean {
    return this.msg.reply ? this.bus.respond(this.msg.reply, data) : false;
  }
}

function requestError(err: unknown, subject: string, timeoutMs: number): TransportError {
  if (err instanceof NoRespondersError) {
    return new TransportError("NO_RESPONDERS", `no responders on ${subject}`, {
      target: subject,
      cause: err,
    });
  }
  if (err instanceof TimeoutError) {
    return new TransportError("TIMEOUT", `request to ${subject} timed out after ${timeoutMs} ms`, {
      target: subject,
      cause: err,
    });
  }
  return connectionError(err, subject);
}

function connectionError(err: unknown, target: string): TransportError {
  if (err instanceof ClosedConnectionError || err instanceof DrainingConnectionError) {
    return new TransportError("CLOSED", "the bus is closed", { target, cause: err });
  }
  return new TransportError("CONNECTION", `NATS failed on ${target}`, { target, cause: err });
}
