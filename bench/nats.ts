import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  return port;
}

/** Runs `fn` against a fresh JetStream-enabled nats-server on loopback, with a free port for a master. */
export async function withNatsServer<T>(fn: (url: string, masterPort: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const storeDir = mkdtempSync(path.join(os.tmpdir(), "agora-bench-nats-"));
  const server = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], {
    stdio: "ignore",
  });
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => {
          s.end();
          resolve(true);
        });
        s.on("error", () => resolve(false));
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return await fn(`nats://127.0.0.1:${port}`, await freePort());
  } finally {
    server.kill("SIGTERM");
    await once(server, "exit");
    rmSync(storeDir, { recursive: true, force: true });
  }
}
