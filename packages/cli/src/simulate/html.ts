import type { SimulationReport } from "./report.js";

/** One line of a chart: points as [seconds, value]. */
export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
}

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"];
const W = 640;
const H = 240;
const PAD = { left: 64, right: 16, top: 28, bottom: 36 };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A number for an axis tick: short, without float noise. */
function tick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return a >= 10 ? v.toFixed(0) : `${+v.toPrecision(2)}`;
}

/** A line chart as an inline SVG element (no script, no external resource). Pure. */
export function lineChart(title: string, series: readonly Series[]): string {
  const all = series.flatMap((s) => s.points);
  const head = `<figure><figcaption>${escapeHtml(title)}</figcaption>`;
  if (all.length === 0) return `${head}<p class="empty">no data</p></figure>`;
  const xMax = Math.max(...all.map((p) => p[0]), 1e-9);
  const yMax = Math.max(...all.map((p) => p[1]), 1e-9);
  const x = (v: number) => PAD.left + (v / xMax) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const v = f * yMax;
      return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${tick(v)}</text>`;
    })
    .join("");
  const xTicks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<text x="${x(f * xMax)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${tick(f * xMax)}s</text>`,
    )
    .join("");
  const lines = series
    .map((s, i) => {
      const d = s.points
        .map((p, j) => `${j === 0 ? "M" : "L"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`)
        .join("");
      return `<path d="${d}" stroke="${COLORS[i % COLORS.length]}" fill="none" stroke-width="1.5"><title>${escapeHtml(s.name)}</title></path>`;
    })
    .join("");
  const legend = series
    .map(
      (s, i) =>
        `<text x="${PAD.left + 8 + i * 120}" y="16" fill="${COLORS[i % COLORS.length]}">■ ${escapeHtml(s.name)}</text>`,
    )
    .join("");
  return `${head}<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">${grid}${xTicks}${lines}${legend}</svg></figure>`;
}

const pts = <T>(list: readonly T[], t: (v: T) => number, v: (v: T) => number | null) =>
  list.flatMap((e) => {
    const value = v(e);
    return value === null || !Number.isFinite(value) ? [] : [[t(e), value] as const];
  });

/** The Chronos jobs' table, empty without them. */
function chronosTable(c: SimulationReport["chronos"]): string {
  if (c === null) return "";
  const rows: Array<[string, string]> = [
    [
      "Chronos jobs (dependent) × runs each, every",
      `${c.jobs} (${c.dependents}) × ${c.repeats}, ${c.intervalMs / 1000} s`,
    ],
    ["runs completed / expected (failed)", `${c.runsCompleted} / ${c.runsExpected} (${c.runsFailed})`],
    [
      "runs stuck / slots collapsed / slots run twice / dependents run early",
      `${c.runsStuck} / ${c.slotsCollapsed} / ${c.slotsRunTwice} / ${c.dependentRunsEarly}`,
    ],
    [
      "slot → TASK_RUNNING p50 / p99 / max",
      `${c.startJitterMs.p50} / ${c.startJitterMs.p99} / ${c.startJitterMs.max} ms (${c.startJitterMs.samples} runs)`,
    ],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>\n`;
}

/** The updates counted lost, so a run says which ones and how their delivery went; nothing when none. */
function lostUpdatesTable(lost: SimulationReport["unacknowledgedUpdates"]): string {
  if (lost.length === 0) return "";
  const head =
    "<tr><th>lost update: task</th><th>state</th><th>uuid</th><th>agent</th><th>produced (s)</th><th>first sent (s)</th><th>sends</th><th>queued behind</th><th>received</th></tr>";
  const rows = lost
    .map(
      (u) =>
        `<tr><td>${escapeHtml(u.taskId)}</td><td>${escapeHtml(u.state)}</td><td>${escapeHtml(u.uuid)}</td><td>${escapeHtml(u.agentId)}</td><td>${u.producedAtSec.toFixed(1)}</td><td>${u.firstSentAtSec?.toFixed(1) ?? "not yet"}</td><td>${u.sends}</td><td>${u.position}</td><td>${u.received ? "yes" : "no"}</td></tr>`,
    )
    .join("");
  return `<table>${head}${rows}</table>\n`;
}

/** `DIR/report.html`: the summary and every time series of a run as inline SVG charts. Pure. */
export function renderReport(r: SimulationReport): string {
  const roles = [...new Set(r.intervals.flatMap((i) => Object.keys(i.weightedShares)))];
  const procs = Object.keys(r.processCpu);
  const conns = [...new Set(r.samples.flatMap((s) => Object.keys(s.natsPendingBytes)))];
  const summary: Array<[string, string]> = [
    ["completed", r.completed ? "yes" : `no: ${r.endReason}`],
    ["duration", `${r.durationSec.toFixed(1)} s`],
    ["agents (churned, ghosts at the master)", `${r.agents} (${r.agentsChurned}, ${r.ghostAgents ?? "n/a"})`],
    ["tasks launched / planned", `${r.tasksLaunched} / ${r.tasksPlanned}`],
    [
      "running / finished / failed / killed / lost / stuck",
      `${r.tasksRunning} / ${r.tasksFinished} / ${r.tasksFailed} / ${r.tasksKilled} / ${r.tasksLost} / ${r.tasksStuck}`,
    ],
    [
      "updates produced / received / lost / in flight / dropped / abandoned",
      `${r.updatesProduced} / ${r.updatesReceived} / ${r.updatesLost} / ${r.updatesInFlight} / ${r.updatesDropped} / ${r.updatesAbandoned}`,
    ],
    [
      "updates resent by agents / received twice by frameworks",
      `${r.updatesResent} / ${r.updatesDuplicated}`,
    ],
    [
      "launch throughput (whole run / best 10 s / best 60 s)",
      `${r.launchThroughputPerSec.toFixed(0)} / ${r.peakThroughputPerSec10s.toFixed(0)} / ${r.bestThroughputPerSec60s.toFixed(0)} tasks/s`,
    ],
    ["accept → RUNNING p50 / p99", `${r.launchLatencyMs.p50} / ${r.launchLatencyMs.p99} ms`],
    [
      "/master/state p50 / p99 (size)",
      `${r.stateLatencyMs.p50} / ${r.stateLatencyMs.p99} ms (${tick(r.stateBytes)}B)`,
    ],
    ["/master/state first byte p50 / p99", `${r.stateFirstByteMs.p50} / ${r.stateFirstByteMs.p99} ms`],
    [
      "/master/state once settled p50 / p99 (requests)",
      `${r.stateLatencyMsSettled.p50} / ${r.stateLatencyMsSettled.p99} ms (${r.stateLatencyMsSettled.samples})`,
    ],
    [
      "master peak RSS",
      r.masterPeakRssBytes === null ? "n/a" : `${(r.masterPeakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    ],
    ["master CPU (mean)", r.masterCpuPercentMean === null ? "n/a" : `${r.masterCpuPercentMean.toFixed(0)} %`],
    [
      "master CPU per task launched (one core's capacity)",
      r.masterCpuMsPerTask === null || r.masterCpuMsPerTask === 0
        ? "n/a"
        : `${r.masterCpuMsPerTask.toFixed(3)} ms (${(1000 / r.masterCpuMsPerTask).toFixed(0)} tasks/s)`,
    ],
    [
      "allocation cycle (mean, runs)",
      `${r.allocationCycleMs.mean?.toFixed(2) ?? "n/a"} ms, ${r.allocationCycleMs.runs}`,
    ],
    [
      "fairness: Jain index of weighted shares, lowest / of the mean (samples)",
      `${r.fairness.minJain ?? "n/a"} / ${r.fairness.meanJain ?? "n/a"} (${r.fairness.samples})`,
    ],
  ];
  const charts = [
    lineChart("Tasks", [
      {
        name: "launched",
        points: pts(
          r.samples,
          (s) => s.t,
          (s) => s.launched,
        ),
      },
      {
        name: "running",
        points: pts(
          r.samples,
          (s) => s.t,
          (s) => s.running,
        ),
      },
      {
        name: "ended",
        points: pts(
          r.samples,
          (s) => s.t,
          (s) => s.ended,
        ),
      },
    ]),
    lineChart("Tasks reaching TASK_RUNNING per second", [
      {
        name: "tasks/s",
        points: pts(
          r.intervals,
          (i) => i.t,
          (i) => i.tasksRunningPerSec,
        ),
      },
    ]),
    lineChart("Allocation cycle (mean ms per interval)", [
      {
        name: "cycle ms",
        points: pts(
          r.intervals,
          (i) => i.t,
          (i) => i.allocationCycleMs,
        ),
      },
    ]),
    lineChart("Offers per second", [
      {
        name: "offers/s",
        points: pts(
          r.intervals,
          (i) => i.t,
          (i) => i.offersPerSec,
        ),
      },
    ]),
    lineChart(
      "Dominant share ÷ weight, by role",
      roles.map((role) => ({
        name: role,
        points: pts(
          r.intervals,
          (i) => i.t,
          (i) => i.weightedShares[role] ?? null,
        ),
      })),
    ),
    lineChart("CPU utilisation (used ÷ total)", [
      {
        name: "utilisation",
        points: pts(
          r.intervals,
          (i) => i.t,
          (i) => i.utilisation,
        ),
      },
    ]),
    lineChart("Master RSS (MiB)", [
      {
        name: "RSS",
        points: pts(
          r.samples,
          (s) => s.t,
          (s) => (s.masterRssBytes === null ? null : s.masterRssBytes / 2 ** 20),
        ),
      },
    ]),
    lineChart("Master CPU (% of one core)", [
      {
        name: "CPU",
        points: pts(
          r.intervals,
          (i) => i.t,
          (i) => i.masterCpuPercent,
        ),
      },
    ]),
    lineChart(
      "CPU by process (% of one core)",
      procs.map((name) => ({
        name,
        points: pts(
          r.intervals,
          (i) => i.t,
          (i) => i.processCpuPercent[name] ?? null,
        ),
      })),
    ),
    lineChart(
      "Bytes nats-server holds per connection (queue depth)",
      conns.map((c) => ({
        name: c,
        points: pts(
          r.samples,
          (s) => s.t,
          (s) => s.natsPendingBytes[c] ?? 0,
        ),
      })),
    ),
  ];
  const rows = summary
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  const fw = r.frameworks
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.name)}</td><td>${escapeHtml(f.role)}</td><td>${f.weight}</td><td>${f.launched}</td><td>${f.finished}</td><td>${f.failed}</td><td>${f.lost}</td><td>${f.offers}</td><td>${f.acceptsInFlightPeak}</td></tr>`,
    )
    .join("");
  const cpu = Object.entries(r.processCpu)
    .map(
      ([name, c]) =>
        `<tr><td>${escapeHtml(name)}</td><td>${r.processNice[name] ?? "n/a"}</td><td>${c.cpuSecondsTotal.toFixed(1)}</td><td>${c.cpuPercentMean.toFixed(0)}</td><td>${c.cpuSecondsDuringLaunch?.toFixed(1) ?? "n/a"}</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>agora simulate — ${r.agents} agents, ${r.tasksPlanned} tasks</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#111;max-width:1340px}
table{border-collapse:collapse;margin:8px 0 16px}th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}
figure{display:inline-block;margin:8px}figcaption{font-weight:600;margin-bottom:4px}
svg{background:#fafafa;border:1px solid #ddd}svg text{font-size:11px;fill:#444}.grid{stroke:#e5e5e5}
.empty{color:#888}code{background:#f3f3f3;padding:1px 4px}
</style></head><body>
<h1>agora simulate</h1>
<p><code>${escapeHtml(r.command)}</code> — ${escapeHtml(r.startedAt)}, ${r.machine.cpus} × ${escapeHtml(r.machine.cpuModel)}, ${r.machine.memGiB} GiB, load ${r.machine.loadAvg.map((l) => l.toFixed(2)).join(" ")}</p>
<table>${rows}</table>
${lostUpdatesTable(r.unacknowledgedUpdates)}${chronosTable(r.chronos)}<table><tr><th>framework</th><th>role</th><th>weight</th><th>launched</th><th>finished</th><th>failed</th><th>lost</th><th>offers</th><th>most accepts unanswered</th></tr>${fw}</table>
<table><tr><th>process</th><th>nice</th><th>CPU s</th><th>mean % of a core</th><th>CPU s from first accept to last RUNNING</th></tr>${cpu}</table>
${charts.join("\n")}
</body></html>
`;
}
