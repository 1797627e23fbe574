import type { Clock } from "@agora/transport";
import type { Logger } from "pino";
import { DockerExecutor, type DockerExecutorOptions } from "./docker-executor.js";

export interface DockerProbeOptions extends Pick<DockerExecutorOptions, "containerPolicy" | "switchUser"> {
  /** The daemon's socket (default `/var/run/docker.sock`, or DOCKER_HOST's when set). */
  socketPath?: string;
  /** How long the daemon may take to answer the ping. */
  timeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * A Docker executor when a Docker daemon answers a ping, otherwise undefined: the agent advertises
 * the `docker` capability only when it can run containers.
 */
export async function probeDockerExecutor(
  options: DockerProbeOptions = {},
): Promise<DockerExecutor | undefined> {
  // Loaded only when an agent looks for Docker: dockerode brings ssh2, whose WebAssembly memory (16 MB)
  // every process importing this package would carry otherwise (the master, through the CLI).
  const { default: Dockerode } = await import("dockerode");
  const docker = new Dockerode({
    ...(options.socketPath ? { socketPath: options.socketPath } : {}),
    timeout: options.timeoutMs ?? 5000,
  });
  try {
    await docker.ping();
  } catch (err) {
    options.logger?.info({ err: (err as Error).message }, "no Docker daemon answered; docker executor off");
    return undefined;
  }
  // The ping's timeout must not cut long waits (container.wait) short.
  const client = new Dockerode(options.socketPath ? { socketPath: options.socketPath } : {});
  return new DockerExecutor({
    docker: client,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.containerPolicy ? { containerPolicy: options.containerPolicy } : {}),
    ...(options.switchUser === undefined ? {} : { switchUser: options.switchUser }),
  });
}
