import type { Resource } from "@agora/protocol";
import type { Sorter } from "./sorter.js";

/** The roles above `role`, nearest last: `a/b/c` → `a`, `a/b`. */
export function ancestorRoles(role: string): string[] {
  const parts = role.split("/");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

interface RoleNode {
  readonly name: string;
  readonly parent: RoleNode | undefined;
  readonly children: Map<string, RoleNode>;
  /** A client of the sorter (a role frameworks are subscribed to), not only a path to one. */
  active: boolean;
  /** Held by this role itself and by its whole subtree. */
  readonly own: Map<string, number>;
  readonly subtree: Map<string, number>;
  count: number;
  /**
   * Its leaf and children ranked, kept until something under it changes: an allocation re-ranks
   * the nodes on its path only, not the whole tree (the allocator sorts after every offer).
   */
  ranked: RankEntry[] | undefined;
}

/** One place among a node's ranked entries: a child subtree, or the node itself as a leaf. */
interface RankEntry {
  readonly node: RoleNode;
  readonly leaf: boolean;
  readonly share: number;
  readonly count: number;
}

/**
 * Hierarchical weighted DRF over role names (Mesos' HierarchicalSorter): siblings are ranked by the
 * weighted dominant share of their whole subtree, and `sort()` walks the tree in that order. A role
 * that has clients of its own and children (`eng` and `eng/web`) competes with its children as if
 * it were one more child of itself (Mesos' virtual leaf), with its own allocation and weight.
 */
export class RoleSorter implements Sorter {
  private readonly root = newNode("", undefined);
  private readonly nodes = new Map<string, RoleNode>();
  private readonly total = new Map<string, number>();
  private readonly weights = new Map<string, number>();
  private order: string[] | undefined;
  /** The last order handed out, kept when a new walk finds the same one. */
  private lastOrder: string[] = [];

  add(role: string): void {
    let node = this.nodes.get(role);
    if (!node) {
      let parent = this.root;
      for (const name of [...ancestorRoles(role), role]) {
        let next = parent.children.get(name);
        if (!next) {
          next = newNode(name, parent);
          parent.children.set(name, next);
          this.nodes.set(name, next);
        }
        parent = next;
      }
      node = parent;
    }
    if (node.active) return;
    node.active = true;
    this.invalidateAll();
  }

  remove(role: string): void {
    const node = this.nodes.get(role);
    if (!node?.active) return;
    this.apply(node, node.own, -1);
    node.own.clear();
    node.active = false;
    node.count = 0;
    let n: RoleNode | undefined = node;
    while (n && n !== this.root && !n.active && n.children.size === 0) {
      n.parent!.children.delete(n.name);
      this.nodes.delete(n.name);
      n = n.parent;
    }
    this.invalidateAll();
  }

  has(role: string): boolean {
    return this.nodes.get(role)?.active ?? false;
  }

  setTotal(resources: readonly Resource[]): void {
    this.total.clear();
    addScalars(this.total, resources, 1);
    this.invalidateAll();
  }

  allocated(role: string, resources: readonly Resource[]): void {
    const node = this.require(role);
    this.apply(node, resources, 1);
    // `apply` cleared the ranks on this path already: they are recomputed with these counts.
    for (let n: RoleNode | undefined = node; n && n !== this.root; n = n.parent) n.count += 1;
  }

  unallocated(role: string, resources: readonly Resource[]): void {
    this.apply(this.require(role), resources, -1);
  }

  setWeight(role: string, weight: number): void {
    if (!(weight > 0) || !Number.isFinite(weight)) throw new Error(`weight of '${role}' must be positive`);
    this.weights.set(role, weight);
    this.invalidateAll();
  }

  /** The weighted dominant share of the role's whole subtree. */
  share(role: string): number {
    const node = this.nodes.get(role);
    return node ? this.shareOf(node.subtree, role) : 0;
  }

  sort(): readonly string[] {
    if (!this.order) {
      const out: string[] = [];
      this.walk(this.root, out);
      this.order = sameItems(out, this.lastOrder) ? this.lastOrder : out;
      this.lastOrder = this.order;
    }
    return this.order;
  }

  compare(a: string, b: string): number {
    const order = this.sort();
    return order.indexOf(a) - order.indexOf(b);
  }

  private walk(node: RoleNode, out: string[]): void {
    node.ranked ??= this.rank(node);
    for (const e of node.ranked) {
      if (e.leaf) out.push(e.node.name);
      else this.walk(e.node, out);
    }
  }

  private rank(node: RoleNode): RankEntry[] {
    const entries: RankEntry[] = [];
    if (node.active) {
      entries.push({ node, leaf: true, share: this.shareOf(node.own, node.name), count: node.count });
    }
    for (const child of node.children.values()) {
      entries.push({
        node: child,
        leaf: false,
        share: this.shareOf(child.subtree, child.name),
        count: child.count,
      });
    }
    entries.sort(
      (x, y) =>
        x.share - y.share ||
        x.count - y.count ||
        (x.leaf === y.leaf ? (x.node.name < y.node.name ? -1 : 1) : x.leaf ? -1 : 1),
    );
    return entries;
  }

  /** A node's holdings or count changed: its rank among its siblings, and theirs above, may too. */
  private invalidatePath(node: RoleNode): void {
    for (let n: RoleNode | undefined = node; n; n = n.parent) n.ranked = undefined;
    this.order = undefined;
  }

  /** Totals, weights or the tree changed: every rank is recomputed. */
  private invalidateAll(): void {
    const clear = (n: RoleNode) => {
      n.ranked = undefined;
      for (const c of n.children.values()) clear(c);
    };
    clear(this.root);
    this.order = undefined;
  }

  private apply(node: RoleNode, resources: readonly Resource[] | Map<string, number>, sign: 1 | -1): void {
    if (!(resources instanceof Map) && distinctScalarNames(resources)) {
      // Each name's sum is its one entry: added where it goes, without a map of sums per offer.
      for (const r of resources) {
        if (!("scalar" in r)) continue;
        addAmount(node.own, r.name, r.scalar, sign);
        for (let n: RoleNode | undefined = node; n && n !== this.root; n = n.parent)
          addAmount(n.subtree, r.name, r.scalar, sign);
      }
      this.invalidatePath(node);
      return;
    }
    const scalars = resources instanceof Map ? new Map(resources) : toScalars(resources);
    addMap(node.own, scalars, sign);
    for (let n: RoleNode | undefined = node; n && n !== this.root; n = n.parent)
      addMap(n.subtree, scalars, sign);
    this.invalidatePath(node);
  }

  private shareOf(held: Map<string, number>, role: string): number {
    let share = 0;
    for (const [name, amount] of held) {
      const total = this.total.get(name);
      if (total && total > 0) share = Math.max(share, amount / total);
    }
    return share / (this.weights.get(role) ?? 1);
  }

  private require(role: string): RoleNode {
    const node = this.nodes.get(role);
    if (!node?.active) throw new Error(`sorter has no client '${role}'`);
    return node;
  }
}

function newNode(name: string, parent: RoleNode | undefined): RoleNode {
  return {
    name,
    parent,
    children: new Map(),
    active: false,
    own: new Map(),
    subtree: new Map(),
    count: 0,
    ranked: undefined,
  };
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function toScalars(resources: readonly Resource[]): Map<string, number> {
  const m = new Map<string, number>();
  addScalars(m, resources, 1);
  return m;
}

function addScalars(into: Map<string, number>, resources: readonly Resource[], sign: 1 | -1): void {
  for (const r of resources) if ("scalar" in r) into.set(r.name, (into.get(r.name) ?? 0) + sign * r.scalar);
}

function addMap(into: Map<string, number>, from: Map<string, number>, sign: 1 | -1): void {
  for (const [name, amount] of from) addAmount(into, name, amount, sign);
}

function addAmount(into: Map<string, number>, name: string, amount: number, sign: 1 | -1): void {
  const next = (into.get(name) ?? 0) + sign * amount;
  if (next <= 1e-9) into.delete(name);
  else into.set(name, next);
}

/** No two scalar entries share a name (reservations can split one name): sums are the entries. */
function distinctScalarNames(resources: readonly Resource[]): boolean {
  for (let i = 1; i < resources.length; i++) {
    const r = resources[i]!;
    if (!("scalar" in r)) continue;
    for (let j = 0; j < i; j++) {
      const o = resources[j]!;
      if (o.name === r.name && "scalar" in o) return false;
    }
  }
  return true;
}
