import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packTasks, Scheduler, type TaskSpec } from "@agora/framework-sdk";
import {
  isTerminalState,
  type Offer,
  type TaskInfo,
  type TaskInfoInput,
  type TaskStatus,
} from "@agora/protocol";
import { connectNatsBus, type NatsBus } from "@agora/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerAvailable, TEST_IMAGE } from "../packages/agent/src/test-support/docker-available.js";
import { startMaster, waitForAgents } from "./harness/cluster.js";
import { startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { httpJson, type Spawned, spawnAgora } from "./harness/processes.js";
import { EventStreamReader } from "./harness/sse.js";
import { waitFor } from "./harness/wait.js";

interface AgentState {
  frameworks: Array<{ executors: Array<{ id: string; directory: string }> }>;
  completed_frameworks: AgentState["frameworks"];
}

const isRoot = process.getuid?.() === 0;
/** A URI whose fetch would fail the task with another message: seen only if the refusal came late. */
const NEVER_FETCHED = "file:///nonexistent/agora-never-fetched.tgz";
const EXECUTOR_SCRIPT = fileURLToPath(new URL("./harness/mesos-executor.mjs", import.meta.url));

/** A task the SDK packs, or one on the framework's own executor (placed as is, with small resources). */
type Spec =
  | (TaskSpec & { taskId: string })
  | { taskId: string; name: string; executor: TaskInfoInput["executor"]; data: string };
const docker = await dockerAvailable();
const nobody = { uid: 65534, gid: 65534 };

/**
 * A framework in the test process (the SDK over NATS) that runs one task at a time on the agent
 * whose hostname it names, and keeps every status it is sent.
 */
class OneShotFramework {
  readonly statuses: TaskStatus[] = [];
  private pending: Array<{ hostname: string; spec: Spec }> = [];

  private constructor(
    private readonly bus: NatsBus,
    readonly scheduler: Scheduler,
  ) {}

  static async start(natsUrl: string, name = "task-security", user?: string): Promise<OneShotFramework> {
    const bus = await connectNatsBus({ servers: [natsUrl] });
    const scheduler = new Scheduler({
      bus,
      // Checkpointing: its tasks outlive an agent restart.
      framework: { name, roles: ["*"], checkpoint: true, ...(user === undefined ? {} : { user }) },
    });
    const f = new OneShotFramework(bus, scheduler);
    scheduler.on("update", (status) => void f.statuses.push(status));
    scheduler.on("offers", (offers) => void f.onOffers(offers));
    await scheduler.subscribe();
    return f;
  }

  /** Runs `spec` on the agent called `hostname`; resolves with its first status `until` accepts (default: terminal). */
  async run(
    hostname: string,
    spec: Spec,
    until: (s: TaskStatus) => boolean = (s) => isTerminalState(s.state),
  ): Promise<TaskStatus> {
    this.pending.push({ hostname, spec });
    await this.scheduler.revive();
    return this.statusOf(spec.taskId, until);
  }

  /** The first status of `taskId` that `until` accepts, once it has come. */
  statusOf(taskId: string, until: (s: TaskStatus) => boolean): Promise<TaskStatus> {
    return waitFor(`a status of ${taskId}`, () => this.statuses.find((s) => s.taskId === taskId && until(s)));
  }

  private async onOffers(offers: Offer[]): Promise<void> {
    const unused: Offer[] = [];
    for (const offer of offers) {
      const i = this.pending.findIndex((p) => p.hostname === offer.hostname);
      if (i < 0) {
        unused.push(offer);
        continue;
      }
      const { spec } = this.pending.splice(i, 1)[0]!;
      if ("executor" in spec) {
        const resources = [
          { name: "cpus", scalar: 0.1 },
          { name: "mem", scalar: 32 },
        ];
        await this.scheduler.launch(offer, [{ ...spec, agentId: offer.agentId, resources }] as TaskInfo[]);
        continue;
      }
      const { launches } = packTasks([offer], [spec]);
      await this.scheduler.launch(offer, launches[0]!.tasks);
    }
    // Long enough for the allocator to offer them to another framework; `run` revives (clearing it).
    if (unused.length > 0)
      await this.scheduler.decline(
        unused.map((o) => o.id),
        { refuseSeconds: 30 },
      );
  }

  async close(): Promise<void> {
    await this.scheduler.close().catch(() => {});
    await this.bus.close();
  }
}

/**
 * Safe tasks with real processes: an `agora master` and `agora agent`s (run by root, as on a cluster)
 * over a real nats-server, a framework on the SDK launching tasks that ask for a user, a privileged
 * container or a host path, or carry a secret.
 */
describe("task security (issue 15: tasks)", () => {
  let nats: Awaited<ReturnType<typeof startNatsServer>>;
  let dir: string;
  let masterUrl: string;
  let framework: OneShotFramework;
  let events: EventStreamReader<unknown>;
  const agentUrls = new Map<string, string>();
  const procs: Spawned[] = [];

  const startAgent = async (hostname: string, flags: string[], port?: number) => {
    port ??= await freePort();
    const workDir = path.join(dir, hostname);
    const agent = spawnAgora([
      "agent",
      ...["--nats", nats.url, "--host", "127.0.0.1", "--port", String(port)],
      ...["--work-dir", workDir, "--hostname", hostname],
      ...["--resources", "cpus:4;mem:2048;disk:1024;ports:[31000-31100]"],
      ...flags,
    ]);
    procs.push(agent);
    agentUrls.set(hostname, `http://127.0.0.1:${port}`);
    return { agent, port };
  };

  const sandboxOf = async (hostname: string, taskId: string) => {
    const state = await httpJson<AgentState>(`${agentUrls.get(hostname)}/state`);
    const executors = [...state.frameworks, ...state.completed_frameworks].flatMap((f) => f.executors);
    return executors.find((e) => e.id === taskId)!.directory;
  };

  const shell = (taskId: string, value: string, extra: Partial<NonNullable<TaskSpec["command"]>> = {}) => ({
    taskId,
    name: taskId,
    resources: { cpus: 0.1, mem: 32 },
    command: { value, ...extra },
  });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-task-security-"));
    // Sandboxes live under it: tasks run as other users must be able to reach theirs.
    chmodSync(dir, 0o755);
    nats = await startNatsServer({ jetstream: true });
    const master = await startMaster(nats.url);
    procs.push(master.proc);
    masterUrl = master.url;
    await startAgent("strict", []);
    await startAgent("no-switch", ["--no-switch-user"]);
    await startAgent("host-volumes", ["--allow-host-volumes"]);
    await waitForAgents(masterUrl, 3);
    // Once it leads (agents registered): a master that does not lead yet redirects to the leader.
    events = await new EventStreamReader<unknown>().open(`${masterUrl}/master/events`);
    framework = await OneShotFramework.start(nats.url);
  });

  afterAll(async () => {
    await events?.close();
    await framework?.close();
    for (const p of procs.reverse()) await p.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe.skipIf(!isRoot)("users", () => {
    it("runs a task as the user it asks for: its uid, gid and HOME, and a sandbox it owns", async () => {
      const status = await framework.run(
        "strict",
        shell("as-nobody", 'echo "uid=$(id -u) gid=$(id -g) home=$HOME"; touch mine', { user: "nobody" }),
      );
      expect(status.state).toBe("TASK_FINISHED");
      const sandbox = await sandboxOf("strict", "as-nobody");
      expect(readFileSync(path.join(sandbox, "stdout"), "utf8")).toBe(
        `uid=${nobody.uid} gid=${nobody.gid} home=/nonexistent\n`,
      );
      for (const file of ["", "stdout", "stderr", "mine"]) {
        expect(statSync(path.join(sandbox, file)), file || "the sandbox").toMatchObject(nobody);
      }
      expect(statSync(sandbox).mode & 0o777, "the sandbox's mode").toBe(0o750);
    });

    it("confines a task run as another user in its cgroup from its first process on", async () => {
      const state = await httpJson<{ isolation: { cgroups: string } }>(`${agentUrls.get("strict")}/state`);
      if (state.isolation.cgroups === "none") return; // no writable hierarchy here: nothing to join
      // Forked at once, before an agent writing pids after spawn could have moved it.
      const status = await framework.run(
        "strict",
        shell("confined-nobody", "(cat /proc/self/cgroup) & wait; id -u", { user: "nobody" }),
      );
      expect(status.state).toBe("TASK_FINISHED");
      const out = readFileSync(path.join(await sandboxOf("strict", "confined-nobody"), "stdout"), "utf8");
      expect(out).toMatch(/agora\/[^\n]*confined-nobody/);
      expect(out.trim().split("\n").at(-1)).toBe(String(nobody.uid));
    });

    it("runs its health check commands as that user too", async () => {
      const checked = await framework.run(
        "strict",
        {
          ...shell("checked-as-nobody", "sleep 60", { user: "nobody" }),
          healthCheck: {
            type: "COMMAND",
            command: { value: `[ "$(id -u)" = ${nobody.uid} ]` },
            delaySeconds: 0,
            intervalSeconds: 0.2,
            gracePeriodSeconds: 0,
          },
        },
        (s) => s.healthy !== undefined || isTerminalState(s.state),
      );
      expect(checked.healthy).toBe(true);
      await framework.scheduler.kill(checked.taskId, checked.agentId);
      await framework.statusOf("checked-as-nobody", (s) => isTerminalState(s.state));
    });

    it("runs a task that names no user as its framework's user (FrameworkInfo.user), as Mesos", async () => {
      const other = await OneShotFramework.start(nats.url, "framework-user", "nobody");
      try {
        expect((await other.run("strict", shell("framework-user", "id -u"))).state).toBe("TASK_FINISHED");
        expect(readFileSync(path.join(await sandboxOf("strict", "framework-user"), "stdout"), "utf8")).toBe(
          `${nobody.uid}\n`,
        );
      } finally {
        // Torn down, not only closed: offers sent to a framework that left would hang until they expire.
        await other.scheduler.teardown();
        await other.close();
      }
    });

    it("runs a task that names no user as the agent's user (root)", async () => {
      const status = await framework.run("strict", shell("as-agent", "id -u"));
      expect(status.state).toBe("TASK_FINISHED");
      const sandbox = await sandboxOf("strict", "as-agent");
      expect(readFileSync(path.join(sandbox, "stdout"), "utf8")).toBe("0\n");
      // Out of reach of tasks run as other users.
      expect(statSync(sandbox)).toMatchObject({ uid: 0, gid: 0 });
      expect(statSync(sandbox).mode & 0o777, "the sandbox's mode").toBe(0o750);
    });

    it("fails a task whose user does not exist, naming the user, before fetching anything for it", async () => {
      const status = await framework.run(
        "strict",
        shell("as-ghost", "true", { user: "agora-no-such-user", uris: [{ value: NEVER_FETCHED }] }),
      );
      expect(status).toMatchObject({
        state: "TASK_FAILED",
        reason: "REASON_TASK_INVALID",
        message: "user 'agora-no-such-user' (command.user) does not exist on this agent",
      });
    });

    it("with --no-switch-user runs every task as the agent's user, whatever it asks", async () => {
      const status = await framework.run("no-switch", shell("not-switched", "id -u", { user: "nobody" }));
      expect(status.state).toBe("TASK_FINISHED");
      expect(readFileSync(path.join(await sandboxOf("no-switch", "not-switched"), "stdout"), "utf8")).toBe(
        "0\n",
      );
    });
  });

  describe.skipIf(!isRoot)("users after an agent restart", () => {
    it("runs a recovered task's health checks as its user still", async () => {
      const { agent, port } = await startAgent("restarting", []);
      await waitForAgents(masterUrl, 4);
      // Each check appends the uid it ran as to a file in the sandbox.
      const running = await framework.run(
        "restarting",
        {
          ...shell("checked-across-restart", "sleep 600", { user: "nobody" }),
          healthCheck: {
            type: "COMMAND",
            command: { value: "id -u >> checks" },
            delaySeconds: 0,
            intervalSeconds: 0.2,
            gracePeriodSeconds: 0,
          },
        },
        (s) => s.state === "TASK_RUNNING" || isTerminalState(s.state),
      );
      expect(running.state).toBe("TASK_RUNNING");
      const checks = path.join(await sandboxOf("restarting", "checked-across-restart"), "checks");
      const lines = () => readFileSync(checks, "utf8").trim().split("\n");
      await waitFor("a first check", () => existsSync(checks) && lines().length > 0);
      // SIGTERM leaves a checkpointing agent's tasks running for the next agent process.
      await agent.stop("SIGTERM");
      const before = lines().length;
      await startAgent("restarting", [], port);
      await waitFor("three checks by the restarted agent", () => lines().length >= before + 3);
      expect(new Set(lines())).toEqual(new Set([String(nobody.uid)]));
      await framework.scheduler.kill(running.taskId, running.agentId);
      await framework.statusOf("checked-across-restart", (s) => isTerminalState(s.state));
    });
  });

  describe("secrets", () => {
    it("gives the task a secret's value, and shows it nowhere: state, operator APIs, events, logs", async () => {
      const secret = `s3cr3t-${randomBytes(8).toString("hex")}`;
      // The task prints a digest of what it was given: the value itself must appear nowhere, its
      // command line (shown by the operator APIs) included.
      const status = await framework.run(
        "strict",
        shell("with-secret", 'printf %s "$DB_PASSWORD" | sha256sum', {
          environment: { DB_PASSWORD: secret, MODE: "prod" },
          secrets: ["DB_PASSWORD"],
        }),
      );
      expect(status.state).toBe("TASK_FINISHED");
      const digest = createHash("sha256").update(secret).digest("hex");
      expect(readFileSync(path.join(await sandboxOf("strict", "with-secret"), "stdout"), "utf8")).toBe(
        `${digest}  -\n`,
      );

      // A framework's own executor shows its command in GET_EXECUTORS: its secret must be masked there.
      const executorSecret = `exec-s3cr3t-${randomBytes(8).toString("hex")}`;
      const running = await framework.run(
        "strict",
        {
          taskId: "on-executor",
          name: "on-executor",
          data: Buffer.from("wait").toString("base64"),
          executor: {
            executorId: "secret-executor",
            command: {
              value: `${process.execPath} ${EXECUTOR_SCRIPT}`,
              environment: { EXECUTOR_TOKEN: executorSecret },
              secrets: ["EXECUTOR_TOKEN"],
            },
          },
        },
        (s) => s.state === "TASK_RUNNING" || isTerminalState(s.state),
      );
      expect(running.state).toBe("TASK_RUNNING");

      const agentUrl = agentUrls.get("strict")!;
      const operator = (url: string, type: string) =>
        fetch(`${url}/api/v1`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ type }),
        }).then((r) => r.text());
      await events.waitFor("the task's end in the event stream", (e) =>
        JSON.stringify(e).includes("with-secret"),
      );
      const shown: Record<string, string> = {
        "/master/state": await fetch(`${masterUrl}/master/state`).then((r) => r.text()),
        "/master/state-summary": await fetch(`${masterUrl}/master/state-summary`).then((r) => r.text()),
        "master GET_STATE": await operator(masterUrl, "GET_STATE"),
        "master GET_TASKS": await operator(masterUrl, "GET_TASKS"),
        "master GET_EXECUTORS": await operator(masterUrl, "GET_EXECUTORS"),
        "agent GET_EXECUTORS": await operator(agentUrl, "GET_EXECUTORS"),
        "agent /state": await fetch(`${agentUrl}/state`).then((r) => r.text()),
        "agent GET_STATE": await operator(agentUrl, "GET_STATE"),
        "/master/events": JSON.stringify(events.events),
        ...Object.fromEntries(procs.map((p, i) => [`process ${i}'s logs`, p.stdout() + p.stderr()])),
      };
      for (const [where, text] of Object.entries(shown)) {
        expect(text.length, where).toBeGreaterThan(0);
        expect(text.includes(secret), `the secret shows in ${where}`).toBe(false);
        expect(text.includes(executorSecret), `the executor's secret shows in ${where}`).toBe(false);
      }
      expect(shown["/master/state"]).toContain("with-secret");
      // The executor is listed, its variable by name, with the mask for data.
      for (const where of ["master GET_EXECUTORS", "agent GET_EXECUTORS"]) {
        expect(shown[where]).toContain('"name":"EXECUTOR_TOKEN","type":"SECRET"');
      }
      await framework.scheduler.kill(running.taskId, running.agentId);
      const killed = await framework.statusOf("on-executor", (s) => isTerminalState(s.state));
      expect(killed.state).toBe("TASK_KILLED");
    });
  });

  describe("secrets at rest", () => {
    it("checkpoints a running task, secrets and all, where only the agent's user can read it", async () => {
      const running = await framework.run(
        "strict",
        shell("secret-sleeper", "sleep 60", { environment: { TOKEN: "at-rest" }, secrets: ["TOKEN"] }),
        (s) => s.state === "TASK_RUNNING" || isTerminalState(s.state),
      );
      expect(running.state).toBe("TASK_RUNNING");
      const meta = path.join(dir, "strict", "meta");
      const entries = readdirSync(meta, { recursive: true, encoding: "utf8" });
      expect(entries, "the task log").toContain("tasks.log");
      expect(readFileSync(path.join(meta, "tasks.log"), "utf8")).toContain("at-rest");
      for (const entry of ["", ...entries]) {
        expect(statSync(path.join(meta, entry)).mode & 0o077, `${entry || "meta"}'s mode`).toBe(0);
      }
      await framework.scheduler.kill(running.taskId, running.agentId);
      expect((await framework.statusOf("secret-sleeper", (s) => isTerminalState(s.state))).state).toBe(
        "TASK_KILLED",
      );
    });
  });

  describe.skipIf(!docker)("containers (real dockerd)", () => {
    const container = (taskId: string, value: string, extra: object = {}) => ({
      ...shell(taskId, value),
      container: {
        type: "DOCKER" as const,
        docker: { image: TEST_IMAGE, network: "NONE" as const },
        ...extra,
      },
    });

    it("refuses a privileged container, naming the field, before fetching anything for it", async () => {
      const t = container("privileged", "true");
      const status = await framework.run("strict", {
        ...t,
        command: { ...t.command, uris: [{ value: NEVER_FETCHED }] },
        container: { ...t.container, docker: { ...t.container.docker, privileged: true } },
      });
      expect(status).toMatchObject({ state: "TASK_FAILED", reason: "REASON_TASK_UNAUTHORIZED" });
      expect(status.message).toMatch(/^container\.docker\.privileged: .*--allow-privileged-containers/);
    });

    it("refuses Docker's privileged parameter too", async () => {
      const t = container("privileged-param", "true");
      const docker = { ...t.container.docker, parameters: [{ key: "privileged", value: "true" }] };
      const status = await framework.run("strict", { ...t, container: { ...t.container, docker } });
      expect(status.state).toBe("TASK_FAILED");
      expect(status.message).toMatch(/^container\.docker\.parameters\[0\] \(privileged\): /);
    });

    it("refuses a host-path volume, and binds one on an agent that allows them", async () => {
      const hostDir = path.join(dir, "host-data");
      mkdirSync(hostDir);
      writeFileSync(path.join(hostDir, "greeting"), "from the host\n");
      const volumes = [{ containerPath: "/data", hostPath: hostDir, mode: "RO" as const }];
      const refused = await framework.run(
        "strict",
        container("host-volume", "cat /data/greeting", { volumes }),
      );
      expect(refused).toMatchObject({ state: "TASK_FAILED", reason: "REASON_TASK_UNAUTHORIZED" });
      expect(refused.message).toMatch(
        /^container\.volumes\[0\]\.hostPath '.*host-data': .*--allow-host-volumes/,
      );

      const allowed = await framework.run(
        "host-volumes",
        container("host-volume-ok", "cat /data/greeting", { volumes }),
      );
      expect(allowed.state).toBe("TASK_FINISHED");
      const sandbox = await sandboxOf("host-volumes", "host-volume-ok");
      expect(readFileSync(path.join(sandbox, "stdout"), "utf8")).toBe("from the host\n");
    });

    it("runs the container as the task's user", async () => {
      const status = await framework.run("strict", {
        ...container("container-user", 'echo "uid=$(id -u)"'),
        command: { value: 'echo "uid=$(id -u)"', user: "65534" },
      });
      expect(status.state).toBe("TASK_FINISHED");
      expect(readFileSync(path.join(await sandboxOf("strict", "container-user"), "stdout"), "utf8")).toBe(
        "uid=65534\n",
      );
    });
  });
});
