import { contains, type Offer, type Resource } from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AppDefinition, AppDefinitionInput } from "../model/app-definition.js";
import { app, offer, placedOn } from "../test-support/fixtures.js";
import { matchOffers } from "./offer-matcher.js";

function ctx() {
  let n = 0;
  const newUuid = () => {
    n += 1;
    return `uuid-${n}`;
  };
  return { newUuid, now: () => new Date("2026-05-01T00:00:00.000Z"), role: "*" };
}
const small = (fields: Partial<AppDefinitionInput> = {}, id = "/web") =>
  app(id, { cpus: 1, mem: 64, ...fields });
const resources = (
  cpus: number,
  mem: number,
  ports?: [number, number],
  extra: Resource[] = [],
): Resource[] => [
  { name: "cpus", scalar: cpus },
  { name: "mem", scalar: mem },
  ...(ports ? [{ name: "ports", ranges: [{ begin: ports[0], end: ports[1] }] }] : []),
  ...extra,
];

describe("matchOffers", () => {
  it("UNIQUE hostname: 5 wanted on 3 agents places 3; the next round's offers are all refused", () => {
    const web = small({ instances: 5, constraints: [["hostname", "UNIQUE"]] });
    const offers = ["h1", "h2", "h3"].map((h) => offer(h));
    const first = matchOffers(offers, [{ app: web, count: 5 }], [], ctx());
    expect(first.launches.map((l) => [l.offer.hostname, l.tasks.length])).toEqual([
      ["h1", 1],
      ["h2", 1],
      ["h3", 1],
    ]);
    const placed = first.launches.flatMap((l) => l.instances);
    const again = matchOffers(
      ["h1", "h2", "h3"].map((h) => offer(h)),
      [{ app: web, count: 2 }],
      placed,
      ctx(),
    );
    expect(again.launches).toEqual([]);
    expect(again.unused).toHaveLength(3);
    expect(again.rejected).toEqual({ "/web": { UnfulfilledConstraint: 3 } });
  });

  it("GROUP_BY rack spreads evenly over the racks of the batch, whatever the offer order", () => {
    const web = small({ instances: 6, constraints: [["rack", "GROUP_BY"]] });
    const offers = ["a", "b", "c", "d", "e", "f"].map((h, i) =>
      offer(h, { attributes: { rack: i < 4 ? "r1" : "r2" } }),
    );
    const result = matchOffers(offers, [{ app: web, count: 6 }], [], ctx());
    const racks = result.launches.flatMap((l) => l.instances.map((i) => i.agentAttributes.rack));
    expect(racks.filter((r) => r === "r1")).toHaveLength(3);
    expect(racks.filter((r) => r === "r2")).toHaveLength(3);
  });

  it("puts several instances on one offer until a resource runs out, naming the first that did", () => {
    const web = small({ instances: 5, cpus: 1, mem: 100 });
    const result = matchOffers(
      [offer("h1", { resources: resources(2.5, 1000, [31000, 31009]) })],
      [{ app: web, count: 5 }],
      [],
      ctx(),
    );
    expect(result.launches[0]!.tasks).toHaveLength(2);
    const tight = matchOffers(
      [offer("h1", { resources: resources(0.5, 1000, [31000, 31009]) })],
      [{ app: web, count: 1 }],
      [],
      ctx(),
    );
    expect(tight.rejected).toEqual({ "/web": { InsufficientCpus: 1 } });
    const noPorts = matchOffers(
      [offer("h1", { resources: resources(4, 1000) })],
      [{ app: web, count: 1 }],
      [],
      ctx(),
    );
    expect(noPorts.rejected).toEqual({ "/web": { InsufficientPorts: 1 } });
  });

  it("takes the exact ports when requirePorts is set, and refuses offers without them", () => {
    const fixed = small({ portDefinitions: [{ port: 31005 }, { port: 31001 }], requirePorts: true });
    const ok = matchOffers(
      [offer("h1", { resources: resources(4, 1000, [31000, 31009]) })],
      [{ app: fixed, count: 1 }],
      [],
      ctx(),
    );
    expect(ok.launches[0]!.instances[0]!.ports).toEqual([31005, 31001]);
    const twice = matchOffers(
      [offer("h1", { resources: resources(4, 1000, [31000, 31009]) })],
      [{ app: fixed, count: 2 }],
      [],
      ctx(),
    );
    expect(twice.launches[0]!.tasks).toHaveLength(1);
    const missing = matchOffers(
      [offer("h1", { resources: resources(4, 1000, [32000, 32009]) })],
      [{ app: fixed, count: 1 }],
      [],
      ctx(),
    );
    expect(missing.rejected).toEqual({ "/web": { InsufficientPorts: 1 } });
  });

  it("uses only accepted roles: by default unreserved and the framework's role, reservations first", () => {
    const reserved: Resource[] = [
      { name: "cpus", scalar: 2, reservation: { role: "web", type: "static" } },
      { name: "mem", scalar: 512, reservation: { role: "web", type: "static" } },
      { name: "ports", ranges: [{ begin: 40000, end: 40009 }], reservation: { role: "web", type: "static" } },
    ];
    const onlyReserved = offer("h1", { resources: reserved, role: "web" });
    expect(matchOffers([onlyReserved], [{ app: small(), count: 1 }], [], ctx()).rejected).toEqual({
      "/web": { UnfulfilledRole: 1 },
    });
    const asWeb = matchOffers([onlyReserved], [{ app: small(), count: 1 }], [], { ...ctx(), role: "web" });
    const task = asWeb.launches[0]!.tasks[0]!;
    expect(task.resources.every((r) => r.reservation?.role === "web")).toBe(true);
    expect(asWeb.launches[0]!.instances[0]!.role).toBe("web");
    const starOnly = small({ acceptedResourceRoles: ["*"] });
    const mixed = offer("h1", {
      resources: [...reserved, ...resources(1, 128, [31000, 31000])],
      role: "web",
    });
    const r = matchOffers([mixed], [{ app: starOnly, count: 1 }], [], { ...ctx(), role: "web" });
    expect(r.launches[0]!.tasks[0]!.resources.every((x) => x.reservation === undefined)).toBe(true);
  });

  it("builds STAGING instances with Marathon's task ids, the offer's host, attributes and ports", () => {
    const result = matchOffers(
      [offer("agent-1", { hostname: "node1", attributes: { rack: "r1" } })],
      [{ app: small({ version: "2026-04-01T00:00:00.000Z" }, "/prod/web"), count: 1 }],
      [],
      ctx(),
    );
    expect(result.launches[0]!.instances[0]).toEqual({
      taskId: "prod_web.uuid-1",
      appId: "/prod/web",
      agentId: "agent-1",
      host: "node1",
      agentAttributes: { rack: "r1" },
      ports: [31000],
      version: "2026-04-01T00:00:00.000Z",
      state: "TASK_STAGING",
      stagedAt: "2026-05-01T00:00:00.000Z",
      role: "*",
      killRequested: false,
    });
    expect(result.launches[0]!.tasks[0]!.taskId).toBe("prod_web.uuid-1");
  });

  it("serves apps in the order given and counts constraints of instances placed before", () => {
    const a = small({ constraints: [["hostname", "MAX_PER", "2"]] }, "/a");
    const b = small({}, "/b");
    const result = matchOffers(
      [offer("h1")],
      [
        { app: a, count: 3 },
        { app: b, count: 1 },
      ],
      [placedOn("/a", "h1")],
      ctx(),
    );
    expect(result.launches[0]!.instances.map((i) => i.appId)).toEqual(["/a", "/b"]);
  });

  it("never hands out more than an offer holds, nor a port twice (property)", () => {
    const appArb = fc.record({
      cpus: fc.constantFrom(0.1, 0.5, 1, 2),
      mem: fc.constantFrom(32, 128, 512),
      ports: fc.integer({ min: 0, max: 3 }),
      count: fc.integer({ min: 0, max: 8 }),
    });
    const offerArb = fc.record({
      cpus: fc.integer({ min: 0, max: 8 }),
      mem: fc.integer({ min: 0, max: 2048 }),
      ports: fc.integer({ min: 0, max: 6 }),
    });
    fc.assert(
      fc.property(
        fc.array(appArb, { maxLength: 4 }),
        fc.array(offerArb, { minLength: 1, maxLength: 5 }),
        (apps, specs) => {
          const offers: Offer[] = specs.map((s, i) =>
            offer(`h${i}`, {
              resources: resources(s.cpus, s.mem, s.ports > 0 ? [31000, 31000 + s.ports - 1] : undefined),
            }),
          );
          const wanted = apps.map((a, i) => ({
            app: app(`/app${i}`, {
              cpus: a.cpus,
              mem: a.mem,
              portDefinitions: Array.from({ length: a.ports }, () => ({ port: 0 })),
            }) as AppDefinition,
            count: a.count,
          }));
          const result = matchOffers(offers, wanted, [], ctx());
          for (const l of result.launches) {
            const all = l.tasks.flatMap((t) => t.resources);
            expect(contains(l.offer.resources, all)).toBe(true);
            const ports = l.instances.flatMap((i) => i.ports);
            expect(new Set(ports).size).toBe(ports.length);
          }
          for (const w of wanted) {
            const n = result.launches.flatMap((l) => l.instances).filter((i) => i.appId === w.app.id).length;
            expect(n).toBeLessThanOrEqual(w.count);
          }
          expect(result.launches.length + result.unused.length).toBe(offers.length);
        },
      ),
    );
  });
});
