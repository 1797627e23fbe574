import { startNatsServer } from "../test/harness/nats-server.js";
import { freePort } from "../test/harness/ports.js";

/** Runs `fn` against a fresh JetStream-enabled nats-server on loopback, with a free port for a master. */
export async function withNatsServer<T>(fn: (url: string, masterPort: number) => Promise<T>): Promise<T> {
  const server = await startNatsServer({ jetstream: true });
  try {
    return await fn(server.url, await freePort());
  } finally {
    await server.stop();
  }
}
