import type { Resource } from "@agora/protocol";

/**
 * Orders allocation clients (frameworks, later roles). A sorter knows nothing of offers, filters
 * or quota: it only tracks what each client holds against a total and ranks the clients.
 */
export interface Sorter {
  add(client: string): void;
  remove(client: string): void;
  has(client: string): boolean;
  /** The pool the shares are measured against (the cluster's total resources). */
  setTotal(resources: readonly Resource[]): void;
  allocated(client: string, resources: readonly Resource[]): void;
  unallocated(client: string, resources: readonly Resource[]): void;
  /** Shares are divided by the weight (default 1): a client of weight 3 deserves 3× the resources. */
  setWeight(client: string, weight: number): void;
  /** The client's current weighted share (0 when it holds nothing). */
  share(client: string): number;
  /** Clients, the most deserving first. A returned array is never changed by later calls. */
  sort(): readonly string[];
  /** Negative when `a` comes before `b` in `sort()` order (both must be clients). */
  compare(a: string, b: string): number;
}

interface Client {
  readonly id: string;
  readonly held: Map<string, number>;
  weight: number;
  count: number;
  share: number;
}

/** Above this many changed clients a full re-sort beats repositioning them one by one. */
const RESORT_THRESHOLD = 32;

/**
 * Weighted Dominant Resource Fairness (Mesos' DRFSorter): a client's share is the largest, over
 * scalar resources, of what it holds divided by the total, divided by its weight; ties go to the client allocated fewer times,
 * then to the smaller id. Sorting is lazy: a change marks the client, and `sort()` moves only the
 * marked clients (binary insertion) unless so many changed that a full sort is cheaper.
 */
export class DrfSorter implements Sorter {
  private readonly clients = new Map<string, Client>();
  private readonly total = new Map<string, number>();
  /** Weights outlive clients, so a weight set before a client is added still applies. */
  private readonly weights = new Map<string, number>();
  private order: string[] = [];
  /** Clients whose rank changed (or who are new) since the last sort. */
  private readonly dirty = new Set<string>();
  private removedSinceSort = false;
  private resortAll = false;

  add(client: string): void {
    if (this.clients.has(client)) return;
    this.clients.set(client, {
      id: client,
      held: new Map(),
      weight: this.weights.get(client) ?? 1,
      count: 0,
      share: 0,
    });
    this.dirty.add(client);
  }

  remove(client: string): void {
    if (!this.clients.delete(client)) return;
    this.dirty.delete(client);
    this.removedSinceSort = true;
  }

  has(client: string): boolean {
    return this.clients.has(client);
  }

  setTotal(resources: readonly Resource[]): void {
    this.total.clear();
    addScalars(this.total, resources, 1);
    for (const c of this.clients.values()) c.share = this.computeShare(c);
    this.resortAll = true;
  }

  allocated(client: string, resources: readonly Resource[]): void {
    const c = this.require(client);
    addScalars(c.held, resources, 1);
    c.count += 1;
    this.changed(c);
  }

  unallocated(client: string, resources: readonly Resource[]): void {
    const c = this.require(client);
    addScalars(c.held, resources, -1);
    this.changed(c);
  }

  setWeight(client: string, weight: number): void {
    if (!(weight > 0) || !Number.isFinite(weight)) throw new Error(`weight of '${client}' must be positive`);
    this.weights.set(client, weight);
    const c = this.clients.get(client);
    if (!c) return;
    c.weight = weight;
    this.changed(c);
  }

  share(client: string): number {
    return this.clients.get(client)?.share ?? 0;
  }

  sort(): readonly string[] {
    // Every path builds a new array, so arrays handed out earlier stay as they were.
    if (this.resortAll || this.dirty.size > RESORT_THRESHOLD) {
      this.order = [...this.clients.keys()].sort((a, b) => this.compare(a, b));
    } else if (this.dirty.size > 0 || this.removedSinceSort) {
      const next = this.removedSinceSort
        ? this.order.filter((id) => this.clients.has(id))
        : this.order.slice();
      for (const id of this.dirty) {
        const at = next.indexOf(id);
        if (at >= 0) next.splice(at, 1);
      }
      this.order = next;
      for (const id of this.dirty) next.splice(this.insertionPoint(id), 0, id);
    }
    this.dirty.clear();
    this.removedSinceSort = false;
    this.resortAll = false;
    return this.order;
  }

  private changed(c: Client): void {
    c.share = this.computeShare(c);
    this.dirty.add(c.id);
  }

  private require(client: string): Client {
    const c = this.clients.get(client);
    if (!c) throw new Error(`sorter has no client '${client}'`);
    return c;
  }

  private computeShare(c: Client): number {
    let share = 0;
    for (const [name, held] of c.held) {
      const total = this.total.get(name);
      if (total && total > 0) share = Math.max(share, held / total);
    }
    return share / c.weight;
  }

  private insertionPoint(id: string): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.order[mid]!, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  compare(a: string, b: string): number {
    const ca = this.clients.get(a)!;
    const cb = this.clients.get(b)!;
    if (ca.share !== cb.share) return ca.share - cb.share;
    if (ca.count !== cb.count) return ca.count - cb.count;
    return a < b ? -1 : a > b ? 1 : 0;
  }
}

function addScalars(into: Map<string, number>, resources: readonly Resource[], sign: 1 | -1): void {
  for (const r of resources) {
    if (!("scalar" in r)) continue;
    const next = (into.get(r.name) ?? 0) + sign * r.scalar;
    if (next <= 1e-9) into.delete(r.name);
    else into.set(r.name, next);
  }
}
