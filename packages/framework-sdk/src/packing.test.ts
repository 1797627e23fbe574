import {
  type AgentId,
  add,
  contains,
  type FrameworkId,
  type Offer,
  type OfferId,
  type Resource,
  rangesOf,
  rangeValues,
  scalarOf,
  subtract,
  TaskInfo,
} from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { offerHas, packTasks, scalarIn, type TaskSpec } from "./packing.js";

const fw = "fw-1" as FrameworkId;

function offer(id: string, resources: Resource[], role = "*"): Offer {
  return {
    id: id as OfferId,
    frameworkId: fw,
    agentId: `agent-${id}` as AgentId,
    hostname: `${id}.local`,
    role,
    resources,
    attributes: [],
    capabilities: ["shell"],
  };
}

const spec = (name: string, resources: TaskSpec["resources"], extra: Partial<TaskSpec> = {}): TaskSpec => ({
  name,
  resources,
  command: { value: `run ${name}` },
  ...extra,
});

const byName = (s: TaskSpec) => `${s.name}-id`;

function portsOf(resources: readonly Resource[]): number[] {
  return rangesOf(resources, "ports").flatMap((r) => ("ranges" in r ? rangeValues(r.ranges) : []));
}

describe("packTasks", () => {
  it("places specs first-fit, in order, and lists what is left", () => {
    const small = offer("o1", [
      { name: "cpus", scalar: 1 },
      { name: "mem", scalar: 256 },
    ]);
    const large = offer("o2", [
      { name: "cpus", scalar: 4 },
      { name: "mem", scalar: 4096 },
    ]);
    const idle = offer("o3", [
      { name: "cpus", scalar: 4 },
      { name: "mem", scalar: 4096 },
    ]);

    const result = packTasks(
      [small, large, idle],
      [
        spec("a", { cpus: 0.5, mem: 128 }),
        spec("b", { cpus: 2, mem: 1024 }),
        spec("c", { cpus: 0.5, mem: 128 }),
        spec("huge", { cpus: 64, mem: 1 }),
      ],
      { newTaskId: byName },
    );

    expect(result.launches.map((l) => [l.offer.id, l.tasks.map((t) => t.taskId)])).toEqual([
      ["o1", ["a-id", "c-id"]],
      ["o2", ["b-id"]],
    ]);
    expect(result.unplaced.map((s) => s.name)).toEqual(["huge"]);
    expect(result.unused).toEqual([idle]);
  });

  it("builds valid TaskInfos on the offer's agent with concrete resources", () => {
    const o = offer("o1", [
      { name: "cpus", scalar: 2 },
      { name: "mem", scalar: 512 },
      { name: "disk", scalar: 100 },
      {
        name: "ports",
        ranges: [
          { begin: 31000, end: 31001 },
          { begin: 31005, end: 31010 },
        ],
      },
    ]);

    const [launch] = packTasks(
      [o],
      [spec("web", { cpus: 0.25, mem: 64, disk: 10, ports: 3 }, { env: { MODE: "x" } })],
    ).launches;
    const task = launch!.tasks[0]!;

    expect(TaskInfo.safeParse(task).success).toBe(true);
    expect(task).toMatchObject({
      name: "web",
      agentId: o.agentId,
      command: { value: "run web", environment: { MODE: "x" } },
    });
    expect(task.resources).toEqual([
      { name: "cpus", scalar: 0.25 },
      { name: "mem", scalar: 64 },
      { name: "disk", scalar: 10 },
      {
        name: "ports",
        ranges: [
          { begin: 31000, end: 31001 },
          { begin: 31005, end: 31005 },
        ],
      },
    ]);
    expect(task.taskId).toMatch(/^web\.[0-9a-f-]{36}$/);
  });

  it("never hands out a port twice on one offer", () => {
    const o = offer("o1", [
      { name: "cpus", scalar: 8 },
      { name: "mem", scalar: 8192 },
      { name: "ports", ranges: [{ begin: 31000, end: 31004 }] },
    ]);

    const result = packTasks(
      [o],
      [1, 2, 3].map((i) => spec(`t${i}`, { cpus: 1, mem: 1, ports: 2 })),
    );

    expect(result.launches[0]!.tasks.map((t) => portsOf(t.resources))).toEqual([
      [31000, 31001],
      [31002, 31003],
    ]);
    expect(result.unplaced.map((s) => s.name)).toEqual(["t3"]);
  });

  it("uses the role's reservations first, then unreserved, and never another role's", () => {
    const reserved = (role: string) => ({ role, type: "static" as const });
    const o = offer(
      "o1",
      [
        { name: "cpus", scalar: 1, reservation: reserved("other") },
        { name: "cpus", scalar: 0.5, reservation: reserved("eng") },
        { name: "cpus", scalar: 2 },
        { name: "mem", scalar: 1024 },
      ],
      "eng/web",
    );

    const task = packTasks([o], [spec("t", { cpus: 1, mem: 10 })]).launches[0]!.tasks[0]!;

    expect(task.resources).toEqual([
      { name: "cpus", scalar: 0.5, reservation: reserved("eng") },
      { name: "cpus", scalar: 0.5 },
      { name: "mem", scalar: 10 },
    ]);
    expect(scalarIn(o, "cpus")).toBe(2.5);
    expect(scalarIn(o, "cpus", "other")).toBe(3);
  });

  it("keeps a given taskId and mints one otherwise", () => {
    const o = offer("o1", [
      { name: "cpus", scalar: 2 },
      { name: "mem", scalar: 64 },
    ]);
    const tasks = packTasks(
      [o],
      [spec("a b", { cpus: 1, mem: 1 }, { taskId: "fixed" }), spec("a b", { cpus: 1, mem: 1 })],
    ).launches[0]!.tasks;
    expect(tasks[0]!.taskId).toBe("fixed");
    expect(tasks[1]!.taskId).toMatch(/^a_b\./);
  });

  it("refuses a spec that cannot become a TaskInfo with INVALID_TASK naming the field", () => {
    const o = offer("o1", [
      { name: "cpus", scalar: 2 },
      { name: "mem", scalar: 64 },
    ]);
    expect(() => packTasks([o], [spec("t", { cpus: -1, mem: 1 })])).toThrow(
      expect.objectContaining({ code: "INVALID_TASK", field: "resources.cpus" }),
    );
    expect(() => packTasks([o], [{ name: "t", resources: { cpus: 1, mem: 1 }, env: { A: "1" } }])).toThrow(
      expect.objectContaining({ code: "INVALID_TASK", field: "env" }),
    );
    expect(() => packTasks([o], [{ name: "t", resources: { cpus: 1, mem: 1 } }])).toThrow(
      expect.objectContaining({ code: "INVALID_TASK", field: "command" }),
    );
  });

  it("offerHas answers whether a spec's resources fit", () => {
    const o = offer("o1", [
      { name: "cpus", scalar: 1 },
      { name: "mem", scalar: 64 },
      { name: "ports", ranges: [{ begin: 1, end: 2 }] },
    ]);
    expect(offerHas(o, { cpus: 1, mem: 64, ports: 2 })).toBe(true);
    expect(offerHas(o, { cpus: 1, mem: 64, ports: 3 })).toBe(false);
    expect(offerHas(o, { cpus: 1.001, mem: 1 })).toBe(false);
    expect(offerHas(o, { cpus: 0.1, mem: 1, disk: 1 })).toBe(false);
  });
});

describe("packTasks properties", () => {
  const roles = ["eng", "other"] as const;
  const scalar = (max: number) => fc.integer({ min: 0, max: max * 1000 }).map((n) => n / 1000);
  const reservation = fc
    .option(fc.constantFrom(...roles), { nil: undefined })
    .map((role) => (role === undefined ? {} : { reservation: { role, type: "static" as const } }));
  const scalarEntry = (name: string, max: number) =>
    fc.tuple(scalar(max), reservation).map(([value, r]): Resource => ({ name, scalar: value, ...r }));
  const portsEntry = fc
    .tuple(fc.integer({ min: 31000, max: 31050 }), fc.integer({ min: 0, max: 8 }), reservation)
    .map(([begin, len, r]): Resource => ({ name: "ports", ranges: [{ begin, end: begin + len }], ...r }));
  const offers = fc
    .array(
      fc.tuple(
        fc.array(scalarEntry("cpus", 4), { minLength: 1, maxLength: 2 }),
        fc.array(scalarEntry("mem", 2048), { minLength: 1, maxLength: 2 }),
        fc.array(scalarEntry("disk", 100), { maxLength: 1 }),
        // An agent's port entries never overlap (a port is unreserved or reserved, not both): one
        // block of 100 per entry.
        fc
          .array(portsEntry, { maxLength: 2 })
          .map((entries) =>
            entries.map((e, j) =>
              "ranges" in e
                ? { ...e, ranges: e.ranges.map((r) => ({ begin: r.begin + j * 100, end: r.end + j * 100 })) }
                : e,
            ),
          ),
      ),
      { maxLength: 5 },
    )
    .map((list) => list.map((parts, i) => offer(`o${i}`, parts.flat(), "eng")));
  const specs = fc
    .array(
      fc.record({
        cpus: fc.integer({ min: 1, max: 2000 }).map((n) => n / 1000),
        mem: scalar(1024),
        disk: fc.option(scalar(50), { nil: undefined }),
        ports: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      }),
      { maxLength: 12 },
    )
    .map((list) =>
      list.map((r, i) =>
        spec(`s${i}`, {
          cpus: r.cpus,
          mem: r.mem,
          ...(r.disk === undefined ? {} : { disk: r.disk }),
          ...(r.ports === undefined ? {} : { ports: r.ports }),
        }),
      ),
    );

  const pack = (o: Offer[], s: TaskSpec[]) => packTasks(o, s, { newTaskId: byName });

  it("never over-commits an offer", () => {
    fc.assert(
      fc.property(offers, specs, (o, s) => {
        for (const { offer, tasks } of pack(o, s).launches) {
          const used = tasks.reduce<Resource[]>((sum, t) => add(sum, t.resources), []);
          expect(contains(offer.resources, used)).toBe(true);
        }
      }),
    );
  });

  it("never assigns a port twice", () => {
    fc.assert(
      fc.property(offers, specs, (o, s) => {
        for (const { tasks } of pack(o, s).launches) {
          const ports = tasks.flatMap((t) => portsOf(t.resources));
          expect(new Set(ports).size).toBe(ports.length);
        }
      }),
    );
  });

  it("gives every placed task exactly what its spec asked, from its role or unreserved, as a valid TaskInfo", () => {
    fc.assert(
      fc.property(offers, specs, (o, s) => {
        for (const { offer, tasks } of pack(o, s).launches) {
          for (const task of tasks) {
            const asked = s.find((x) => x.name === task.name)!.resources;
            expect(task.agentId).toBe(offer.agentId);
            expect(scalarOf(task.resources, "cpus")).toBe(asked.cpus);
            expect(scalarOf(task.resources, "mem")).toBe(asked.mem);
            expect(scalarOf(task.resources, "disk")).toBe(asked.disk ?? 0);
            expect(portsOf(task.resources)).toHaveLength(asked.ports ?? 0);
            expect(
              task.resources.every((r) => r.reservation === undefined || r.reservation.role === "eng"),
            ).toBe(true);
            expect(TaskInfo.safeParse(task).success).toBe(true);
          }
        }
      }),
    );
  });

  it("accounts for every spec and offer once, and leaves unplaced only what fits nowhere", () => {
    fc.assert(
      fc.property(offers, specs, (o, s) => {
        const result = pack(o, s);
        const placed = result.launches.flatMap((l) => l.tasks.map((t) => t.name));
        expect([...placed, ...result.unplaced.map((x) => x.name)].sort()).toEqual(
          s.map((x) => x.name).sort(),
        );
        expect([...result.launches.map((l) => l.offer), ...result.unused].map((x) => x.id).sort()).toEqual(
          o.map((x) => x.id).sort(),
        );
        for (const { offer, tasks } of result.launches) {
          const left = subtract(
            offer.resources,
            tasks.flatMap((t) => t.resources),
          );
          for (const u of result.unplaced)
            expect(offerHas({ ...offer, resources: left }, u.resources)).toBe(false);
        }
        for (const offer of result.unused)
          for (const u of result.unplaced) expect(offerHas(offer, u.resources)).toBe(false);
      }),
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(offers, specs, (o, s) => {
        expect(pack(o, s)).toEqual(pack(o, s));
      }),
    );
  });
});
