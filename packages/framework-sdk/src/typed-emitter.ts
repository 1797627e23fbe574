/** A handler for one event; async handlers are awaited where the SDK says so (updates). */
export type Handler<P> = (payload: P) => void | Promise<void>;

/**
 * A minimal typed event emitter. Not node's `EventEmitter`: an `error` event without listeners must
 * not throw, and update handlers must be awaitable one after another before acknowledging.
 */
export class TypedEmitter<M extends object> {
  private readonly handlers = new Map<keyof M, Set<Handler<never>>>();

  constructor(private readonly onHandlerError: (err: unknown, type: keyof M) => void) {}

  on<K extends keyof M>(type: K, handler: Handler<M[K]>): void {
    const set = this.handlers.get(type) ?? new Set();
    set.add(handler as Handler<never>);
    this.handlers.set(type, set);
  }

  off<K extends keyof M>(type: K, handler: Handler<M[K]>): void {
    this.handlers.get(type)?.delete(handler as Handler<never>);
  }

  listenerCount(type: keyof M): number {
    return this.handlers.get(type)?.size ?? 0;
  }

  /** Calls every handler without waiting; a throw or rejection goes to `onHandlerError`. */
  emit<K extends keyof M>(type: K, payload: M[K]): void {
    for (const h of this.snapshot(type)) {
      try {
        const r = h(payload);
        if (r instanceof Promise) r.catch((err: unknown) => this.onHandlerError(err, type));
      } catch (err) {
        this.onHandlerError(err, type);
      }
    }
  }

  /** Runs the handlers one after another, awaiting each; rejects with the first failure. */
  async emitSerially<K extends keyof M>(type: K, payload: M[K]): Promise<void> {
    for (const h of this.snapshot(type)) await h(payload);
  }

  removeAll(): void {
    this.handlers.clear();
  }

  // A copy, so a handler that calls on()/off() does not change who receives this very event.
  private snapshot<K extends keyof M>(type: K): Handler<M[K]>[] {
    return [...(this.handlers.get(type) ?? [])] as Handler<M[K]>[];
  }
}
