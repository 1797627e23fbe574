import { describe, expect, it } from "vitest";
import { parseGraphCsv } from "./chronos";
import { layoutGraph } from "./graph-layout";
import { describeSchedule, durationMs, nextRun, parseSchedule } from "./schedule";

describe("Chronos schedules in words", () => {
  it("reads repeating intervals and their periods", () => {
    const s = parseSchedule("R/2026-12-01T10:00:00Z/PT2H")!;
    expect(describeSchedule(s)).toBe("every 2 hours");
    expect(describeSchedule(parseSchedule("R3/2026-12-01T10:00:00Z/P1D")!)).toBe("every day, 3 more times");
    expect(durationMs("P1DT12H")).toBe(36 * 3_600_000);
    expect(durationMs("PT30M")).toBe(1_800_000);
    expect(parseSchedule("*/5 * * * *")).toBeUndefined();
  });

  it("finds the next run after now, or none once the repetitions are used up", () => {
    const s = parseSchedule("R/2026-12-01T10:00:00Z/PT1H")!;
    expect(nextRun(s, Date.parse("2026-12-01T12:30:00Z"))?.toISOString()).toBe("2026-12-01T13:00:00.000Z");
    expect(nextRun(s, Date.parse("2026-11-01T00:00:00Z"))?.toISOString()).toBe("2026-12-01T10:00:00.000Z");
    const two = parseSchedule("R2/2026-12-01T10:00:00Z/PT1H")!;
    expect(nextRun(two, Date.parse("2026-12-02T00:00:00Z"))).toBeUndefined();
  });
});

describe("the dependency graph", () => {
  it("reads /graph/csv and lays a parent out above its child", () => {
    const g = parseGraphCsv("node,a,success,idle\nnode,b,fresh,idle\nlink,a,b\n");
    expect(g).toEqual({ nodes: ["a", "b"], edges: [["a", "b"]] });
    const layout = layoutGraph(g.nodes, g.edges);
    const [a, b] = layout.nodes;
    expect(a!.y).toBeLessThan(b!.y);
    expect(layout.edges).toEqual([expect.objectContaining({ from: "a", to: "b" })]);
  });
});
