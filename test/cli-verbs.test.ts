import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devPorts, freePorts } from "./harness/ports.js";
import {
  expectNoOrphans,
  httpJson,
  readyOrDied,
  runAgora,
  type Spawned,
  spawnAgora,
} from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

/**
 * Every client verb of `agora` against a real `agora dev` (master, one agent, Marathon, Chronos),
 * Marathon and Chronos reached through the master's `/service/<name>/` proxy: tables, `--json`,
 * exit codes, deployments followed to their end (and a failed one), `task log --follow`.
 */
describe("agora client verbs against a dev-mode cluster", { timeout: 240_000 }, () => {
  let dir: string;
  let dev: Spawned;
  let master: string;
  let marathonPort: number;
  const agora = (...args: string[]) => runAgora([...args, "--master", master], { NO_COLOR: "1" });
  const json = async <T = unknown>(...args: string[]): Promise<T> => {
    const r = await agora(...args, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  const file = (name: string, content: unknown) => {
    const p = path.join(dir, name);
    writeFileSync(p, JSON.stringify(content));
    return p;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-cli-"));
    const [port, mPort, cPort] = await devPorts(2);
    marathonPort = mPort!;
    master = `http://127.0.0.1:${port}`;
    dev = spawnAgora(
      [
        "dev",
        "--port",
        String(port),
        "--marathon-port",
        String(mPort),
        "--chronos-port",
        String(cPort),
        "--data-dir",
        path.join(dir, "data"),
        "--docker",
        "off",
      ],
      { AGORA_LOG_LEVEL: "warn" },
    );
    await readyOrDied(
      dev,
      waitFor(
        "Marathon and Chronos registered with the master",
        async () => {
          const s = await httpJson<{ frameworks: { name: string }[]; slaves: unknown[] }>(
            `${master}/master/state`,
          );
          const names = s.frameworks.map((f) => f.name);
          return s.slaves.length === 1 && names.includes("marathon") && names.includes("chronos");
        },
        { timeoutMs: 55_000 },
      ),
    );
    await waitFor(
      "Chronos answering through the master",
      async () => (await fetch(`${master}/service/chronos/v1/scheduler/jobs`)).ok,
    );
  });

  afterAll(async () => {
    if (dev) expect(await dev.stop("SIGTERM")).toBe(0);
    await expectNoOrphans(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it("agora status: leader, version, agents, frameworks, resources — as text and as JSON", async () => {
    const r = await agora("status");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^master: +http:\/\/127\.0\.0\.1:\d+ \(leader .+\)$/m);
    expect(r.stdout).toMatch(/^version: +\d+\.\d+\.\d+$/m);
    expect(r.stdout).toMatch(/^agents: +1 active$/m);
    expect(r.stdout).toMatch(/^frameworks: .*marathon/m);
    expect(r.stdout).toMatch(/^cpus: +[\d.]+ of [\d.]+ \(\d+%\)$/m);
    const s = await json<{
      agents: { active: number };
      frameworks: { name: string }[];
      resources: { cpus: { total: number } };
    }>("status");
    expect(s.agents.active).toBe(1);
    expect(s.frameworks.map((f) => f.name).sort()).toEqual(["chronos", "marathon"]);
    expect(s.resources.cpus.total).toBeGreaterThan(0);
  });

  it("agora agent list|show, by id or prefix; an unknown agent exits 1", async () => {
    const r = await agora("agent", "list");
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID +ADDRESS +ACTIVE +TASKS +CPUS +MEM +DISK +UP$/);
    expect(row).toMatch(/ yes /);
    // Columns line up: every line has ADDRESS at the same offset.
    expect(row!.indexOf("127.0.0.1") === header!.indexOf("ADDRESS") || row!.includes(":")).toBe(true);
    const [agent] = await json<{ id: string; port: number }[]>("agent", "list");
    const show = await agora("agent", "show", agent!.id.slice(0, 12));
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`id:         ${agent!.id}`);
    expect(show.stdout).toMatch(/^resources: +cpus:/m);
    const missing = await agora("agent", "show", "no-such-agent");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no agent 'no-such-agent'");
  });

  it("agora framework list shows Marathon and Chronos with their web UI URLs", async () => {
    const r = await agora("framework", "list");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID +NAME +ROLE +STATE +TASKS +CPUS +MEM +WEB UI$/m);
    expect(r.stdout).toMatch(new RegExp(`marathon +\\* +active .*http://127\\.0\\.0\\.1:${marathonPort}`));
  });

  it("agora app deploy|list|show|scale|restart, task list|show|log|kill, app remove — following each deployment", async () => {
    const app = file("app.json", {
      id: "/cli/hello",
      cmd: 'i=0; while true; do i=$((i+1)); echo "line $i"; echo "err $i" >&2; sleep 0.2; done',
      cpus: 0.05,
      mem: 16,
      instances: 2,
    });
    const deploy = await agora("app", "deploy", app);
    expect(deploy.stderr).toContain("/cli/hello: deploy");
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toMatch(/^✔ \/cli\/hello deployed: 2\/2 running \(deployment [\w-]+, \d+s\)$/m);

    const list = await agora("app", "list");
    expect(list.stdout).toMatch(/^ID +RUNNING +HEALTHY +CPUS +MEM +DEPLOYING +COMMAND$/m);
    expect(list.stdout).toMatch(/^\/cli\/hello +2\/2 +- +0\.05 +16M +no +i=0;/m);
    const apps = await json<{ id: string; instances: number; tasksRunning: number }[]>("app", "list");
    expect(apps).toEqual([expect.objectContaining({ id: "/cli/hello", instances: 2, tasksRunning: 2 })]);
    const show = await agora("app", "show", "cli/hello");
    expect(show.stdout).toMatch(/^instances: +2\/2 running$/m);
    expect(show.stdout).toMatch(/^TASK +HOST +STATE +HEALTH +STARTED$/m);

    const tasks = await json<{ id: string; state: string; framework: string }[]>(
      "task",
      "list",
      "--framework",
      "marathon",
    );
    expect(tasks).toHaveLength(2);
    expect(tasks.every((t) => t.state === "TASK_RUNNING" && t.framework === "marathon")).toBe(true);
    const table = await agora("task", "list");
    expect(table.stdout).toMatch(/^ID +FRAMEWORK +HOST +STATE +CPUS +MEM +SINCE$/m);
    expect(table.stdout).toMatch(/^\S*hello\.\S+ +marathon +\S+ +RUNNING +0\.05 +16M/m);
    const taskId = tasks[0]!.id;
    const taskShow = await agora("task", "show", taskId);
    expect(taskShow.stdout).toContain(`id:        ${taskId}`);
    expect(taskShow.stdout).toMatch(/^sandbox: +\/.*\/sandboxes\//m);
    expect(taskShow.stdout).toMatch(/^\S+Z +STAGING/m);

    await waitFor("a few lines of output", async () =>
      (await agora("task", "log", taskId)).stdout.includes("line 3\n"),
    );
    const log = await agora("task", "log", taskId);
    expect(log.code).toBe(0);
    expect(log.stdout).toMatch(/^line 1\nline 2\nline 3\n/);
    expect((await agora("task", "log", taskId, "--stderr")).stdout).toMatch(/^err 1\nerr 2\n/);

    // --follow prints lines as the task writes them, until Ctrl-C.
    const follow = spawnAgora([
      "task",
      "log",
      taskId,
      "--follow",
      "--poll-interval",
      "100ms",
      "--master",
      master,
    ]);
    const seen = await waitFor("the log so far", () => {
      const m = [...follow.stdout().matchAll(/^line (\d+)$/gm)].at(-1);
      return m ? Number(m[1]) : undefined;
    });
    await waitFor("new lines while following", () => follow.stdout().includes(`\nline ${seen + 5}\n`));
    follow.signal("SIGINT");
    expect(await follow.exited()).toBe(0);

    const scale = await agora("app", "scale", "/cli/hello", "1");
    expect(scale.code).toBe(0);
    expect(scale.stdout).toMatch(/^✔ \/cli\/hello scaled: 1\/1 running/m);
    const restart = await json<{ result: string; tasksRunning: number }>("app", "restart", "/cli/hello");
    expect(restart).toMatchObject({ result: "success", tasksRunning: 1 });

    const [running] = await json<{ id: string }[]>("task", "list", "--framework", "marathon");
    const kill = await agora("task", "kill", running!.id);
    expect(kill.code).toBe(0);
    expect(kill.stdout).toContain(`asked Marathon to kill ${running!.id}`);
    // Marathon replaces it; the killed one is listed with --all.
    await waitFor("a replacement task", async () => {
      const now = await json<{ id: string; state: string }[]>("task", "list", "--framework", "marathon");
      return now.some((t) => t.id !== running!.id && t.state === "TASK_RUNNING");
    });
    const all = await json<{ id: string; state: string }[]>("task", "list", "--all");
    expect(all.find((t) => t.id === running!.id)?.state).toBe("TASK_KILLED");

    const remove = await agora("app", "remove", "/cli/hello");
    expect(remove.code).toBe(0);
    expect(remove.stdout).toMatch(/^✔ \/cli\/hello removed/m);
    const gone = await agora("app", "show", "/cli/hello");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("App '/cli/hello' does not exist");
  });

  it("a deployment that cannot finish exits 3 after --timeout; one rolled back while followed exits 1", async () => {
    const stuck = file("stuck.json", {
      id: "/cli/stuck",
      cmd: "sleep 1000",
      cpus: 0.05,
      mem: 16,
      instances: 1,
      constraints: [["hostname", "LIKE", "no-such-host"]],
    });
    const timedOut = await agora("app", "deploy", stuck, "--timeout", "2secs");
    expect(timedOut.code).toBe(3);
    expect(timedOut.stderr).toMatch(
      /deployment \S+ of \/cli\/stuck did not finish within 2s; 0\/1 instances running/,
    );
    expect(timedOut.stderr).toContain("/v2/deployments/");

    // Follow the deployment of a new version (forced over the stuck one), then roll it back.
    const v2 = file("stuck-v2.json", {
      id: "/cli/stuck",
      cmd: "sleep 1001",
      cpus: 0.05,
      mem: 16,
      instances: 1,
      constraints: [["hostname", "LIKE", "no-such-host"]],
    });
    const following = spawnAgora(["app", "deploy", v2, "--force", "--master", master], { NO_COLOR: "1" });
    await waitFor("the progress line", () => following.stderr().includes("/cli/stuck: deploy"));
    // Rolling the followed deployment back (Marathon's DELETE /v2/deployments/{id}) ends it unfinished.
    const { deploymentId } = await waitFor("the deployment of the new version", async () => {
      const list = await httpJson<{ id: string; version: string }[]>(
        `${master}/service/marathon/v2/deployments`,
      );
      return list.length === 1 && { deploymentId: list[0]!.id };
    });
    const rollback = await fetch(`${master}/service/marathon/v2/deployments/${deploymentId}`, {
      method: "DELETE",
    });
    expect(rollback.ok).toBe(true);
    expect(await following.exited()).toBe(1);
    expect(following.stderr()).toMatch(
      /ended without reaching version \S+: it was cancelled, rolled back or replaced/,
    );

    const detached = await json<{ result: string; deploymentId: string }>(
      "app",
      "remove",
      "/cli/stuck",
      "--detach",
      "--force",
    );
    expect(detached.result).toBe("detached");
    await waitFor("the app gone", async () => (await agora("app", "show", "/cli/stuck")).code === 1);
  });

  it("agora job add|list|show|run|history|remove for Chronos (scheduled and dependent)", async () => {
    const parent = file("parent.json", {
      name: "cli-parent",
      command: "echo parent",
      schedule: "R/2030-01-01T00:00:00Z/P1D",
      mem: 16,
      cpus: 0.05,
    });
    const child = file("child.json", {
      name: "cli-child",
      command: "echo child",
      parents: ["cli-parent"],
      mem: 16,
      cpus: 0.05,
    });
    expect((await agora("job", "add", parent)).stdout).toBe("job cli-parent saved\n");
    expect(await json("job", "add", child)).toEqual({ name: "cli-child", kind: "dependent" });
    const list = await agora("job", "list");
    expect(list.stdout).toMatch(/^NAME +SCHEDULE +LAST +STATE +OK +ERRORS +COMMAND$/m);
    expect(list.stdout).toMatch(/^cli-child +after cli-parent +/m);
    const show = await agora("job", "show", "cli-child");
    expect(show.stdout).toMatch(/^parents: +cli-parent$/m);

    expect((await agora("job", "run", "cli-parent")).code).toBe(0);
    const jobs = await waitFor("the parent and then its child succeeded", async () => {
      const all = await json<{ name: string; successCount: number }[]>("job", "list");
      return all.every((j) => j.successCount >= 1) && all;
    });
    expect(jobs.map((j) => j.name).sort()).toEqual(["cli-child", "cli-parent"]);
    const history = await agora("job", "history", "cli-parent");
    expect(history.stdout).toMatch(/^TASK +AGENT +START \(UTC\) +END \(UTC\) +DURATION +STATUS$/m);
    expect(history.stdout).toMatch(/^ct:\d+:\d+:cli-parent:\S+ .* Success$/m);

    expect((await agora("job", "remove", "cli-child")).code).toBe(0);
    const gone = await agora("job", "show", "cli-child");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("cli-child");
  });

  it("errors: an unreachable master names its URL and what to run; bad arguments exit 2", async () => {
    const [closed] = await freePorts(1);
    const r = await runAgora(["status", "--master", `http://127.0.0.1:${closed}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `cannot reach the master at http://127.0.0.1:${closed}/master/state (ECONNREFUSED)`,
    );
    expect(r.stderr).toContain("agora dev");
    const viaEnv = await runAgora(["app", "list"], { AGORA_MASTER: `http://127.0.0.1:${closed}` });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stderr).toContain(
      `cannot reach the master at http://127.0.0.1:${closed}/service/marathon/v2/apps`,
    );
    expect((await agora("app", "scale", "/x", "many")).code).toBe(2);
    expect((await agora("task", "show")).code).toBe(2);
    expect((await runAgora(["status", "--master", "ftp://x"])).stderr).toContain(
      "--master (or AGORA_MASTER)",
    );
  });

  it("agora completion bash|zsh prints a script bash accepts", async () => {
    const r = await runAgora(["completion", "bash"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("complete -o default -F _agora agora");
    expect(r.stdout).toMatch(/app\)[\s\S]*list show deploy scale restart remove/);
    expect(spawnSync("bash", ["-n"], { input: r.stdout }).status).toBe(0);
    expect((await runAgora(["completion", "zsh"])).stdout).toContain("bashcompinit");
    expect((await runAgora(["completion", "fish"])).code).toBe(2);
  });

  // Last: it ends Chronos' framework.
  it("agora framework teardown ends a framework through POST /teardown", async () => {
    const [chronos] = (await json<{ id: string; name: string }[]>("framework", "list")).filter(
      (f) => f.name === "chronos",
    );
    const r = await agora("framework", "teardown", chronos!.id);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`framework chronos (${chronos!.id}) torn down\n`);
    const all = await agora("framework", "list", "--all");
    expect(all.stdout).toMatch(new RegExp(`^${chronos!.id} +chronos +\\* +torn down`, "m"));
    expect((await agora("framework", "teardown", chronos!.id)).code).toBe(1);
  });
});
