import type { Logger } from "pino";
import type { StoreWatch, WatchEvent } from "./state-store.js";

interface Watcher {
  readonly prefix: string;
  readonly onEvent: (event: WatchEvent) => void;
}

/** The watchers of an in-process store: fans each change out to those whose prefix matches. */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly logger: Logger) {}

  add(prefix: string, onEvent: (event: WatchEvent) => void): StoreWatch {
    const watcher = { prefix, onEvent };
    this.watchers.add(watcher);
    return { stop: () => void this.watchers.delete(watcher) };
  }

  emit(event: WatchEvent): void {
    // A snapshot: a watcher added by a callback starts with the next change.
    for (const w of [...this.watchers]) {
      if (!event.key.startsWith(w.prefix)) continue;
      try {
        w.onEvent(event);
      } catch (err) {
        this.logger.error({ err, key: event.key }, "state store watcher failed");
      }
    }
  }

  clear(): void {
    this.watchers.clear();
  }
}
