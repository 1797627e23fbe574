import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

/**
 * Streams that never end by themselves (server-sent events, proxied event streams) would keep
 * `app.close()` waiting forever: the sockets handed to the returned function are destroyed when the
 * app closes, and forgotten as soon as they close on their own.
 */
export function closeOnShutdown(app: FastifyInstance): (socket: Socket) => void {
  const open = new Set<Socket>();
  app.addHook("preClose", async () => {
    for (const s of open) s.destroy();
    open.clear();
  });
  return (socket) => {
    // A keep-alive socket carries many requests: track it (and listen for its close) once.
    if (socket.destroyed || open.has(socket)) return;
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  };
}
