import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect as connectTcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager, StorageType } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { freePorts } from "./ports.js";

/** One running `nats-server` process started by the harness. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** The pid of the current process (changes on `restart`). */
  readonly pid: number;
  /** JetStream's store directory (inside the server's temp dir, which `stop` removes). */
  readonly storeDir: string;
  /** Ends the process (SIGTERM, then SIGKILL) and removes its temp dir. */
  stop(): Promise<void>;
  /** Sends a signal to this server alone (default SIGKILL), e.g. to fail one node of a cluster. */
  kill(signal?: NodeJS.Signals): void;
  /** Ends the process if it runs and starts it again on the same port with the same store. */
  restart(): Promise<void>;
}

export interface NatsClusterHandle {
  readonly urls: string[];
  readonly nodes: NatsServerHandle[];
  stop(): Promise<void>;
}

export interface StartNatsServerOptions {
  jetstream?: boolean;
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  /** A config file's text (e.g. `agora nats-config`'s authorization), loaded with `-c`; address and port still come from the harness. */
  config?: string;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 50;

/**
 * Starts a `nats-server` bound to 127.0.0.1 on a free port and resolves once it accepts
 * connections.
 *
 * @example
 * const nats = await startNatsServer({ jetstream: true });
 * const bus = await connectNatsBus({ servers: nats.url });
 * // ...
 * await bus.close();
 * await nats.stop();
 */
export async function startNatsServer(opts: StartNatsServerOptions = {}): Promise<NatsServerHandle> {
  const dir = await mkdtemp(join(tmpdir(), "agora-nats-"));
  const port = opts.port ?? (await freePorts(1))[0]!;
  const storeDir = join(dir, "jetstream");
  const args = ["-a", "127.0.0.1", "-p", String(port), "-l", join(dir, "server.log")];
  if (opts.jetstream) args.push("-js", "-sd", storeDir);
  if (opts.config !== undefined) {
    await writeFile(join(dir, "nats.conf"), opts.config, { mode: 0o600 });
    args.push("-c", join(dir, "nats.conf"));
  }
  const server = new ServerProcess(args, port, dir, storeDir);
  try {
    await server.start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/**
 * Starts `size` routed `nats-server`s (each with `server_name`, one cluster name, routes to all
 * others) and, with JetStream, resolves once every node answers JetStream API calls (a meta
 * leader exists).
 */
export async function startNatsCluster(
  size: number,
  opts: { jetstream?: boolean } = {},
): Promise<NatsClusterHandle> {
  const ports = await freePorts(size * 2);
  const clientPorts = ports.slice(0, size);
  const routePorts = ports.slice(size);
  const nodes: ServerProcess[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const dir = await mkdtemp(join(tmpdir(), `agora-nats-n${i + 1}-`));
      const storeDir = join(dir, "jetstream");
      const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p}`);
      const config = [
        `server_name: n${i + 1}`,
        `listen: 127.0.0.1:${clientPorts[i]}`,
        ...(opts.jetstream ? [`jetstream { store_dir: ${JSON.stringify(storeDir)} }`] : []),
        "cluster {",
        "  name: agora-test",
        `  listen: 127.0.0.1:${routePorts[i]}`,
        `  routes: [${routes.join(", ")}]`,
        "}",
        "",
      ].join("\n");
      const configFile = join(dir, "nats.conf");
      await writeFile(configFile, config);
      nodes.push(
        new ServerProcess(["-c", configFile, "-l", join(dir, "server.log")], clientPorts[i]!, dir, storeDir),
      );
    }
    await Promise.all(nodes.map((n) => n.start()));
    if (opts.jetstream) {
      await Promise.all(nodes.map((n) => waitForJetStream(n.url)));
      await waitForPlacement(nodes[0]!.url, size);
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
  return {
    urls: nodes.map((n) => n.url),
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

/** Resolves once a JetStream API call through `url` succeeds, i.e. the cluster has a meta leader. */
export async function waitForJetStream(url: string, timeoutMs = 30_000): Promise<void> {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: POLL_MS });
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 1_000 });
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        await jsm.getAccountInfo();
        return;
      } catch (err) {
        lastError = err;
        await delay(200);
      }
    }
    throw new Error(`JetStream at ${url} not ready after ${timeoutMs} ms`, { cause: lastError });
  } finally {
    await nc.close();
  }
}

/**
 * Resolves once a stream with `replicas` replicas can be placed: a meta leader answers account info
 * before it knows every peer, and an R3 bucket made then fails with "no suitable peers for placement".
 */
async function waitForPlacement(url: string, replicas: number, timeoutMs = 30_000): Promise<void> {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: POLL_MS });
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 2_000 });
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        await jsm.streams.add({
          name: "AGORA_PLACEMENT_PROBE",
          subjects: ["agora.placement.probe"],
          num_replicas: replicas,
          storage: StorageType.Memory,
        });
        await jsm.streams.delete("AGORA_PLACEMENT_PROBE");
        return;
      } catch (err) {
        lastError = err;
        await delay(200);
      }
    }
    throw new Error(`no stream of ${replicas} replicas placeable at ${url} after ${timeoutMs} ms`, {
      cause: lastError,
    });
  } finally {
    await nc.close();
  }
}

class ServerProcess implements NatsServerHandle {
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<unknown> = Promise.resolve();
  private readonly killOnExit = () => this.child?.kill("SIGKILL");

  constructor(
    private readonly args: string[],
    readonly port: number,
    private readonly dir: string,
    readonly storeDir: string,
  ) {
    this.url = `nats://127.0.0.1:${port}`;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  async start(): Promise<void> {
    const child = spawn("nats-server", this.args, { stdio: ["ignore", "ignore", "pipe"] });
    this.child = child;
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (s: string) => {
      if (stderr.length < 4096) stderr += s;
    });
    this.exited = new Promise((resolve) => child.once("exit", resolve));
    // A test that throws before stop() must not leave servers behind.
    process.once("exit", this.killOnExit);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`nats-server ${this.args.join(" ")} exited early: ${stderr.trim()}`);
      }
      if (await acceptsNats(this.port)) return;
      await delay(POLL_MS);
    }
    throw new Error(
      `nats-server on port ${this.port} did not accept connections within ${READY_TIMEOUT_MS} ms`,
    );
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.running()) this.child!.kill(signal);
  }

  async restart(): Promise<void> {
    await this.end();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.end();
    await rm(this.dir, { recursive: true, force: true });
  }

  private running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async end(): Promise<void> {
    process.removeListener("exit", this.killOnExit);
    if (!this.running()) return;
    this.child!.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS);
    });
    const outcome = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      this.child!.kill("SIGKILL");
      await this.exited;
    }
  }
}

/** True when a TCP connection to the port gets the server's `INFO` greeting. */
function acceptsNats(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (chunk) => done(chunk.toString("latin1").startsWith("INFO")));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
