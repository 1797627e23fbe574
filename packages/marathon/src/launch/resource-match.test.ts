import type { Resource } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { matchResources } from "./resource-match.js";

const web = { role: "web", type: "static" as const };
const needs = { cpus: 1.5, mem: 100, disk: 0, gpus: 0, ports: [] as number[] };
const both = new Set(["*", "web"]);

describe("matchResources", () => {
  it("uses the role's reservations before unreserved resources, splitting across both", () => {
    const pool: Resource[] = [
      { name: "cpus", scalar: 4 },
      { name: "cpus", scalar: 1, reservation: web },
      { name: "mem", scalar: 1000 },
    ];
    const m = matchResources(pool, needs, both);
    expect(m).toEqual({
      resources: [
        { name: "cpus", scalar: 1, reservation: web },
        { name: "cpus", scalar: 0.5 },
        { name: "mem", scalar: 100 },
      ],
      ports: [],
    });
  });

  it("gives fixed ports as asked and the others lowest first, in the order asked, across port entries", () => {
    const pool: Resource[] = [
      { name: "cpus", scalar: 4 },
      { name: "mem", scalar: 1000 },
      { name: "ports", ranges: [{ begin: 31000, end: 31001 }] },
      { name: "ports", ranges: [{ begin: 40000, end: 40010 }], reservation: web },
    ];
    const m = matchResources(pool, { ...needs, ports: [0, 31001, 0, 0] }, both);
    expect("ports" in m && m.ports).toEqual([40000, 31001, 40001, 40002]);
    expect(matchResources(pool, { ...needs, ports: [31001, 0] }, new Set(["*"]))).toMatchObject({
      ports: [31001, 31000],
    });
    expect(matchResources(pool, { ...needs, ports: [0, 0, 0] }, new Set(["*"]))).toEqual({
      reason: "InsufficientPorts",
    });
  });

  it("names the first shortage in Marathon's order, and a pool with nothing of the accepted roles", () => {
    const pool: Resource[] = [
      { name: "cpus", scalar: 1, reservation: web },
      { name: "mem", scalar: 50 },
    ];
    expect(matchResources(pool, needs, new Set(["other"]))).toEqual({ reason: "UnfulfilledRole" });
    expect(matchResources(pool, needs, both)).toEqual({ reason: "InsufficientCpus" });
    expect(matchResources(pool, { ...needs, cpus: 1 }, both)).toEqual({ reason: "InsufficientMemory" });
    expect(matchResources(pool, { ...needs, cpus: 1, mem: 10, gpus: 1 }, both)).toEqual({
      reason: "InsufficientGpus",
    });
  });
});
