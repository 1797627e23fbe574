import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type ChronosEvent, type RunningChronos, startChronos } from "@agora/chronos";
import {
  type Bus,
  FileStateStore,
  JetStreamStateStore,
  type NatsBus,
  type StateStore,
} from "@agora/transport";
import { pino } from "pino";
import { inProcess, overNats, type Topology } from "./launch.js";
import { machine } from "./machine.js";
import { withNatsServer } from "./nats.js";
import { type LatencySummary, nowMs, summarize } from "./stats.js";

/**
 * Chronos at scale, through its real HTTP API on loopback:
 *
 * - **start jitter:** CHRONOS_JITTER_JOBS (default 200) jobs `R1/<T>/PT1H`, all due in the same
 *   second T, created with `POST /v1/scheduler/iso8601` before T, on no-op agents with room for all
 *   of them at once. Per run: run created − T, accept sent (the SDK's accept call carrying the task
 *   leaves Chronos) − T, Chronos' recorded `launchedAt` − T, and TASK_RUNNING seen by Chronos − T.
 *   The stages in between (run written to the store, revive, offers received) are timed too, to say
 *   where the time goes. CHRONOS_ROUNDS rounds (default 2: the first one in a cold process).
 * - **API at scale:** CHRONOS_API_JOBS (default 10,000) jobs created over HTTP, then `GET /jobs`,
 *   `/jobs/summary` and `/jobs/search` queries, each CHRONOS_API_REPEAT (default 20) times, timed by
 *   curl in its own process (dev mode).
 *
 * Dev mode: master, agents and Chronos in this process on the in-process bus, Chronos' state in a
 * file store (fsync'd), as `agora dev` runs them. Over NATS: the `agora master` process, the agents in
 * a process of their own, Chronos here with its state in JetStream KV. CHRONOS_SCENARIOS=dev,nats,api
 * picks scenarios; CHRONOS_PROFILE=<path prefix> writes CPU profiles of the measured windows.
 */
const jitterJobs = Number(process.env.CHRONOS_JITTER_JOBS ?? 200);
const rounds = Number(process.env.CHRONOS_ROUNDS ?? 2);
const apiJobs = Number(process.env.CHRONOS_API_JOBS ?? 10_000);
const apiRepeat = Number(process.env.CHRONOS_API_REPEAT ?? 20);
const agentCount = 10;
/** The master's allocation interval: `agora master`'s and `agora dev`'s default. */
const allocationIntervalMs = 1000;
/** How far ahead of now the slot is put (rounded up to a whole second). */
const leadMs = Number(process.env.CHRONOS_LEAD_MS ?? 10_000);
const silent = pino({ level: "silent" });
const execFileAsync = promisify(execFile);

interface JitterResult {
  scenario: string;
  round: number;
  jobs: number;
  /** Which try this was (an earlier one created its jobs too slowly to beat the slot). */
  attempt: number;
  createMs: number;
  /** Each POST /v1/scheduler/iso8601 (one after another), and the store puts made meanwhile. */
  createPost: LatencySummary;
  createPuts: PutStats;
  marginMs: number;
  created: LatencySummary;
  stored: LatencySummary;
  acceptSent: LatencySummary;
  launchedAt: LatencySummary;
  /** TASK_RUNNING update at Chronos' bus subscription, before the SDK's one-at-a-time handler queue. */
  runningArrived: LatencySummary;
  running: LatencySummary;
  firstCreatedMs: number;
  /** Store puts from the slot until the last run was RUNNING: how many, and their duration. */
  puts: PutStats;
  /** Run succeeded (the no-op task's TASK_FINISHED handled) − slot. */
  succeeded: LatencySummary;
  /** Milliseconds after the slot: revives sent, offers events received (with their offer counts). */
  revives: number[];
  offers: { atMs: number; offers: number }[];
  accepts: { atMs: number; tasks: number }[];
}

interface PutStats {
  count: number;
  p50Ms: number;
  p99Ms: number;
  sumMs: number;
}

interface ApiRow {
  scenario: string;
  request: string;
  repeats: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  bytes: number;
  items: number;
}

interface ApiResult {
  jobs: number;
  createMs: number;
  createPerSecond: number;
  inFlight: number;
  /** How long the store kept writing after the last POST answered (before the GETs were timed). */
  settleMs: number;
  rows: ApiRow[];
}

/** What passes between Chronos and the rest, timestamped: calls it sends and events it receives. */
interface Probe {
  calls: { type: string; at: number; taskIds: string[] }[];
  events: { type: string; at: number; offers: number }[];
  /** First completed store write per key. */
  putDone: Map<string, number>;
  /** When each task's TASK_RUNNING update reached Chronos' bus subscription (before its handler queue). */
  runningArrived: Map<string, number>;
  /** Every store put: when it started and how long it took. */
  puts: { at: number; ms: number }[];
}

function probedBus(inner: Bus, probe: Probe): Bus {
  const text = new TextDecoder();
  const onCall = (subject: string, data: Uint8Array) => {
    if (!subject.endsWith(".master.call")) return;
    // Stamped before parsing: an accept of 200 tasks takes a while to parse on a busy machine.
    const at = Date.now();
    const call = JSON.parse(text.decode(data)) as {
      type: string;
      operations?: { type: string; tasks?: { taskId: string }[] }[];
    };
    const taskIds = (call.operations ?? []).flatMap((o) => (o.tasks ?? []).map((t) => t.taskId));
    probe.calls.push({ type: call.type, at, taskIds });
  };
  return {
    publish(subject, data) {
      onCall(subject, data);
      inner.publish(subject, data);
    },
    request(subject, data, opts) {
      onCall(subject, data);
      return inner.request(subject, data, opts);
    },
    subscribe(subject, handler, opts) {
      if (!subject.includes(".framework.")) return inner.subscribe(subject, handler, opts);
      return inner.subscribe(
        subject,
        (msg) => {
          const at = Date.now();
          const e = JSON.parse(text.decode(msg.data)) as {
            type?: string;
            offers?: unknown[];
            status?: { taskId: string; state: string };
          };
          probe.events.push({ type: e.type ?? "?", at, offers: e.offers?.length ?? 0 });
          if (e.status?.state === "TASK_RUNNING" && !probe.runningArrived.has(e.status.taskId))
            probe.runningArrived.set(e.status.taskId, at);
          return handler(msg);
        },
        opts,
      );
    },
    flush: () => inner.flush(),
    close: () => inner.close(),
  };
}

function probedStore(inner: StateStore, probe: Probe): StateStore {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "put")
        return async (key: string, value: Uint8Array, opts?: Parameters<StateStore["put"]>[2]) => {
          const start = Date.now();
          const t = nowMs();
          const rev = await target.put(key, value, opts);
          probe.puts.push({ at: start, ms: nowMs() - t });
          if (!probe.putDone.has(key)) probe.putDone.set(key, Date.now());
          return rev;
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Master, agents and a Chronos whose bus and store are probed; Chronos' state under a fresh bucket or dir. */
async function startStack(topology: Topology, resources: string, bucket: string) {
  const master = await topology.startMaster(allocationIntervalMs);
  const agents = resources ? await topology.startAgents(agentCount, resources, "noop") : undefined;
  const bus = await topology.frameworkBus();
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-bench-chronos-"));
  const nats = topology.name.startsWith("over NATS");
  const store: StateStore = nats
    ? await JetStreamStateStore.open((bus as NatsBus).connection, { bucket })
    : await FileStateStore.open(dir);
  const probe: Probe = { calls: [], events: [], putDone: new Map(), runningArrived: new Map(), puts: [] };
  const chronos = await startChronos({
    bus: probedBus(bus, probe),
    store: probedStore(store, probe),
    host: "127.0.0.1",
    hostname: "127.0.0.1",
    port: 0,
    logger: silent,
  });
  await chronos.runtime.start();
  return {
    chronos,
    probe,
    async stop() {
      await chronos.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      await agents?.stop();
      await master.stop();
      await topology.close();
    },
  };
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: "POST", body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 204) throw new Error(`POST ${url}: ${res.status} ${text}`);
}

/** Runs `items` through `fn` with at most `inFlight` at once. */
async function pool<T>(items: readonly T[], inFlight: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
}

async function jitterRound(
  chronos: RunningChronos,
  probe: Probe,
  scenario: string,
  round: number,
  attempt: number,
  lead: number,
): Promise<JitterResult | undefined> {
  probe.calls.length = 0;
  probe.events.length = 0;
  probe.puts.length = 0;
  const slot = Math.ceil((Date.now() + lead) / 1000) * 1000;
  const schedule = `R1/${new Date(slot).toISOString()}/PT1H`;
  const names = Array.from(
    { length: jitterJobs },
    (_, i) => `jitter-${round}-${attempt}-${String(i).padStart(4, "0")}`,
  );
  const created = new Map<string, { at: number; key: string }>();
  const started = new Map<string, { at: number; launchedAt: number; taskId: string }>();
  const succeeded = new Map<string, number>();
  let resolveAll!: () => void;
  const allDone = new Promise<void>((r) => {
    resolveAll = r;
  });
  const off = chronos.runtime.onEvent((e: ChronosEvent) => {
    if (!e.run || !e.jobName.startsWith(`jitter-${round}-${attempt}-`)) return;
    if (e.type === "run_created") {
      const token = (s: string) => Buffer.from(s, "utf8").toString("base64url");
      created.set(e.jobName, { at: Date.now(), key: `chronos.runs.${token(e.jobName)}.${token(e.run.id)}` });
    }
    if (e.type === "run_started") {
      const a = e.run.attempts[0]!;
      started.set(e.jobName, { at: Date.now(), launchedAt: Date.parse(a.launchedAt!), taskId: a.taskId });
    }
    if (e.type === "run_succeeded" || e.type === "run_failed") {
      succeeded.set(e.jobName, Date.now());
      if (succeeded.size === jitterJobs) resolveAll();
    }
  });

  const t0 = nowMs();
  const postMs: number[] = [];
  for (const name of names) {
    const tp = nowMs();
    await post(`${chronos.url}/v1/scheduler/iso8601`, {
      name,
      command: "true",
      schedule,
      cpus: 0.1,
      mem: 32,
      disk: 16,
    });
    postMs.push(nowMs() - tp);
  }
  const createMs = nowMs() - t0;
  const createPuts = putStats(probe.puts);
  probe.puts.length = 0;
  const marginMs = slot - Date.now();
  if (marginMs <= 0) {
    off();
    process.stderr.write(
      `${scenario}: creating ${jitterJobs} jobs took ${Math.round(createMs)} ms, past the slot\n`,
    );
    // Let the late jobs' catch-up runs finish before the next attempt.
    await new Promise((r) => setTimeout(r, 5000));
    return undefined;
  }
  const timeout = setTimeout(() => resolveAll(), marginMs + 60_000);
  const profiling = process.env.CHRONOS_PROFILE
    ? // From 2 s before the slot: Chronos takes the slot (and plans its launch) ahead of it.
      new Promise<void>((r) => setTimeout(r, Math.max(0, marginMs - 2000))).then(() => startProfile())
    : undefined;
  await allDone;
  if (profiling)
    await stopProfile(
      await profiling,
      `${process.env.CHRONOS_PROFILE}-${scenario.replace(/ /g, "-")}-${round}.cpuprofile`,
    );
  clearTimeout(timeout);
  off();
  if (succeeded.size < jitterJobs)
    throw new Error(`${scenario}: only ${succeeded.size} of ${jitterJobs} runs finished within 60 s`);

  const acceptAt = new Map<string, number>();
  for (const c of probe.calls)
    if (c.type === "accept") for (const id of c.taskIds) if (!acceptAt.has(id)) acceptAt.set(id, c.at);
  const rel = (t: number) => t - slot;
  const runs = names.map((n) => ({ n, c: created.get(n)!, s: started.get(n)! }));
  return {
    scenario,
    round,
    attempt,
    jobs: jitterJobs,
    createMs: Math.round(createMs),
    createPost: summarize(postMs),
    createPuts,
    marginMs,
    created: summarize(runs.map((r) => rel(r.c.at))),
    stored: summarize(runs.map((r) => rel(probe.putDone.get(r.c.key) ?? Number.NaN))),
    acceptSent: summarize(runs.map((r) => rel(acceptAt.get(r.s.taskId) ?? Number.NaN))),
    launchedAt: summarize(runs.map((r) => rel(r.s.launchedAt))),
    runningArrived: summarize(runs.map((r) => rel(probe.runningArrived.get(r.s.taskId) ?? Number.NaN))),
    running: summarize(runs.map((r) => rel(r.s.at))),
    succeeded: summarize(runs.map((r) => rel(succeeded.get(r.n)!))),
    firstCreatedMs: Math.min(...runs.map((r) => rel(r.c.at))),
    puts: putStats(probe.puts.filter((p) => p.at >= slot && p.at <= Math.max(...runs.map((r) => r.s.at)))),
    revives: probe.calls.filter((c) => c.type === "revive").map((c) => rel(c.at)),
    offers: probe.events
      .filter((e) => e.type === "offers")
      .map((e) => ({ atMs: rel(e.at), offers: e.offers })),
    accepts: probe.calls
      .filter((c) => c.type === "accept")
      .map((c) => ({ atMs: rel(c.at), tasks: c.taskIds.length })),
  };
}

/** CHRONOS_PROFILE=<path prefix>: a CPU profile of this process from just before the slot until every run finished. */
async function startProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 100 });
  await post("Profiler.start");
  return session;
}

async function stopProfile(session: Session, file: string): Promise<void> {
  const { profile } = await new Promise<{ profile: object }>((resolve, reject) =>
    session.post("Profiler.stop", (err, res) => (err ? reject(err) : resolve(res))),
  );
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
}

function putStats(puts: readonly { ms: number }[]): PutStats {
  const s = summarize(puts.map((p) => p.ms));
  return {
    count: puts.length,
    p50Ms: s.p50Ms,
    p99Ms: s.p99Ms,
    sumMs: Math.round(puts.reduce((n, p) => n + p.ms, 0)),
  };
}

async function jitterScenario(topology: Topology, scenario: string, out: JitterResult[]): Promise<void> {
  // Room for every job at once on each agent (cpus 0.1, mem 32, disk 16 each).
  const stack = await startStack(
    topology,
    "cpus:24;mem:16384;disk:16384;ports:[31000-31999]",
    "agora_bench_chronos_j",
  );
  try {
    for (let round = 1; round <= rounds; round++) {
      // The slot must lie after the last job is created: on a busy machine, try again further ahead.
      let r: JitterResult | undefined;
      for (let attempt = 1; !r; attempt++) {
        if (attempt > 3) throw new Error(`${scenario}: creating ${jitterJobs} jobs kept missing the slot`);
        r = await jitterRound(
          stack.chronos,
          stack.probe,
          scenario,
          round,
          attempt,
          leadMs * 2 ** (attempt - 1),
        );
      }
      process.stderr.write(
        `${scenario} round ${round}: created in ${r.createMs} ms; accept − slot p50 ${r.acceptSent.p50Ms} p99 ${r.acceptSent.p99Ms} ms; RUNNING p99 ${r.running.p99Ms} ms\n`,
      );
      out.push(r);
    }
  } finally {
    await stack.stop();
  }
}

const team = (i: number) => `team${i % 10}`;
const apiJobName = (i: number) => `${team(i)}-job-${String(i).padStart(5, "0")}`;

/** Jobs created over HTTP (9 in 10 scheduled a year out, 1 in 10 dependent), then timed GETs. */
async function apiScenario(topology: Topology, scenario: string): Promise<ApiResult> {
  const stack = await startStack(topology, "", "agora_bench_chronos_api");
  const { url } = stack.chronos;
  try {
    const inFlight = 16;
    const ids = Array.from({ length: apiJobs }, (_, i) => i);
    const t0 = nowMs();
    const create = async (i: number) => {
      const common = {
        name: apiJobName(i),
        command: `/opt/${team(i)}/bin/task-${i % 97} --run`,
        owner: "ops@example.com",
      };
      if (i % 10 === 9)
        await post(`${url}/v1/scheduler/dependency`, { ...common, parents: [apiJobName(i - 1)] });
      else await post(`${url}/v1/scheduler/iso8601`, { ...common, schedule: "R/2027-12-01T00:00:00Z/P1D" });
    };
    const profile = process.env.CHRONOS_PROFILE;
    let session = profile ? await startProfile() : undefined;
    // Parents first: a dependent job's parent must exist.
    await pool(
      ids.filter((i) => i % 10 !== 9),
      inFlight,
      create,
    );
    await pool(
      ids.filter((i) => i % 10 === 9),
      inFlight,
      create,
    );
    const createMs = nowMs() - t0;
    // The GETs are timed once the store has digested the creations (no put started for 1 s, at
    // most 60 s): a GET racing 20,000 queued writes measures the writes, not the listing.
    const settled = nowMs();
    for (let seen = -1; seen !== stack.probe.puts.length && nowMs() - settled < 60_000; ) {
      seen = stack.probe.puts.length;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const settleMs = Math.round(nowMs() - settled - 1000);
    if (session) await stopProfile(session, `${profile}-api-create.cpuprofile`);
    session = profile ? await startProfile() : undefined;
    const last = apiJobName(apiJobs - 1);
    const requests = [
      "/v1/scheduler/jobs",
      "/v1/scheduler/jobs/summary",
      `/v1/scheduler/jobs/search?name=${last}`,
      "/v1/scheduler/jobs/search?name=no-such-job",
      "/v1/scheduler/jobs/search?name=team3",
      "/v1/scheduler/jobs/search?any=task-42&limit=1000",
      "/v1/scheduler/jobs/search?any=TEAM7-JOB&limit=100000",
    ];
    const rows: ApiRow[] = [];
    for (const request of requests) {
      const times: number[] = [];
      const res = await fetch(`${url}${request}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET ${request}: ${res.status} ${text.slice(0, 200)}`);
      const body = JSON.parse(text) as unknown[] | { jobs: unknown[] };
      const items = Array.isArray(body) ? body.length : body.jobs.length;
      let bytes = 0;
      // Timed by curl, a client in its own process, so that reading the response costs Chronos' event loop nothing.
      for (let i = 0; i < apiRepeat + 1; i++) {
        const { stdout } = await execFileAsync("curl", [
          "-s",
          "-o",
          "/dev/null",
          "-w",
          "%{http_code} %{time_total} %{size_download}",
          `${url}${request}`,
        ]);
        const [code, seconds, size] = stdout.trim().split(" ");
        if (code !== "200") throw new Error(`GET ${request}: ${code}`);
        if (i === 0) continue; // warm-up
        times.push(Number(seconds) * 1000);
        bytes = Number(size);
      }
      const s = summarize(times);
      rows.push({
        scenario,
        request,
        repeats: s.samples,
        p50Ms: s.p50Ms,
        p99Ms: s.p99Ms,
        maxMs: s.maxMs,
        bytes,
        items,
      });
      process.stderr.write(`${scenario} GET ${request}: p50 ${s.p50Ms} ms, ${bytes} bytes\n`);
    }
    if (session) await stopProfile(session, `${profile}-api-get.cpuprofile`);
    return {
      jobs: apiJobs,
      createMs: Math.round(createMs),
      createPerSecond: Math.round((apiJobs / createMs) * 1000),
      settleMs,
      inFlight,
      rows,
    };
  } finally {
    await stack.stop();
  }
}

const ms = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(x < 10 ? 1 : 0));
const trio = (s: LatencySummary) => `${ms(s.p50Ms)} / ${ms(s.p99Ms)} / ${ms(s.maxMs)}`;

/** Writes bench/results/chronos.json and returns the two Markdown tables. */
export default async function chronosBench(): Promise<string> {
  const jitter: JitterResult[] = [];
  const api: (ApiResult & { scenario: string })[] = [];
  const keepAlive = setInterval(() => {}, 1000);
  const only = process.env.CHRONOS_SCENARIOS?.split(",");
  const want = (s: string) => !only || only.includes(s);
  if (want("dev")) await jitterScenario(inProcess(), "dev mode", jitter);
  if (want("nats"))
    await withNatsServer((natsUrl, port) => jitterScenario(overNats(natsUrl, port), "over NATS", jitter));
  if (want("api")) api.push({ scenario: "dev mode", ...(await apiScenario(inProcess(), "dev mode")) });
  clearInterval(keepAlive);

  const dir = path.resolve(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "chronos.json"),
    `${JSON.stringify({ machine: machine(), command: "BENCH=chronos npm run bench", allocationIntervalMs, jitter, api }, null, 2)}\n`,
  );
  return [
    `Start jitter: ${jitterJobs} jobs due in the same second on ${agentCount} no-op agents; ms after the slot, p50 / p99 / max.`,
    "",
    "| scenario | round | create (HTTP) | run created | run stored | accept sent | launchedAt | RUNNING reaches Chronos | RUNNING handled | revive at | offers at (count) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ...jitter.map(
      (r) =>
        `| ${r.scenario} | ${r.round} | ${r.createMs} ms | ${trio(r.created)} | ${trio(r.stored)} | ${trio(r.acceptSent)} | ${trio(r.launchedAt)} | ${trio(r.runningArrived)} | ${trio(r.running)} | ${r.revives.map(ms).join(", ")} | ${r.offers
          // Chronos revives and takes its offers up to a second before the slot (prepareAheadMs).
          .filter((o) => o.atMs >= -2000)
          .map((o) => `${ms(o.atMs)} (${o.offers})`)
          .join(", ")} |`,
    ),
    "",
    ...api.flatMap((a) => [
      `API: ${a.jobs} jobs created over HTTP in ${a.createMs} ms (${a.createPerSecond}/s, ${a.inFlight} in flight), ${a.scenario}; the store settled ${a.settleMs} ms later.`,
      "",
      "| request | items | bytes | p50 ms | p99 ms | max ms |",
      "|---|---:|---:|---:|---:|---:|",
      ...a.rows.map(
        (r) =>
          `| \`${r.request}\` | ${r.items} | ${r.bytes} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${ms(r.maxMs)} |`,
      ),
    ]),
  ].join("\n");
}
