import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { packTasks, Scheduler, type TaskSpec } from "@agora/framework-sdk";
import { buildMasterHttp, Master } from "@agora/master";
import type { Offer } from "@agora/protocol";
import { InProcessBus, MemoryStateStore } from "@agora/transport";
import { pino } from "pino";
import { type Browser, chromium, type Page } from "playwright-core";
import { startAgents } from "./agents.js";
import { percentile } from "./stats.js";

/**
 * The web dashboard, in Debian's chromium (playwright-core), against a real master (dev mode: the
 * in-process bus) with 10 no-op agents:
 * - the first-load bundle (bytes and gzip) of `packages/webui/dist`;
 * - first load: navigation to `/ui/` until the overview shows the agents (fresh browser context, so
 *   nothing cached), on an idle cluster and with 10,000 running tasks;
 * - the tasks page with 10,000 tasks: time until rows show, then frame times while the virtualized
 *   table is scrolled top to bottom for 4 s (a requestAnimationFrame loop scrolling 120 px a frame),
 *   and the page's main-thread CPU time per frame from a Chrome trace (what the page costs, apart from
 *   the time other processes on a shared machine keep it off a core).
 */
const silent = pino({ level: "silent" });
const TASKS = Number(process.env.WEBUI_TASKS ?? 10_000);
const AGENTS = 10;
const RUNS = 5;
/** WEBUI_DIST: another build of the UI to measure (an older commit's, to compare). */
const dist = process.env.WEBUI_DIST ?? path.resolve(import.meta.dirname, "../packages/webui/dist");
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

function bundle() {
  const assets = path.join(dist, "assets");
  const html = readFileSync(path.join(dist, "index.html"), "utf8");
  const files = readdirSync(assets).filter((f) => html.includes(`assets/${f}`));
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const data = readFileSync(path.join(assets, f));
    raw += data.length;
    gzip += gzipSync(data).length;
  }
  return { files, kib: Math.round(raw / 1024), gzipKib: Math.round(gzip / 1024) };
}

async function firstLoad(browser: Browser, base: string, agents: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(`${base}/ui/`);
    await page
      .getByTestId("agents-active")
      .filter({ hasText: String(agents) })
      .waitFor({ timeout: 60_000 });
    await page.getByTestId("resource-cpus").waitFor();
    times.push(performance.now() - start);
    await context.close();
  }
  return times.sort((a, b) => a - b);
}

async function scrollFrames(page: Page): Promise<number[]> {
  return page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector(".vtable-body");
    const frames = [];
    let last = performance.now();
    const end = last + 4000;
    const step = (now) => {
      performance.mark("frame");
      frames.push(now - last);
      last = now;
      el.scrollTop = el.scrollTop + 120 >= el.scrollHeight - el.clientHeight ? 0 : el.scrollTop + 120;
      if (now < end) requestAnimationFrame(step);
      else resolve(frames.slice(1));
    };
    requestAnimationFrame(step);
  })`) as Promise<number[]>;
}

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * CPU time (ms) the page's main thread spent in each frame, from a Chrome trace: the thread's tasks
 * between one `frame` mark and the next, by thread time (`tdur`), so time the thread waited for a
 * core taken by other processes does not count. Frame time on a shared machine measures the
 * machine; this measures the page.
 */
function mainThreadCpuPerFrame(trace: { traceEvents: TraceEvent[] }): number[] {
  const events = trace.traceEvents;
  const main = events.find(
    (e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain",
  );
  if (!main) return [];
  const onMain = (e: TraceEvent) => e.pid === main.pid && e.tid === main.tid;
  const marks = events
    .filter((e) => onMain(e) && e.name === "frame" && (e.ph === "R" || e.ph === "I" || e.ph === "n"))
    .map((e) => e.ts)
    .sort((a, b) => a - b);
  const tasks = events.filter((e) => onMain(e) && e.ph === "X" && e.name === "ThreadControllerImpl::RunTask");
  const cpu = new Array<number>(Math.max(0, marks.length - 1)).fill(0);
  for (const t of tasks) {
    let lo = 0;
    let hi = marks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (marks[mid]! <= t.ts) lo = mid;
      else hi = mid - 1;
    }
    if (lo < cpu.length && t.ts >= marks[0]!) cpu[lo]! += (t.tdur ?? 0) / 1000;
  }
  return cpu;
}

export default async function run(): Promise<string> {
  const size = bundle();
  const bus = new InProcessBus();
  const master = new Master({ bus, store: new MemoryStateStore(), logger: silent });
  const app = buildMasterHttp(master, { webuiDir: dist });
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  await master.start({ httpPort: Number(new URL(base).port) });
  const agents = await startAgents(
    bus,
    AGENTS,
    "cpus:64;mem:65536;disk:1000;ports:[31000-32000]",
    "noop-service",
  );
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  const scheduler = new Scheduler({ bus, framework: { name: "bench-webui" }, logger: silent });
  try {
    const idleLoad = await firstLoad(browser, base, AGENTS);

    let running = 0;
    const allRunning = new Promise<void>((resolve) => {
      scheduler.on("update", (s) => {
        if (s.state === "TASK_RUNNING" && ++running === TASKS) resolve();
      });
    });
    const stream = scheduler.offers();
    await scheduler.subscribe();
    const offers = new Map<string, Offer>();
    for await (const batch of stream) {
      for (const o of batch) offers.set(o.agentId, o);
      if (offers.size >= AGENTS) break;
    }
    const specs: TaskSpec[] = Array.from({ length: TASKS }, (_, i) => ({
      taskId: `webui-bench-${i}`,
      name: `svc-${i % 100}`,
      resources: { cpus: 0.01, mem: 1 },
      command: { value: "true" },
    }));
    const list = [...offers.values()];
    const per = Math.ceil(TASKS / list.length);
    // One agent's 1,000 launches at a time: all ten at once can outlast the 5 s call timeout on a
    // loaded machine (what is measured here is the browser, not the launch path).
    for (const [i, offer] of list.entries()) {
      const { launches } = packTasks([offer], specs.slice(i * per, (i + 1) * per));
      for (const l of launches) await scheduler.accept([l.offer.id], [{ type: "launch", tasks: l.tasks }]);
    }
    await allRunning;

    const busyLoad = await firstLoad(browser, base, AGENTS);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(`${base}/ui/tasks`);
    await page.getByTestId("task-row").first().waitFor({ timeout: 60_000 });
    const tasksPageMs = performance.now() - start;
    const count = await page.getByText(`${TASKS} of ${TASKS} tasks`).count();
    // WEBUI_PROFILE=file.cpuprofile: the renderer's CPU profile while scrolling (open it in Chrome's DevTools).
    const cdp = process.env.WEBUI_PROFILE ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    }
    await browser.startTracing(page, { categories: ["toplevel", "blink.user_timing", "__metadata"] });
    const frames = (await scrollFrames(page)).sort((a, b) => a - b);
    const trace = JSON.parse((await browser.stopTracing()).toString("utf8")) as { traceEvents: TraceEvent[] };
    const cpu = mainThreadCpuPerFrame(trace).sort((a, b) => a - b);
    if (cdp && process.env.WEBUI_PROFILE) {
      const { profile } = await cdp.send("Profiler.stop");
      writeFileSync(process.env.WEBUI_PROFILE, JSON.stringify(profile));
    }
    const load = os.loadavg()[0];
    await context.close();

    const result = {
      date: new Date().toISOString(),
      tasks: TASKS,
      agents: AGENTS,
      bundle: size,
      firstLoadIdleMs: { p50: percentile(idleLoad, 50), max: idleLoad.at(-1) },
      firstLoad10kMs: { p50: percentile(busyLoad, 50), max: busyLoad.at(-1) },
      tasksPageMs,
      tasksShown: count === 1,
      scrollFrameMs: {
        frames: frames.length,
        p50: percentile(frames, 50),
        p95: percentile(frames, 95),
        max: frames.at(-1),
      },
      scrollMainThreadCpuMs: {
        frames: cpu.length,
        p50: percentile(cpu, 50),
        p95: percentile(cpu, 95),
        max: cpu.at(-1),
      },
      loadAverage1m: load,
    };
    writeFileSync(
      path.join(import.meta.dirname, "results/webui.json"),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    const r = (n: number | undefined) => (n === undefined ? "—" : n.toFixed(1));
    return [
      "| measure | value |",
      "| --- | ---: |",
      `| first-load JS + CSS (${size.files.length} files) | ${size.kib} KiB (${size.gzipKib} KiB gzip) |`,
      `| first load → overview with data, idle cluster (p50 / max of ${RUNS}) | ${r(result.firstLoadIdleMs.p50)} / ${r(result.firstLoadIdleMs.max)} ms |`,
      `| first load → overview with data, ${TASKS} running tasks (p50 / max of ${RUNS}) | ${r(result.firstLoad10kMs.p50)} / ${r(result.firstLoad10kMs.max)} ms |`,
      `| tasks page with ${TASKS} tasks → first rows | ${r(tasksPageMs)} ms |`,
      `| scrolling ${TASKS} tasks: frame time p50 / p95 / max (${frames.length} frames) | ${r(result.scrollFrameMs.p50)} / ${r(result.scrollFrameMs.p95)} / ${r(result.scrollFrameMs.max)} ms |`,
      `| scrolling ${TASKS} tasks: main-thread CPU per frame p50 / p95 / max (${cpu.length} frames) | ${r(result.scrollMainThreadCpuMs.p50)} / ${r(result.scrollMainThreadCpuMs.p95)} / ${r(result.scrollMainThreadCpuMs.max)} ms |`,
      `| load average (1 min) when scrolling | ${load?.toFixed(1)} |`,
    ].join("\n");
  } finally {
    await browser.close();
    await scheduler.teardown().catch(() => {});
    await scheduler.close();
    await agents.stop();
    await master.stop();
    await app.close();
    await bus.close();
  }
}
