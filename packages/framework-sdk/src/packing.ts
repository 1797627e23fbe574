import type { CommandInfoInput, ContainerInfoInput, HealthCheckInput } from "@agora/protocol";
import {
  contains,
  firstIssue,
  isWithinRole,
  type KillPolicy,
  newId,
  normalize,
  type Offer,
  type Resource,
  rangesSize,
  roundScalar,
  subtract,
  TaskId,
  TaskInfo,
  takeFromRanges,
} from "@agora/protocol";
import { SchedulerError } from "./errors.js";

/** What one task needs; `ports` is a count, concrete port numbers come from the offer. */
export interface TaskResources {
  cpus: number;
  mem: number;
  disk?: number;
  ports?: number;
}

/** A task to place, before it has an agent, concrete resources or (maybe) an id. */
export interface TaskSpec {
  /** Minted (`<name>.<uuid>`) when absent. */
  taskId?: string;
  name: string;
  resources: TaskResources;
  command?: CommandInfoInput;
  container?: ContainerInfoInput;
  /** Merged into `command.environment` (so it needs a command). */
  env?: Record<string, string>;
  labels?: Record<string, string>;
  killPolicy?: KillPolicy;
  healthCheck?: HealthCheckInput;
}

export interface PackOptions {
  /** The role whose reservations may be used. Default: each offer's own `role`. */
  role?: string;
  /** Mints ids for specs without `taskId`. Default `<name>.<uuid>`; pass your own for reproducible ids. */
  newTaskId?: (spec: TaskSpec) => string;
}

export interface Launch {
  offer: Offer;
  tasks: TaskInfo[];
}

export interface PackResult {
  /** Offers that received tasks, in offer order, each with its tasks in spec order. */
  launches: Launch[];
  /** Specs that fit in no offer, in spec order. */
  unplaced: TaskSpec[];
  /** Offers that received nothing: decline them. */
  unused: Offer[];
}

/**
 * First-fit placement of task specs into offers: each spec, in order, goes to the first offer with
 * room left. Deterministic (no randomness), pure, never over-commits an offer and never hands out
 * a port twice. Reserved resources of the role are used before unreserved ones.
 * Throws `SchedulerError` `INVALID_TASK` (with `field`) for a spec that cannot become a valid `TaskInfo`.
 *
 * @example
 * ```ts
 * const { launches, unplaced, unused } = packTasks(offers, [
 *   { name: "web", resources: { cpus: 0.5, mem: 128, ports: 1 }, command: { value: "./serve --port $PORT0" } },
 * ]);
 * for (const { offer, tasks } of launches) await scheduler.launch(offer, tasks);
 * await scheduler.decline(unused.map((o) => o.id));
 * ```
 */
export function packTasks(
  offers: readonly Offer[],
  specs: readonly TaskSpec[],
  opts: PackOptions = {},
): PackResult {
  const remaining = offers.map((o) => normalize(o.resources));
  const placed: TaskInfo[][] = offers.map(() => []);
  const unplaced: TaskSpec[] = [];
  for (const spec of specs) {
    assertValidResources(spec);
    let fitted = false;
    for (const [i, offer] of offers.entries()) {
      const taken = take(remaining[i]!, spec.resources, opts.role ?? offer.role);
      if (!taken) continue;
      remaining[i] = subtract(remaining[i]!, taken);
      placed[i]!.push(buildTaskInfo(spec, offer, taken, opts));
      fitted = true;
      break;
    }
    if (!fitted) unplaced.push(spec);
  }
  const launches: Launch[] = [];
  const unused: Offer[] = [];
  offers.forEach((offer, i) => {
    const tasks = placed[i]!;
    if (tasks.length > 0) launches.push({ offer, tasks });
    else unused.push(offer);
  });
  return { launches, unplaced, unused };
}

/**
 * True when the offer has room for `needs`, counting unreserved resources and those reserved for
 * `role` (default: the offer's role).
 *
 * @example
 * ```ts
 * const big = offers.filter((o) => offerHas(o, { cpus: 4, mem: 8192 }));
 * ```
 */
export function offerHas(offer: Offer, needs: TaskResources, role: string = offer.role): boolean {
  return take(normalize(offer.resources), needs, role) !== undefined;
}

/**
 * The amount of a scalar resource (`cpus`, `mem`, `disk`, `gpus`…) the offer holds for `role`
 * (default: the offer's role): unreserved plus reserved for that role.
 *
 * @example
 * ```ts
 * const cpus = scalarIn(offer, "cpus");
 * ```
 */
export function scalarIn(offer: Offer, name: string, role: string = offer.role): number {
  let sum = 0;
  for (const r of usable(offer.resources, name, role)) if ("scalar" in r) sum += r.scalar;
  return roundScalar(sum);
}

/** The entries of `name` a task in `role` may use: the role's reservations first, then unreserved. */
function usable(pool: readonly Resource[], name: string, role: string): Resource[] {
  const ofName = pool.filter((r) => r.name === name);
  return [
    ...ofName.filter((r) => r.reservation !== undefined && isWithinRole(role, r.reservation.role)),
    ...ofName.filter((r) => r.reservation === undefined),
  ];
}

/** The concrete resources that satisfy `needs` from `pool`, or undefined when they do not fit. */
function take(pool: readonly Resource[], needs: TaskResources, role: string): Resource[] | undefined {
  const parts: Array<Resource[] | undefined> = [
    takeScalar(pool, "cpus", needs.cpus, role),
    takeScalar(pool, "mem", needs.mem, role),
    takeScalar(pool, "disk", needs.disk ?? 0, role),
    takePorts(pool, needs.ports ?? 0, role),
  ];
  if (parts.some((p) => p === undefined)) return undefined;
  const taken = normalize(parts.flatMap((p) => p ?? []));
  // Taken entry by entry from the pool, so this holds by construction; checked because over-committing is the one thing packing must never do.
  return contains(pool, taken) ? taken : undefined;
}

function takeScalar(
  pool: readonly Resource[],
  name: string,
  amount: number,
  role: string,
): Resource[] | undefined {
  let left = roundScalar(amount);
  const out: Resource[] = [];
  for (const r of usable(pool, name, role)) {
    if (left <= 0) break;
    if (!("scalar" in r) || r.scalar <= 0) continue;
    const n = roundScalar(Math.min(left, r.scalar));
    out.push({ ...r, scalar: n });
    left = roundScalar(left - n);
  }
  return left > 0 ? undefined : out;
}

function takePorts(pool: readonly Resource[], count: number, role: string): Resource[] | undefined {
  let left = count;
  const out: Resource[] = [];
  for (const r of usable(pool, "ports", role)) {
    if (left <= 0) break;
    if (!("ranges" in r)) continue;
    const n = Math.min(left, rangesSize(r.ranges));
    const ranges = n > 0 ? takeFromRanges(r.ranges, n) : undefined;
    if (!ranges) continue;
    out.push({ ...r, ranges });
    left -= n;
  }
  return left > 0 ? undefined : out;
}

function assertValidResources(spec: TaskSpec): void {
  const { cpus, mem, disk = 0, ports = 0 } = spec.resources;
  const scalars: Array<[string, number]> = [
    ["cpus", cpus],
    ["mem", mem],
    ["disk", disk],
  ];
  for (const [name, value] of scalars) {
    if (!Number.isFinite(value) || value < 0) {
      throw invalidTask(spec, `resources.${name}`, `must be a finite number >= 0, got ${value}`);
    }
  }
  if (!Number.isInteger(ports) || ports < 0)
    throw invalidTask(spec, "resources.ports", `must be a whole count >= 0, got ${ports}`);
}

function buildTaskInfo(spec: TaskSpec, offer: Offer, resources: Resource[], opts: PackOptions): TaskInfo {
  if (spec.env && !spec.command)
    throw invalidTask(spec, "env", "env needs a command: it travels in command.environment");
  const command = spec.command && {
    ...spec.command,
    ...(spec.env ? { environment: { ...spec.command.environment, ...spec.env } } : {}),
  };
  const candidate = {
    taskId: spec.taskId ?? opts.newTaskId?.(spec) ?? mintTaskId(spec.name),
    name: spec.name,
    agentId: offer.agentId,
    resources,
    ...(command ? { command } : {}),
    ...(spec.container ? { container: spec.container } : {}),
    ...(spec.healthCheck ? { healthCheck: spec.healthCheck } : {}),
    ...(spec.killPolicy ? { killPolicy: spec.killPolicy } : {}),
    ...(spec.labels ? { labels: spec.labels } : {}),
  };
  const parsed = TaskInfo.safeParse(candidate);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw invalidTask(spec, field, message, parsed.error);
  }
  return parsed.data;
}

/** `<name>.<uuid>`, with the characters a task id may not hold replaced, as Marathon names its tasks. */
function mintTaskId(name: string): string {
  const prefix = name.replace(/[^A-Za-z0-9_.:@-]/g, "_").slice(0, 200);
  const id = newId<string>(`${prefix}.`);
  return TaskId.safeParse(id).success ? id : newId<string>();
}

function invalidTask(spec: TaskSpec, field: string, message: string, cause?: unknown): SchedulerError {
  return new SchedulerError("INVALID_TASK", `task '${spec.name}': ${field || "(root)"}: ${message}`, {
    field,
    cause,
  });
}
