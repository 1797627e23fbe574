import type { Server } from "node:http";
import type { Socket } from "node:net";

/**
 * Node's `server.close()` ends idle keep-alive connections at once, but a connection that was opened
 * and never sent a request (browsers and HTTP client pools open such spare connections) counts as
 * busy until its headers timeout: the close, and so a role's shutdown, waited 60 to 90 s for it.
 * Returns the function to call as the server starts closing: it destroys every connection that has
 * no request in progress, and each other one as soon as its last request is answered (rather than
 * after the keep-alive timeout), so only real requests are waited for.
 */
export function trackUnusedConnections(server: Server): () => void {
  const requestsInProgress = new Map<Socket, number>();
  let closing = false;
  server.on("connection", (socket: Socket) => {
    requestsInProgress.set(socket, 0);
    socket.once("close", () => requestsInProgress.delete(socket));
  });
  server.on("request", (req, res) => {
    const socket = req.socket;
    requestsInProgress.set(socket, (requestsInProgress.get(socket) ?? 0) + 1);
    res.once("close", () => {
      const n = requestsInProgress.get(socket);
      if (n === undefined) return;
      requestsInProgress.set(socket, n - 1);
      // Ended once what was written has gone out, then dropped: a client need not close its side.
      if (closing && n === 1) socket.end(() => socket.destroy());
    });
  });
  return () => {
    closing = true;
    for (const [socket, n] of requestsInProgress) if (n === 0) socket.destroy();
  };
}
