import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { devPorts } from "./harness/ports.js";
import { agoraBin, expectNoOrphans, spawnProcess } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ANSI color codes a terminal gets
const ansi = /\u001b\[[0-9;]*[A-Za-z]/g;
const hasScript = existsSync("/usr/bin/script");
/** A request that cannot hang the test: a stuck server fails it with the URL. */
const get = (url: string) => fetch(url, { signal: AbortSignal.timeout(15_000) });

/**
 * `agora dev` on a pseudo-terminal (util-linux `script` gives it one): a banner whose URLs answer,
 * colored one-line logs, no line per HTTP request at info, and Ctrl-C that says what it stops.
 */
describe.skipIf(!hasScript)("agora dev on a terminal", () => {
  it("prints the banner with working URLs, logs no per-request lines, and says so when Ctrl-C stops it", {
    timeout: 180_000,
  }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "agora-devtty-"));
    const [port, marathonPort, chronosPort] = await devPorts(2);
    // `exec`: script runs the command through $SHELL -c, and a shell that stays would sit between
    // the terminal and agora dev.
    const command = `exec ${[
      process.execPath,
      agoraBin,
      "dev",
      "--port",
      String(port),
      "--marathon-port",
      String(marathonPort),
      "--chronos-port",
      String(chronosPort),
      "--data-dir",
      dir,
    ]
      .map((a) => `'${a}'`)
      .join(" ")}`;
    // The log level comes from the flag default (info), not from the harness' AGORA_LOG_LEVEL.
    const tty = spawnProcess("script", ["-qfec", command, "/dev/null"], {
      AGORA_LOG_LEVEL: "info",
      TERM: "xterm",
    });
    const out = () => tty.stdout().replace(ansi, "").replace(/\r/g, "");
    try {
      await waitFor(
        "the banner",
        () => {
          if (tty.child.exitCode !== null) throw new Error(`script exited with ${tty.child.exitCode}`);
          return /Ctrl-C stops everything/.test(out());
        },
        { timeoutMs: 60_000 },
      ).catch((e) => {
        throw new Error(`${(e as Error).message}; the terminal showed:\n${out()}`);
      });
      const banner = out();
      expect(banner).toMatch(/Agora \d+\.\d+\.\d+ dev mode/);
      const url = (key: string) => new RegExp(`^ {2}${key} +(http://\\S+)`, "m").exec(banner)?.[1];
      expect(url("master")).toBe(`http://127.0.0.1:${port}`);
      expect(url("marathon")).toBe(`http://127.0.0.1:${marathonPort}`);
      expect(url("chronos")).toBe(`http://127.0.0.1:${chronosPort}`);
      expect(banner).toMatch(/^ {2}docker +(available|not available)/m);
      expect(banner).toMatch(new RegExp(`^ {2}data +${dir}$`, "m"));
      // Every URL the banner gives answers.
      expect((await get(`${url("master")}/health`)).ok).toBe(true);
      expect((await get(`${url("agent")}/health`)).ok).toBe(true);
      expect(await (await get(`${url("marathon")}/ping`)).text()).toBe("pong");
      expect(await (await get(`${url("chronos")}/ping`)).text()).toBe("pong");
      const dashboard = url("dashboard")!;
      expect(dashboard).toBe(`http://127.0.0.1:${port}/ui/`);
      if (!/not built/.test(banner)) expect((await get(dashboard)).ok).toBe(true);

      // Human-readable logs: a time, a level word and the role, one line each, colored.
      expect(tty.stdout()).toContain("\u001b[");
      expect(banner).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[master\] master started: leading/m);
      expect(banner).not.toMatch(/^\{"level"/m);
      // Requests are not logged at info.
      for (let i = 0; i < 5; i++) await (await get(`${url("master")}/master/state`)).arrayBuffer();
      await waitFor("Chronos leading (a later line)", () => /\[chronos\] chronos leads/.test(out()));
      expect(out()).not.toMatch(/incoming request|request completed/);

      // Ctrl-C as the terminal delivers it: to the foreground process group, which agora dev leads.
      const node = Number(
        execFileSync("pgrep", ["-P", String(tty.pid)])
          .toString()
          .trim()
          .split("\n")[0],
      );
      process.kill(-node, "SIGINT");
      // Bounded, so a shutdown that hangs fails with what the terminal showed rather than the test's timeout.
      const stopped = await Promise.race([
        tty.exited(),
        new Promise<string>((r) => setTimeout(() => r("still running 60 s after Ctrl-C"), 60_000).unref()),
      ]);
      expect(stopped, out()).toBe(0);
      expect(out()).toContain("Stopping Agora dev mode");
      expect(out()).toContain("Agora dev mode stopped.");
    } finally {
      await tty.stop("SIGKILL");
      await expectNoOrphans(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
