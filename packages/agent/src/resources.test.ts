import os from "node:os";
import { isProtocolError } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { defaultDiskMb, defaultMemMb, detectResources, type HostFacts } from "./resources.js";

const GB = 1024 ** 3;
const host: HostFacts = { cpus: () => 8, totalMemoryBytes: () => 16 * GB, diskBytes: async () => 100 * GB };

describe("resource detection", () => {
  it("defaults to all cpus, memory and disk less Mesos' reserves, and ports 31000-32000", async () => {
    expect(await detectResources({ workDir: "/x", host })).toEqual([
      { name: "cpus", scalar: 8 },
      { name: "mem", scalar: 15 * 1024 },
      { name: "disk", scalar: 95 * 1024 },
      { name: "ports", ranges: [{ begin: 31000, end: 32000 }] },
    ]);
  });

  it("leaves 1 GB of memory from 2 GB up, half below", () => {
    expect(defaultMemMb(2 * GB)).toBe(1024);
    expect(defaultMemMb(GB)).toBe(512);
  });

  it("leaves 5 GB of disk from 10 GB up, half below", () => {
    expect(defaultDiskMb(10 * GB)).toBe(5 * 1024);
    expect(defaultDiskMb(8 * GB)).toBe(4 * 1024);
  });

  it("takes every resource the flag names from the flag, reservations included, and detects the rest", async () => {
    const resources = await detectResources({
      workDir: "/x",
      host,
      resources: "cpus:2;ports:[5000-5010];cpus(eng):1;gpus:1",
    });
    expect(resources).toEqual(
      expect.arrayContaining([
        { name: "cpus", scalar: 2 },
        { name: "cpus", scalar: 1, reservation: { role: "eng", type: "static" } },
        { name: "ports", ranges: [{ begin: 5000, end: 5010 }] },
        { name: "gpus", scalar: 1 },
        { name: "mem", scalar: 15 * 1024 },
        { name: "disk", scalar: 95 * 1024 },
      ]),
    );
    expect(resources).toHaveLength(6);
  });

  it("as Mesos, a reserved-only entry replaces detection of that resource", async () => {
    const resources = await detectResources({ workDir: "/x", host, resources: "mem(eng):512" });
    expect(resources.filter((r) => r.name === "mem")).toEqual([
      { name: "mem", scalar: 512, reservation: { role: "eng", type: "static" } },
    ]);
  });

  it("rejects a malformed flag naming it", async () => {
    const err = await detectResources({ workDir: "/x", host, resources: "cpus:lots" }).catch(
      (e: unknown) => e,
    );
    expect(isProtocolError(err)).toBe(true);
    expect((err as Error).message).toContain("--resources");
  });

  it("measures the real host", async () => {
    const resources = await detectResources({ workDir: os.tmpdir() });
    const scalar = (name: string) => resources.find((r) => r.name === name && "scalar" in r);
    expect(scalar("cpus")).toEqual({ name: "cpus", scalar: os.availableParallelism() });
    expect((scalar("mem") as { scalar: number }).scalar).toBeGreaterThan(0);
    expect((scalar("disk") as { scalar: number }).scalar).toBeGreaterThan(0);
  });
});
