import type { ServerResponse } from "node:http";
import { decode, Event, type FrameworkId, type Subjects } from "@agora/protocol";
import type { Bus, BusSubscription } from "@agora/transport";
import type { Logger } from "pino";
import {
  asMesosableEvents,
  type EventFormat,
  type MesosableEvent,
  recordIo,
  toMesosEvent,
} from "../mesos-v1/scheduler-events.js";

/** One framework's SUBSCRIBE connection: our events for it, translated and RecordIO-framed. */
export interface SchedulerStream {
  readonly streamId: string;
  readonly frameworkId: FrameworkId;
  readonly format: EventFormat;
  /** Becomes true when the stream is closed, by either side. */
  readonly closed: boolean;
}

interface OpenStream extends SchedulerStream {
  closed: boolean;
  sub: BusSubscription;
  /** Events received before the response head was written (the SUBSCRIBED event races the reply). */
  pending: MesosableEvent[] | undefined;
  raw: ServerResponse | undefined;
  keepAlive: NodeJS.Timeout | undefined;
  /** The epoch of the master that answered the SUBSCRIBE. */
  epoch: number | undefined;
  /** SUBSCRIBED events to leave out (answers to UPDATE_FRAMEWORK, which Mesos does not answer so). */
  swallow: number;
}

export interface StreamLink {
  bus: Bus;
  subjects: Subjects;
  /** How often the edge tells the master the framework is alive while its stream is open. */
  keepAliveMs: number;
  logger: Logger | undefined;
  /** An event on a stream's subject failed its schema (`json`: not even JSON): counted with the master's. */
  onInvalidEvent(subject: string, kind: "json" | "schema"): void;
  /** The framework's current stream was closed by its client: the master disconnects it now. */
  onClientClosed(frameworkId: FrameworkId): void;
}

/**
 * The HTTP frameworks of this master, by framework id. A framework connected over HTTP reaches the
 * master exactly as a bus framework does: its stream listens on `framework.<id>.events` and its
 * calls go to `master.call`; while the stream is open the edge sends `heartbeat` calls so the master
 * sees the framework alive; when the client closes it, the master is told to disconnect the framework
 * (its failover timeout starts), as Mesos does.
 */
export class SchedulerStreams {
  private readonly streams = new Map<FrameworkId, OpenStream>();

  constructor(private readonly link: StreamLink) {}

  get(frameworkId: FrameworkId): SchedulerStream | undefined {
    return this.streams.get(frameworkId);
  }

  /**
   * Starts listening for a framework's events before its SUBSCRIBE reaches the master; events are
   * held until `attach` writes the response head. A previous stream of the same framework is closed
   * with Mesos' "Framework failed over" error.
   */
  async open(frameworkId: FrameworkId, format: EventFormat, principal?: string): Promise<SchedulerStream> {
    const previous = this.streams.get(frameworkId);
    if (previous) this.close(previous, "Framework failed over");
    const stream: OpenStream = {
      streamId: crypto.randomUUID(),
      frameworkId,
      format,
      closed: false,
      pending: [],
      raw: undefined,
      keepAlive: undefined,
      epoch: undefined,
      swallow: 0,
      sub: this.link.bus.subscribe(this.link.subjects.frameworkEvents(frameworkId, principal), (msg) => {
        const decoded = decode(Event, msg.data);
        if (decoded.ok) for (const event of asMesosableEvents(decoded.value)) this.deliver(stream, event);
        else {
          this.link.onInvalidEvent(msg.subject, decoded.error.field === undefined ? "json" : "schema");
          this.link.logger?.warn({ frameworkId, err: decoded.error }, "invalid framework event dropped");
        }
      }),
    };
    this.streams.set(frameworkId, stream);
    await this.link.bus.flush();
    return stream;
  }

  /** Writes the 200 head with `Mesos-Stream-Id`, then every held event, and keeps the framework alive. */
  attach(handle: SchedulerStream, raw: ServerResponse): void {
    const stream = handle as OpenStream;
    if (stream.closed) {
      raw.end();
      return;
    }
    if (raw.destroyed || raw.socket === null || raw.socket.destroyed) {
      // The client went away while its SUBSCRIBE was being answered: no stream, so no framework.
      this.close(stream);
      this.link.onClientClosed(stream.frameworkId);
      return;
    }
    raw.writeHead(200, {
      "content-type": "application/json",
      "mesos-stream-id": stream.streamId,
      "cache-control": "no-cache",
    });
    raw.flushHeaders();
    stream.raw = raw;
    // SUBSCRIBED first, as Mesos frameworks expect: a re-subscribe's rescinds may have been sent before it.
    const held = (stream.pending ?? []).sort(
      (a, b) => Number(b.type === "subscribed") - Number(a.type === "subscribed"),
    );
    stream.pending = undefined;
    for (const e of held) this.deliver(stream, e);
    const { bus, subjects } = this.link;
    const heartbeat = new TextEncoder().encode(
      JSON.stringify({ type: "heartbeat", frameworkId: stream.frameworkId }),
    );
    stream.keepAlive = setInterval(() => {
      try {
        bus.publish(subjects.masterCall, heartbeat);
      } catch (err) {
        this.link.logger?.warn({ err, frameworkId: stream.frameworkId }, "keep-alive call failed");
      }
    }, this.link.keepAliveMs);
    stream.keepAlive.unref();
    raw.once("close", () => {
      const current = this.streams.get(stream.frameworkId) === stream;
      this.close(stream);
      if (current) this.link.onClientClosed(stream.frameworkId);
    });
  }

  /** The next SUBSCRIBED event on this stream answers an UPDATE_FRAMEWORK: it is not sent to the framework. */
  swallowSubscribed(handle: SchedulerStream): void {
    (handle as OpenStream).swallow++;
  }

  /** Closes a stream: after an optional ERROR event, the response ends and the bus subscription goes. */
  close(handle: SchedulerStream, error?: string): void {
    const stream = handle as OpenStream;
    if (stream.closed) return;
    if (error !== undefined && stream.raw && !stream.raw.writableEnded)
      stream.raw.write(recordIo({ type: "ERROR", error: { message: error } }));
    stream.closed = true;
    stream.sub.unsubscribe();
    if (stream.keepAlive) clearInterval(stream.keepAlive);
    if (stream.raw && !stream.raw.writableEnded) stream.raw.end();
    if (this.streams.get(stream.frameworkId) === stream) this.streams.delete(stream.frameworkId);
  }

  /** Closes every stream (the app is closing). */
  closeAll(): void {
    for (const s of [...this.streams.values()]) this.close(s);
  }

  private deliver(stream: OpenStream, event: MesosableEvent): void {
    if (stream.closed) return;
    if (stream.pending) {
      stream.pending.push(event);
      return;
    }
    if (event.type === "subscribed") {
      stream.epoch ??= event.epoch;
      if (stream.swallow > 0 && event.epoch === stream.epoch) {
        stream.swallow--;
        return;
      }
    }
    if (stream.epoch !== undefined && event.epoch !== stream.epoch) {
      // Older epoch: a deposed master's straggler. Newer: another master leads now, and the framework
      // must subscribe to it, as a Mesos framework does when its master's connection breaks.
      if (event.epoch > stream.epoch) this.close(stream);
      return;
    }
    const raw = stream.raw;
    if (!raw || raw.writableEnded) return;
    raw.write(recordIo(toMesosEvent(event, stream.format)));
    // Mesos closes the connection after an ERROR: the framework must not go on.
    if (event.type === "error") this.close(stream);
  }
}
