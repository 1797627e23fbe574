import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a path serves: fixed bytes, or a handler for odd behaviour (a stall, a lie about its length). */
export type Route = Buffer | string | ((req: IncomingMessage, res: ServerResponse) => void);

export interface FileServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Requests per path. */
  readonly hits: Map<string, number>;
  /** Adds or replaces a path's route. */
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

/** An HTTP server on loopback only, on a free port; an unknown path answers 404. */
export async function startFileServer(routes: Record<string, Route> = {}): Promise<FileServer> {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = table.get(path);
    if (route === undefined) {
      res.writeHead(404).end("not found");
      return;
    }
    if (typeof route === "function") return route(req, res);
    const body = typeof route === "string" ? Buffer.from(route) : route;
    res
      .writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    route: (path, route) => table.set(path, route),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
