import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InProcessBus } from "@agora/transport";
import { waitFor } from "@agora/transport/testing";
import { afterEach, describe, expect, it } from "vitest";
import { Agent } from "./agent.js";
import { Fetcher } from "./fetcher.js";
import { AGENT_RESOURCES, type AgentFixture, startAgent } from "./test-support/agent-fixture.js";
import { cleanupAfterEach } from "./test-support/cleanup.js";
import { FakeMaster, FRAMEWORK_ID, isRunning, shellTask } from "./test-support/fake-master.js";
import { type FileServer, startFileServer } from "./test-support/file-server.js";

const cleanup = cleanupAfterEach();

let fx: AgentFixture | undefined;
let server: FileServer;

afterEach(async () => {
  await fx?.close();
  fx = undefined;
  await server?.close();
});

/** A .tar.gz holding `bin/greet.sh` (executable) and `conf/name`, built with tar in a temporary directory. */
async function appTarball(): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "agora-fetch-app-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, "bin"));
  await mkdir(path.join(dir, "conf"));
  await writeFile(path.join(dir, "bin/greet.sh"), '#!/bin/sh\necho "hello $(cat conf/name)"\n', {
    mode: 0o755,
  });
  await writeFile(path.join(dir, "conf/name"), "agora\n");
  execFileSync("tar", ["-czf", path.join(dir, "app.tar.gz"), "-C", dir, "bin", "conf"]);
  return readFile(path.join(dir, "app.tar.gz"));
}

describe("a task's URIs are fetched into its sandbox before it runs", () => {
  it("runs a shell task whose command reads what was fetched and extracted", async () => {
    server = await startFileServer({
      "/v1/app.tar.gz": await appTarball(),
      "/motd.txt": "fetched over http\n",
    });
    fx = await startAgent();
    const task = shellTask("cat motd.txt && ./bin/greet.sh && ./tool", {
      command: {
        value: "cat motd.txt && ./bin/greet.sh && ./tool",
        shell: true,
        uris: [
          { value: `${server.url}/v1/app.tar.gz` },
          { value: `${server.url}/motd.txt` },
          { value: `${server.url}/tool`, executable: true },
        ],
      },
    });
    server.route("/tool", "#!/bin/sh\necho tool ran\n");
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_FINISHED");
    expect(fx.master.statesOf(task.taskId)).toEqual(["TASK_RUNNING", "TASK_FINISHED"]);
    const stdout = await readFile(
      path.join(fx.workDir, "sandboxes", FRAMEWORK_ID, task.taskId, "stdout"),
      "utf8",
    );
    expect(stdout).toBe("fetched over http\nhello agora\ntool ran\n");
  });

  it("fails the task with TASK_FAILED naming the URI when a fetch fails (HTTP 404), and never runs it", async () => {
    server = await startFileServer();
    fx = await startAgent();
    const uri = `${server.url}/missing/app.tar.gz`;
    const task = shellTask("touch ran", {
      command: { value: "touch ran", shell: true, uris: [{ value: uri }] },
    });
    fx.master.runTasks([task]);
    const failed = await fx.master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status).toMatchObject({
      source: "SOURCE_AGENT",
      reason: "REASON_CONTAINER_LAUNCH_FAILED",
      message: `Failed to fetch '${uri}': HTTP 404 Not Found`,
    });
    expect(fx.master.statesOf(task.taskId)).toEqual(["TASK_FAILED"]);
    // The agent carries on: the next task runs.
    const next = shellTask("true");
    fx.master.runTasks([next]);
    await fx.master.waitForState(next.taskId, "TASK_FINISHED");
  });

  it("a kill during a stalled download aborts it: TASK_KILLED, REASON_TASK_KILLED_DURING_LAUNCH", async () => {
    server = await startFileServer({ "/stall": (_req, res) => res.writeHead(200).write("x") });
    fx = await startAgent();
    const task = shellTask("touch ran", {
      command: { value: "touch ran", shell: true, uris: [{ value: `${server.url}/stall` }] },
    });
    fx.master.runTasks([task]);
    await waitFor(async () => server.hits.get("/stall") === 1, "the download to start");
    fx.master.kill(task.taskId);
    const killed = await fx.master.waitForState(task.taskId, "TASK_KILLED");
    expect(killed.status.reason).toBe("REASON_TASK_KILLED_DURING_LAUNCH");
    expect(fx.master.statesOf(task.taskId)).toEqual(["TASK_KILLED"]);
  });

  it("a stalled download fails the task once the agent's fetcher gives up", async () => {
    server = await startFileServer({ "/stall": (_req, res) => res.writeHead(200).write("x") });
    fx = await startAgent({ fetcher: new Fetcher({ stallTimeoutMs: 200 }) });
    const uri = `${server.url}/stall`;
    const task = shellTask("true", { command: { value: "true", shell: true, uris: [{ value: uri }] } });
    fx.master.runTasks([task]);
    const failed = await fx.master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.message).toBe(`Failed to fetch '${uri}': no data for 0.2 s (stalled)`);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "reads a task's local files with its user's rights: nobody's task fails on a root-only file (needs root)",
    async () => {
      const files = await mkdtemp(path.join(os.tmpdir(), "agora-fetch-files-"));
      cleanup.push(() => rm(files, { recursive: true, force: true }));
      await chmod(files, 0o755);
      const secret = path.join(files, "secret.txt");
      await writeFile(secret, "root only\n", { mode: 0o600 });
      await writeFile(path.join(files, "public.txt"), "anyone\n", { mode: 0o644 });
      fx = await startAgent();
      // Tasks run as nobody must reach their sandboxes (docs/security.md).
      await chmod(fx.workDir, 0o755);
      const asNobody = (value: string, uri: string) =>
        shellTask(value, { command: { value, shell: true, user: "nobody", uris: [{ value: uri }] } });

      const refused = asNobody("touch ran", secret);
      fx.master.runTasks([refused]);
      const failed = await fx.master.waitForState(refused.taskId, "TASK_FAILED");
      expect(failed.status).toMatchObject({
        source: "SOURCE_AGENT",
        reason: "REASON_CONTAINER_LAUNCH_FAILED",
        message: `Failed to fetch '${secret}': user 'nobody' may not read ${secret} (a task's local files are fetched with its user's rights)`,
      });
      expect(fx.master.statesOf(refused.taskId)).toEqual(["TASK_FAILED"]);

      const allowed = asNobody("cat public.txt", path.join(files, "public.txt"));
      fx.master.runTasks([allowed]);
      await fx.master.waitForState(allowed.taskId, "TASK_FINISHED");
      const stdout = path.join(fx.workDir, "sandboxes", FRAMEWORK_ID, allowed.taskId, "stdout");
      expect(await readFile(stdout, "utf8")).toBe("anyone\n");
    },
  );

  it("does not fetch again for a task a restarted agent recovers", async () => {
    server = await startFileServer({ "/data.txt": "payload\n" });
    const bus = new InProcessBus();
    const master = new FakeMaster(bus).start();
    const workDir = await mkdtemp(path.join(os.tmpdir(), "agora-fetch-recovery-"));
    cleanup.push(async () => {
      master.stop();
      await bus.close();
      await rm(workDir, { recursive: true, force: true });
    });
    const newAgent = () => {
      const agent = new Agent({ bus, workDir, resources: AGENT_RESOURCES, hostname: "h", checkpoint: true });
      cleanup.push(() => agent.stop({ killTasks: true }));
      return agent;
    };
    const first = newAgent();
    await first.start({ httpPort: 5051 });
    const task = shellTask("cat data.txt; sleep 300", {
      command: { value: "cat data.txt; sleep 300", shell: true, uris: [{ value: `${server.url}/data.txt` }] },
    });
    master.runTasks([task]);
    const running = await master.waitForState(task.taskId, "TASK_RUNNING");
    const pid = running.status.containerStatus!.executorPid!;
    cleanup.killGroup(pid);
    await first.stop({ killTasks: false });

    await newAgent().start({ httpPort: 5051 });
    const reregister = master.registrations.at(-1)!;
    expect(reregister.type === "reregister" && reregister.tasks.map((t) => t.state)).toEqual([
      "TASK_RUNNING",
    ]);
    expect(isRunning(pid)).toBe(true);
    expect(server.hits.get("/data.txt")).toBe(1);
  });
});
