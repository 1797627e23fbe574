import { spawn } from "node:child_process";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { CommandInfo, HealthCheck } from "@agora/protocol";

/** One health check attempt: resolves true when healthy; false on failure or after `timeoutMs`. */
export type HealthProbe = (timeoutMs: number) => Promise<boolean>;

/** Runs a check command (exit 0 is healthy); each executor runs it where its task runs. */
export type CommandRunner = (command: CommandInfo, timeoutMs: number) => Promise<boolean>;

/**
 * The probe a health check asks for. HTTP and TCP checks connect to the port on 127.0.0.1 (tasks
 * on the host network, or bridge tasks through their mapped host port); an HTTP status 200–399 is
 * healthy, as in Mesos. Command checks go to `runCommand`.
 */
export function probeFor(check: HealthCheck, runCommand: CommandRunner): HealthProbe {
  switch (check.type) {
    case "HTTP": {
      const { port, path, scheme } = check.http!;
      return (timeoutMs) => httpProbe(`${scheme}://127.0.0.1:${port}${path}`, timeoutMs);
    }
    case "TCP":
      return (timeoutMs) => tcpProbe(check.tcp!.port, timeoutMs);
    case "COMMAND":
      return (timeoutMs) => runCommand(check.command!, timeoutMs);
  }
}

function httpProbe(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const client = url.startsWith("https:") ? https : http;
    const req = client.get(url, { timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(false));
  });
}

function tcpProbe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

/**
 * Runs a check command on this host, as the shell executor runs tasks: `/bin/sh -c value` (or
 * `value` with `arguments`), in the task's sandbox with its environment; killed at the timeout.
 */
export function hostCommandRunner(options: {
  cwd: string;
  env: Readonly<Record<string, string>>;
  path: string;
  /** The task's user, when it runs as someone else than the agent: its checks do too. */
  user?: { uid: number; gid: number };
}): CommandRunner {
  return (command, timeoutMs) =>
    new Promise((resolve) => {
      const [file, args] = command.shell
        ? ["/bin/sh", ["-c", command.value ?? ""]]
        : [command.value ?? command.arguments![0]!, command.arguments?.slice(1) ?? []];
      const child = spawn(file, args, {
        cwd: options.cwd,
        env: { PATH: options.path, ...options.env, ...command.environment },
        stdio: "ignore",
        detached: true,
        ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
      });
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // Already gone.
        }
      }, timeoutMs);
      child.once("error", () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
    });
}
