import { waitFor } from "./wait.js";

/** A Mesos v1 scheduler event as JSON (only what the tests read is typed). */
// biome-ignore lint/suspicious/noExplicitAny: raw Mesos JSON, asserted field by field in the tests
export type MesosEvent = { type: string } & Record<string, any>;

/**
 * A raw Mesos v1 scheduler client, written from Mesos' docs/scheduler-http-api.md: SUBSCRIBE opens a
 * RecordIO stream (`<length>\n<json>`), other calls go on new requests with `Mesos-Stream-Id`.
 * Nothing from Agora: it speaks only HTTP and JSON, as a framework written for Mesos does.
 */
export class MesosSchedulerClient {
  readonly events: MesosEvent[] = [];
  private readonly taken = new Set<number>();
  private ended = false;

  private constructor(
    readonly url: string,
    readonly response: Response,
    readonly streamId: string,
    private readonly abort: AbortController,
  ) {}

  /** POSTs a SUBSCRIBE and starts reading its stream; fails unless the master answers 200. `path` may
   * name the operator API (`/api/v1`), whose SUBSCRIBE streams the same way. */
  static async subscribe(
    masterUrl: string,
    call: unknown,
    path = "/api/v1/scheduler",
  ): Promise<MesosSchedulerClient> {
    const abort = new AbortController();
    const response = await fetch(`${masterUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(call),
      signal: abort.signal,
    });
    if (response.status !== 200)
      throw new Error(`SUBSCRIBE answered ${response.status}: ${await response.text()}`);
    const client = new MesosSchedulerClient(
      masterUrl,
      response,
      response.headers.get("mesos-stream-id") ?? "",
      abort,
    );
    void client.read();
    return client;
  }

  /** True once the master ended the stream (or the client closed it). */
  get closed(): boolean {
    return this.ended;
  }

  get frameworkId(): string {
    const subscribed = this.events.find((e) => e.type === "SUBSCRIBED");
    if (!subscribed) throw new Error("not subscribed yet");
    return subscribed.subscribed.framework_id.value;
  }

  /** Sends a call on its own request with this stream's id (`streamId: null` leaves the header out). */
  async call(call: unknown, { streamId }: { streamId?: string | null } = {}): Promise<Response> {
    const id = streamId === undefined ? this.streamId : streamId;
    return fetch(`${this.url}/api/v1/scheduler`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(id === null ? {} : { "mesos-stream-id": id }) },
      body: JSON.stringify(call),
    });
  }

  /** The next event not taken yet of `type` (or one of the types) that `match`es, waiting for it. */
  async next(
    type: string | readonly string[],
    match: (e: MesosEvent) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<MesosEvent> {
    const index = await waitFor(
      `a ${String(type)} event`,
      () => {
        const types: readonly string[] = typeof type === "string" ? [type] : type;
        const i = this.events.findIndex((e, n) => !this.taken.has(n) && types.includes(e.type) && match(e));
        return i >= 0 ? i + 1 : undefined;
      },
      { timeoutMs, intervalMs: 10 },
    );
    this.taken.add(index - 1);
    return this.events[index - 1]!;
  }

  /** Events of `type` not taken yet. */
  pending(type: string): MesosEvent[] {
    return this.events.filter((e, n) => !this.taken.has(n) && e.type === type);
  }

  close(): void {
    this.abort.abort();
  }

  private async read(): Promise<void> {
    const reader = this.response.body!.getReader();
    let buffer = Buffer.alloc(0);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer = Buffer.concat([buffer, value]);
        for (;;) {
          const newline = buffer.indexOf(10);
          if (newline < 0) break;
          const length = Number(buffer.subarray(0, newline).toString("ascii"));
          if (!Number.isInteger(length))
            throw new Error(`bad RecordIO length '${buffer.subarray(0, newline)}'`);
          if (buffer.length < newline + 1 + length) break;
          const record = buffer.subarray(newline + 1, newline + 1 + length);
          buffer = buffer.subarray(newline + 1 + length);
          this.events.push(JSON.parse(record.toString("utf8")) as MesosEvent);
        }
      }
    } catch {
      // aborted by close(), or the connection dropped: the stream is over either way
    } finally {
      this.ended = true;
    }
  }
}
