import type { AgentId, OfferId } from "@agora/protocol";
import type { TaskEntry } from "./entries.js";

/**
 * What changed in the registry since a watcher last took its changes: which agents, offers and tasks
 * (and which tasks it forgot), and whether roles' settings or the maintenance state did. Ids only, no payload: the watcher reads each entity when it takes them, so
 * an entity changed many times between two looks costs one.
 */
export interface RegistryChanges {
  readonly agents: Set<AgentId>;
  readonly offers: Set<OfferId>;
  /** By entry, not by key: a key string built per status update cost more than the rest of the mark. */
  readonly tasks: Set<TaskEntry>;
  readonly forgottenTasks: Set<TaskEntry>;
  /** A role's weight or quota was set or removed. */
  roles: boolean;
  maintenance: boolean;
}

/** A watcher's end of the feed: its changes since the last `take`, until it closes. */
export interface RegistryWatch {
  take(): RegistryChanges;
  close(): void;
}

/**
 * The registry's changes as they happen, for watchers such as the web UI's event log. Marking is
 * O(1) per watcher (a set insertion) and does nothing while nobody watches, so the books pay for it
 * only when a master serves the event stream.
 */
export class ChangeFeed {
  private readonly watchers = new Set<RegistryChanges>();

  watch(): RegistryWatch {
    let changes = emptyChanges();
    this.watchers.add(changes);
    return {
      take: () => {
        const taken = changes;
        this.watchers.delete(taken);
        changes = emptyChanges();
        this.watchers.add(changes);
        return taken;
      },
      close: () => this.watchers.delete(changes),
    };
  }

  agent(id: AgentId): void {
    for (const w of this.watchers) w.agents.add(id);
  }

  offer(id: OfferId): void {
    for (const w of this.watchers) w.offers.add(id);
  }

  /** A task changed, or (`forgotten`) left the registry. */
  task(entry: TaskEntry, forgotten = false): void {
    for (const w of this.watchers) (forgotten ? w.forgottenTasks : w.tasks).add(entry);
  }

  roles(): void {
    for (const w of this.watchers) w.roles = true;
  }

  maintenance(): void {
    for (const w of this.watchers) w.maintenance = true;
  }
}

function emptyChanges(): RegistryChanges {
  return {
    agents: new Set(),
    offers: new Set(),
    tasks: new Set(),
    forgottenTasks: new Set(),
    roles: false,
    maintenance: false,
  };
}

/**
 * A map that reports every key set or deleted, for registry maps written from many handlers
 * (unreachable agents, weights, quotas), so no handler can change one unseen.
 */
export class WatchedMap<K, V> extends Map<K, V> {
  constructor(private readonly changed: (key: K) => void) {
    super();
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    this.changed(key);
    return this;
  }

  override delete(key: K): boolean {
    const had = super.delete(key);
    if (had) this.changed(key);
    return had;
  }

  override clear(): void {
    for (const key of this.keys()) this.changed(key);
    super.clear();
  }
}
