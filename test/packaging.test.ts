import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsServerHandle, startNatsServer } from "./harness/nats-server.js";
import { devPorts } from "./harness/ports.js";
import { httpJson, type Spawned, spawnProcess } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");

/** What we publish: the SDK with what it stands on, and the CLI with every package it runs. */
const published = [
  "protocol",
  "security",
  "transport",
  "framework-sdk",
  "master",
  "agent",
  "marathon",
  "chronos",
  "cli",
];

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  files?: string[];
  dependencies?: Record<string, string>;
}
const manifest = (dir: string) =>
  JSON.parse(readFileSync(path.join(root, "packages", dir, "package.json"), "utf8")) as Manifest;

/**
 * The packages as a user outside this repository gets them: `npm pack` tarballs (built dist, types,
 * README, licence, no tests) installed into a project in the temp directory, then the SDK README's
 * example run against `agora dev` over NATS — the `agora` of those tarballs — to TASK_FINISHED.
 * Needs the built packages (`npx tsc -b`), as every cross-process test.
 */
describe("packaging: npm pack tarballs installed outside the workspace", { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-pack-"));
  const tarballs = path.join(dir, "tarballs");
  const project = path.join(dir, "project");
  let nats: NatsServerHandle | undefined;
  let dev: Spawned | undefined;

  beforeAll(async () => {
    mkdirSync(tarballs);
    await run(
      "npm",
      ["pack", "--pack-destination", tarballs, ...published.flatMap((p) => ["-w", `packages/${p}`])],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  });

  afterAll(async () => {
    if (dev) await dev.stop("SIGTERM");
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("versions move in step: one version, internal dependencies on exactly it, nothing private", () => {
    const manifests = published.map(manifest);
    const version = manifests[0]!.version;
    for (const m of manifests) {
      expect(m.version, m.name).toBe(version);
      expect(m.private, m.name).toBeUndefined();
      for (const [dep, range] of Object.entries(m.dependencies ?? {}))
        if (dep.startsWith("@agora/")) expect(range, `${m.name} → ${dep}`).toBe(version);
    }
  });

  it("each tarball holds dist with types, README and LICENSE, and no tests", async () => {
    const files = readdirSync(tarballs).sort();
    expect(files).toHaveLength(published.length);
    for (const file of files) {
      const { stdout } = await run("tar", ["-tzf", path.join(tarballs, file)], {
        maxBuffer: 16 * 1024 * 1024,
      });
      const entries = stdout.split("\n").filter((e) => e !== "");
      for (const needed of [
        "package/dist/index.js",
        "package/dist/index.d.ts",
        "package/README.md",
        "package/LICENSE",
      ])
        expect(entries, file).toContain(needed);
      expect(
        entries.filter((e) => /\.test(-d)?\.|test-support|tsbuildinfo/.test(e)),
        file,
      ).toEqual([]);
    }
  });

  it("installs into a fresh project and runs the SDK README's example on agora dev over NATS to TASK_FINISHED", async () => {
    mkdirSync(project);
    writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "agora-user", private: true, type: "module" }),
    );
    // Tarballs for ours; the npm cache (then the registry) for their dependencies.
    await run(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        ...readdirSync(tarballs).map((f) => path.join(tarballs, f)),
      ],
      { cwd: project, maxBuffer: 64 * 1024 * 1024 },
    );

    // The README's example, compiled against the installed packages' types.
    const readme = readFileSync(path.join(root, "packages/framework-sdk/README.md"), "utf8");
    const example = /<!-- example: src\/examples\/run-to-completion\.ts -->\n```ts\n([\s\S]*?)```/.exec(
      readme,
    )?.[1];
    expect(example).toBeDefined();
    writeFileSync(path.join(project, "run-to-completion.ts"), example!);
    writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: true,
          types: [],
          outDir: "out",
        },
        files: ["run-to-completion.ts"],
      }),
    );
    await run(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", project], {
      cwd: project,
    });
    writeFileSync(
      path.join(project, "main.js"),
      `import { connectNatsBus } from "@agora/transport";
import { runToCompletion } from "./out/run-to-completion.js";
const bus = await connectNatsBus({ servers: process.argv[2] });
for (const status of await runToCompletion(bus, ["echo one", "echo two"])) console.log(status.taskId, status.state);
await bus.close();
`,
    );

    nats = await startNatsServer();
    const [port] = await devPorts(0);
    dev = spawnProcess(
      process.execPath,
      [
        path.join(project, "node_modules/@agora/cli/bin/agora.js"),
        "dev",
        "--nats",
        nats.url,
        "--port",
        String(port),
        "--marathon-port",
        "off",
        "--chronos-port",
        "off",
        "--docker",
        "off",
        "--data-dir",
        path.join(dir, "data"),
      ],
      { AGORA_LOG_LEVEL: "warn" },
    );
    await waitFor(
      "the packed agora dev's agent registered",
      async () =>
        (await httpJson<{ slaves: unknown[] }>(`http://127.0.0.1:${port}/master/state`)).slaves.length === 1,
      { timeoutMs: 60_000 },
    );

    const example_ = await run(process.execPath, ["main.js", nats.url], { cwd: project, timeout: 120_000 });
    const lines = example_.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/ TASK_FINISHED$/);

    const help = await run("npx", ["--no-install", "agora", "--help"], { cwd: project });
    expect(help.stdout).toContain("Usage: agora");
    expect(help.stdout).toContain("Run a cluster:");
    expect(help.stdout).toMatch(/^ {2}app +Marathon apps/m);
  });
});
