import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { UsageSample } from "../api/schemas";
import { formatResource } from "./format";

type Name = "cpus" | "mem" | "disk" | "gpus";

/**
 * Total, allocated and offered `name` over the samples (the last hour), drawn with uPlot: as lines
 * between regular samples, or as steps when the samples are kept only where the value changed.
 */
export function UsageChart({
  name,
  samples,
  testId,
  stepped = false,
}: {
  name: Name;
  samples: UsageSample[];
  testId?: string;
  stepped?: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = host.current;
    // No canvas (a DOM without one, as in component tests): the numbers beside the chart remain.
    if (!el || !document.createElement("canvas").getContext("2d")) return;
    const css = getComputedStyle(document.documentElement);
    const color = (v: string, fallback: string) => css.getPropertyValue(v).trim() || fallback;
    const axis = { stroke: color("--muted", "#666"), grid: { stroke: color("--grid", "#ddd"), width: 1 } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: 140,
      legend: { show: false },
      cursor: { show: true, drag: { x: false, y: false } },
      // The last hour up to now, whatever the samples cover, so a young cluster's chart fills from
      // the right (uPlot's data range alone made a single sample's axis span years).
      scales: {
        x: {
          time: true,
          range: (_u, _min, max) => {
            const now = Date.now() / 1000;
            const end = Number.isFinite(max) && max > now && max < now + 60 ? max : now;
            return [end - 3600, end];
          },
        },
        y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, 1)] },
      },
      axes: [axis, { ...axis, size: 72, values: (_u, ticks) => ticks.map((t) => formatResource(name, t)) }],
      series: [
        {},
        { label: "total", stroke: color("--chart-total", "#888"), width: 1.5 },
        {
          label: "allocated",
          stroke: color("--chart-allocated", "#2563eb"),
          width: 2,
          fill: color("--chart-allocated-fill", "rgba(37,99,235,0.15)"),
        },
        { label: "offered", stroke: color("--chart-offered", "#d97706"), width: 1.5 },
      ],
    };
    if (stepped) {
      const steps = uPlot.paths.stepped?.({ align: 1 });
      for (const s of opts.series.slice(1)) if (steps) s.paths = steps;
    }
    const u = new uPlot(opts, [[], [], [], []], el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 140 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [name, stepped]);

  useEffect(() => {
    plot.current?.setData([
      samples.map((s) => s.t / 1000),
      samples.map((s) => s.total[name]),
      samples.map((s) => s.allocated[name]),
      samples.map((s) => s.offered[name]),
    ]);
  }, [samples, name]);

  return (
    <div
      ref={host}
      className="chart"
      data-testid={testId}
      role="img"
      aria-label={`${name} over the last hour: total, allocated and offered`}
    />
  );
}
