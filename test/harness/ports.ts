import { createServer } from "node:net";

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: bind port 0, read what the kernel chose,
 * close. Another process may grab it before the caller binds, which is rare enough for tests.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("could not read a free port"))));
    });
  });
}

/** `count` distinct free ports (distinct among themselves; see `freePort` for the race). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < count * 20; attempt++) ports.add(await freePort());
  if (ports.size < count) throw new Error(`could not find ${count} distinct free ports`);
  return [...ports];
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * Ports for `agora dev` and `extra` more, all distinct: the master's port P first, with P+1 free for
 * its agent (`agora dev --port P` puts its agents on P+1, P+2 …, and a port taken there fails the
 * start with exit 1), then `extra` free ports other than those two (Marathon's, Chronos' …).
 */
export async function devPorts(extra: number): Promise<number[]> {
  const port = await freePortRun(2);
  // Two more than needed: at most those two can be P and P+1.
  const others = (await freePorts(extra + 2)).filter((p) => p !== port && p !== port + 1);
  return [port, ...others.slice(0, extra)];
}

/**
 * A free port whose next `count - 1` ports are free too: `agora dev --port P` puts its agents on
 * P+1, P+2 …, and a port taken there fails the start.
 */
export async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await freePort();
    let free = first + count - 1 <= 65_535;
    for (let i = 1; free && i < count; i++) free = await canBind(first + i);
    if (free) return first;
  }
  throw new Error(`could not find ${count} consecutive free ports`);
}
