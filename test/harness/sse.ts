import { waitFor } from "./wait.js";

/** One server-sent event: its `event:` type and its parsed `data:`. */
export interface StreamedEvent<T> {
  type: string;
  data: T;
}

/**
 * A reader of a server-sent event stream that keeps every event it receives, so a test can wait for
 * one or replay what happened (Marathon's `/v2/events`, Chronos' `/v1/events`).
 */
export class EventStreamReader<T> {
  readonly events: StreamedEvent<T>[] = [];
  private readonly abort = new AbortController();
  private reading: Promise<void> = Promise.resolve();

  /** Opens `url` (`headers` added, e.g. `last-event-id`); resolves once the response has started. */
  async open(url: string, headers: Record<string, string> = {}): Promise<this> {
    const res = await fetch(url, {
      headers: { accept: "text/event-stream", ...headers },
      signal: this.abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`${url} answered ${res.status}`);
    this.reading = this.read(res.body);
    return this;
  }

  of(type: string): T[] {
    return this.events.filter((e) => e.type === type).map((e) => e.data);
  }

  async waitFor(description: string, predicate: (e: StreamedEvent<T>) => boolean, timeoutMs = 30_000) {
    await waitFor(description, () => this.events.some(predicate), { timeoutMs });
    return this.events.find(predicate)!;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading.catch(() => {});
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = "message";
        const data: string[] = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event:")) type = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        if (data.length > 0) this.events.push({ type, data: JSON.parse(data.join("\n")) as T });
      }
    }
  }
}
