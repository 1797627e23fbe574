import type { Logger } from "pino";
import type { StateStore } from "./state-store.js";

type Write = { op: "put"; value: Uint8Array } | { op: "delete" };

/**
 * Writes to the state store one at a time per key, the latest value winning: a task that changes
 * state five times while its first write is in flight costs two writes, not six, and a later write
 * never lands before an earlier one of the same key. Different keys go out concurrently (the file
 * store shares one fsync between them, JetStream pipelines them).
 */
export class KeyedWriter {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly next = new Map<string, Write>();
  private failures = 0;

  constructor(
    private readonly store: StateStore,
    private readonly logger: Logger,
  ) {}

  put(key: string, value: unknown): Promise<void> {
    return this.write(key, { op: "put", value: encodeJson(value) });
  }

  delete(key: string): Promise<void> {
    return this.write(key, { op: "delete" });
  }

  /** Writes that failed (logged; the next write of the key or a restart's reconciliation repairs them). */
  get failed(): number {
    return this.failures;
  }

  /** Resolves once every write accepted so far is in the store. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  private write(key: string, w: Write): Promise<void> {
    const running = this.inFlight.get(key);
    if (running) {
      // The running loop picks this up after its current write; it resolves once this one is in.
      this.next.set(key, w);
      return running;
    }
    const p = this.run(key, w);
    this.inFlight.set(key, p);
    return p;
  }

  private async run(key: string, first: Write): Promise<void> {
    let w: Write | undefined = first;
    while (w) {
      try {
        if (w.op === "put") await this.store.put(key, w.value);
        else await this.store.delete(key);
      } catch (err) {
        this.failures++;
        this.logger.error({ err, key }, "state store write failed");
      }
      w = this.next.get(key);
      this.next.delete(key);
    }
    this.inFlight.delete(key);
  }
}

/** A value as the JSON bytes a `KeyedWriter` stores; read it back through the record's zod schema. */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
