import { createServer, request } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { describe, expect, it } from "vitest";
import { trackUnusedConnections } from "./unused-connections.js";

describe("trackUnusedConnections", () => {
  it("lets a server close at once past a connection that never sent a request, and still finishes a request in progress", async () => {
    let answer: (() => void) | undefined;
    const server = createServer((_req, res) => {
      answer = () => res.end("done");
    });
    const closeUnused = trackUnusedConnections(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;

    const spare = connect(port, "127.0.0.1");
    await new Promise((r) => spare.once("connect", r));
    const spareClosed = new Promise((r) => spare.once("close", r));
    const body = new Promise<string>((resolve, reject) => {
      request({ port, host: "127.0.0.1", path: "/" }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => (text += d));
        res.on("end", () => resolve(text));
      })
        .on("error", reject)
        .end();
    });
    while (!answer) await new Promise((r) => setTimeout(r, 5));

    const closed = new Promise((r) => server.close(r));
    closeUnused();
    await spareClosed;
    answer();
    expect(await body).toBe("done");
    await closed;
  });

  it("without it, the server's close waits for the spare connection", async () => {
    const server = createServer((_req, res) => res.end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const spare = connect((server.address() as AddressInfo).port, "127.0.0.1");
    await new Promise((r) => spare.once("connect", r));
    let closed = false;
    server.close(() => (closed = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(false);
    spare.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(true);
  });
});
