import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SERVER_NODE_FLAGS } from "../node-flags.js";

/** The `agora` entry point of this installation, to start the master, Marathon and Chronos as processes. */
const AGORA_BIN = fileURLToPath(new URL("../../bin/agora.js", import.meta.url));

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** A free TCP port on loopback (the OS picks it; a race with another process is unlikely and fails loudly). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** A child process the simulator started and must end (only it, by its pid). */
export interface Started {
  readonly pid: number;
  readonly url: string;
  /** The exit code (or signal) once the process has ended by itself; undefined while it runs. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): () => string | undefined {
  return () => (child.exitCode !== null ? `code ${child.exitCode}` : (child.signalCode ?? undefined));
}

/**
 * Every child started here and still running. Should the simulator end without stopping them (an
 * uncaught error, a kill of its pid alone), its exit takes them along: nothing it started outlives it.
 */
const running = new Set<ChildProcess>();
/** Temporary directories to remove should the simulator exit before it removed them itself. */
const scratch = new Set<string>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Creates a temporary directory that is removed at exit at the latest; `rm` it earlier as usual. */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(prefix);
  scratch.add(dir);
  return dir;
}

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function waitFor(what: string, child: ChildProcess, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

/**
 * `nats-server` with JetStream on loopback, and its monitoring port (for per-connection queue depths).
 * Its log goes to `logFile`: why it closed a connection (a slow consumer, a stale one) is told only there.
 */
export async function startNats(logFile: string): Promise<Started & { monitorUrl: string }> {
  for (let attempt = 1; ; attempt++) {
    // nats-server appends to its log: only what this attempt wrote tells why it failed.
    const logged = await stat(logFile).then(
      (st) => st.size,
      () => 0,
    );
    try {
      return await startNatsOnce(logFile);
    } catch (err) {
      // A port found free can be taken before nats-server binds it (another process's outgoing
      // connection got it meanwhile: seen once, right after a previous run's teardown). New ports then.
      const log = await readFile(logFile).catch(() => Buffer.alloc(0));
      if (attempt >= PORT_ATTEMPTS || !log.subarray(logged).includes("address already in use")) throw err;
    }
  }
}

const PORT_ATTEMPTS = 3;

async function startNatsOnce(logFile: string): Promise<Started & { monitorUrl: string }> {
  const dir = await scratchDir(path.join(tmpdir(), "agora-simulate-nats-"));
  const [port, monitor] = [await freePort(), await freePort()];
  // A 100,000-task launch burst is ~100 MB of accepts for the master to read, on a machine that may
  // give it a third of a core: with nats-server's defaults (64 MB pending, 2 s write deadline) the
  // master was cut off as a slow consumer and what was in flight lost. nats-server closes a client
  // whose socket takes all that was pending at one flush (35 MB seen) longer than the deadline, so the
  // deadline must cover the master reading that much at its slowest: at a load of 19 on 2 cores it read
  // < 1.2 MB/s and 30 s cut it off (2026-12-03 08:03). Operators of large clusters raise both the same way.
  const config = path.join(dir, "nats-server.conf");
  await writeFile(config, 'max_pending: 536870912\nwrite_deadline: "2m"\n');
  const args = [
    "-c",
    config,
    "-l",
    logFile,
    "-a",
    "127.0.0.1",
    "-p",
    String(port),
    "-m",
    String(monitor),
    "-js",
    "-sd",
    dir,
  ];
  const child = track(spawn("nats-server", args, { stdio: "ignore" }));
  const monitorUrl = `http://127.0.0.1:${monitor}`;
  try {
    await waitFor("nats-server", child, async () => (await fetch(`${monitorUrl}/healthz`)).ok);
  } catch (err) {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    pid: child.pid!,
    url: `nats://127.0.0.1:${port}`,
    monitorUrl,
    exited: exitOf(child),
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface MasterProcessOptions {
  nats: string;
  cluster: string;
  /** Short ping timeouts so churned agents are found gone within seconds, not Mesos' 75 s. */
  fastFailureDetection: boolean;
  /** Writes a V8 CPU profile of the master into this directory when it exits. */
  cpuProfDir?: string;
  /** Its file name there (Node's default names it by date and pid). */
  cpuProfName?: string;
}

/** A real `agora master` process; resolves once it leads (its `/master/state` answers itself). */
export async function startMaster(o: MasterProcessOptions): Promise<Started> {
  const port = await freePort();
  const args = [
    // As the `agora` command runs it: node is started here by path, so the #! line is not read.
    ...SERVER_NODE_FLAGS,
    ...(o.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", o.cpuProfDir] : []),
    ...(o.cpuProfName ? ["--cpu-prof-name", o.cpuProfName] : []),
    AGORA_BIN,
    "master",
    "--nats",
    o.nats,
    "--cluster",
    o.cluster,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    ...(o.fastFailureDetection ? ["--agent-ping-timeout", "1secs", "--max-agent-ping-timeouts", "3"] : []),
    // One master and no standby: the lease only matters for a takeover. On this shared 2-core machine
    // (load 10-16) a 5,000-agent launch burst kept the 5 s lease's renewals (JetStream KV puts) from
    // completing within 5 s: the margin needed is the machine's, so the simulator gives its master 30 s.
    "--leader-lease-ttl",
    "30secs",
  ];
  return startAgoraProcess("agora master", args, `http://127.0.0.1:${port}`, async (url) => {
    const r = await fetch(`${url}/master/state-summary`, { redirect: "manual" });
    await r.body?.cancel();
    return r.status === 200;
  });
}

/**
 * A real `agora marathon` or `agora chronos` process on the cluster's NATS, leading alone on a file
 * store in `stateDir`; resolves once its API answers `/ping`.
 */
export async function startFrameworkProcess(
  role: "marathon" | "chronos",
  o: {
    nats: string;
    cluster: string;
    stateDir: string;
    /** Writes a V8 CPU profile, `<role>.cpuprofile`, into this directory when it exits. */
    cpuProfDir?: string | undefined;
  },
): Promise<Started> {
  const port = await freePort();
  const args = [
    ...(o.cpuProfDir
      ? ["--cpu-prof", "--cpu-prof-dir", o.cpuProfDir, "--cpu-prof-name", `${role}.cpuprofile`]
      : []),
    AGORA_BIN,
    role,
    ...["--nats", o.nats, "--cluster", o.cluster, "--host", "127.0.0.1"],
    ...["--http-port", String(port), "--state-dir", o.stateDir],
  ];
  return startAgoraProcess(
    `agora ${role}`,
    args,
    `http://127.0.0.1:${port}`,
    async (url) => (await fetch(`${url}/ping`)).ok,
  );
}

/** Spawns `node args` quietly (warnings on stderr, as JSON); resolves once `ready(url)` holds. */
async function startAgoraProcess(
  what: string,
  args: string[],
  url: string,
  ready: (url: string) => Promise<boolean>,
): Promise<Started> {
  const child = track(
    spawn(process.execPath, args, {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, AGORA_LOG_LEVEL: "warn", AGORA_LOG_FORMAT: "json" },
    }),
  );
  try {
    await waitFor(what, child, () => ready(url));
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { pid: child.pid!, url, exited: exitOf(child), stop: () => stopChild(child) };
}
