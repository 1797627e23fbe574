import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePorts } from "./harness/ports.js";
import { agoraBin, expectNoOrphans, httpJson, type Spawned, spawnProcess } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

const root = path.resolve(import.meta.dirname, "..");

/** The `sh bus-identity-example` block of docs/security.md, in its sections (setup, terminal 1…, then). */
function exampleSections(): string[] {
  const doc = readFileSync(path.join(root, "docs/security.md"), "utf8");
  const block = /```sh bus-identity-example\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error("docs/security.md has no `sh bus-identity-example` block");
  return block.split(/\n(?=# )/).map((s) => s.trim());
}

/**
 * Runs docs/security.md's three-terminal example as written, on free ports instead of 4222, 5050
 * and 5051, with `agora` the built CLI: terminal 1 (nats-server with the generated config), 2 (the
 * master), 3 (the agent), then the framework.
 */
describe("docs/security.md: a cluster in three terminals, with identities", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-bus-example-"));
  const running: Spawned[] = [];

  afterAll(async () => {
    // The agent first (SIGUSR1: it ends its tasks, as Mesos' agent), then the master, then NATS.
    const [nats, master, agent] = running;
    await agent?.stop("SIGUSR1");
    await master?.stop();
    await nats?.stop();
    await expectNoOrphans(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the documented commands: the framework's task finishes, every process on its own identity", async () => {
    const sections = exampleSections();
    expect(sections.map((s) => s.split("\n")[0])).toEqual([
      expect.stringMatching(/^# setup/),
      expect.stringMatching(/^# terminal 1/),
      expect.stringMatching(/^# terminal 2/),
      expect.stringMatching(/^# terminal 3/),
      expect.stringMatching(/^# then a framework/),
    ]);
    const [nats, master, agent] = await freePorts(3);
    const ports = (s: string) =>
      s.replaceAll("4222", String(nats)).replaceAll("5050", String(master)).replaceAll("5051", String(agent));
    writeFileSync(path.join(dir, "agora"), `#!/bin/sh\nexec "${process.execPath}" "${agoraBin}" "$@"\n`);
    chmodSync(path.join(dir, "agora"), 0o755);
    const env = { PATH: `${dir}:${process.env.PATH ?? ""}` };
    const sh = (section: string) => spawnProcess("sh", ["-ec", `cd '${dir}'\n${ports(section)}`], env);

    const setup = sh(sections[0]!);
    expect(await setup.exited(), setup.stderr()).toBe(0);
    expect(readFileSync(path.join(dir, "nats.conf"), "utf8")).toContain("authorization {");

    running.push(sh(sections[1]!));
    const masterUrl = `http://127.0.0.1:${master}`;
    running.push(sh(sections[2]!));
    await waitFor(
      "the master",
      async () => (await fetch(`${masterUrl}/health`).catch(() => undefined))?.ok === true,
      {
        timeoutMs: 30_000,
      },
    );
    running.push(sh(sections[3]!));
    await waitFor(
      "the agent registered",
      async () => (await httpJson<{ slaves: unknown[] }>(`${masterUrl}/master/state`)).slaves.length === 1,
      { timeoutMs: 30_000 },
    );

    const framework = sh(sections[4]!);
    const code = await framework.exited();
    expect(framework.stderr()).not.toMatch(/[Vv]iolation|authentication failed/);
    expect(code).toBe(0);
    expect(framework.stdout()).toMatch(/TASK_FINISHED/);
    for (const p of running) expect(p.stderr()).not.toMatch(/[Vv]iolation|authentication failed/);
  });
});
