import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsServerHandle, startNatsServer } from "../../../test/harness/nats-server.js";
import { isTransportError } from "./errors.js";
import { connectNatsBus } from "./nats-bus.js";
import { describeBusConformance, waitFor } from "./testing/index.js";

let nats: NatsServerHandle;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

describeBusConformance("NatsBus (two connections)", async () => {
  const a = await connectNatsBus({ servers: nats.url, name: "conformance-a" });
  const b = await connectNatsBus({ servers: nats.url, name: "conformance-b" });
  return {
    a,
    b,
    teardown: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
});

describe("NatsBus", () => {
  it("fails to connect with CONNECTION when no server listens", async () => {
    const dead = await startNatsServer();
    await dead.stop();
    const err = await connectNatsBus({ servers: dead.url, connectTimeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(isTransportError(err, "CONNECTION")).toBe(true);
  });

  it("exposes its NATS connection", async () => {
    const bus = await connectNatsBus({ servers: nats.url });
    expect(bus.connection.isClosed()).toBe(false);
    await bus.close();
    expect(bus.connection.isClosed()).toBe(true);
  });

  it("delivers a turn's queued publishes byte for byte and in order, beside the client's requests", async () => {
    const pub = await connectNatsBus({ servers: nats.url });
    const sub = await connectNatsBus({ servers: nats.url });
    const got: string[] = [];
    sub.subscribe("frames.>", (m) => void got.push(`${m.subject}=${new TextDecoder().decode(m.data)}`));
    sub.subscribe("frames.svc", (m) => void m.respond(m.data));
    await sub.flush();
    // A UTF-8 subject, a payload with what looks like a frame inside it, one larger than a socket write.
    const sent: Array<[string, string]> = [
      ["frames.empty", ""],
      ["frames.ü", "x"],
      ["frames.framelike", "é ü ✓ \r\n PUB a 1\r\n"],
      ["frames.large", "y".repeat(70_000)],
    ];
    for (const [subject, body] of sent) pub.publish(subject, new TextEncoder().encode(body));
    const reply = await pub.request("frames.svc", Uint8Array.of(7));
    expect([...reply]).toEqual([7]);
    await waitFor(() => got.length === sent.length + 1, "every message");
    expect(got).toEqual([...sent.map(([subject, body]) => `${subject}=${body}`), "frames.svc=\u0007"]);
    await Promise.all([pub.close(), sub.close()]);
  });

  it("logs and drops publishes still queued when the connection closes under it, and keeps running", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
    const bus = await connectNatsBus({ servers: nats.url, logger });
    bus.publish("queued.a", Uint8Array.of(1));
    bus.publish("queued.b", Uint8Array.of(2));
    // Closed behind the bus's back in the same turn: the batch meets a closed connection when it leaves.
    await bus.connection.close();
    await new Promise((resolve) => setImmediate(resolve));
    const dropped = lines
      .filter((l) => l.includes('"msg":"queued publish failed: dropped"'))
      .map((l) => /"subject":"([^"]*)"/.exec(l)?.[1]);
    expect(dropped).toEqual(["queued.a", "queued.b"]);
  });

  it("fails a request still waiting for its answer with CLOSED when the bus closes", async () => {
    const asker = await connectNatsBus({ servers: nats.url });
    const silent = await connectNatsBus({ servers: nats.url });
    silent.subscribe("never.answered", () => {});
    await silent.flush();
    const waiting = asker.request("never.answered", Uint8Array.of(1), { timeoutMs: 60_000 });
    await asker.close();
    await expect(waiting).rejects.toSatisfy((err) => isTransportError(err) && err.code === "CLOSED");
    await silent.close();
  });

  it("delivers messages published just before close (close drains)", async () => {
    const sub = await connectNatsBus({ servers: nats.url });
    const pub = await connectNatsBus({ servers: nats.url });
    const got: number[] = [];
    sub.subscribe("drain.test", (m) => void got.push(m.data[0]!));
    await sub.flush();
    for (let i = 0; i < 100; i++) pub.publish("drain.test", Uint8Array.of(i));
    await pub.close();
    await waitFor(() => got.length === 100, "the messages published before close");
    await sub.close();
  });

  it("sends publishes queued in this turn before a later request and with a reply after them", async () => {
    const a = await connectNatsBus({ servers: nats.url });
    const b = await connectNatsBus({ servers: nats.url });
    let heardByB = 0;
    b.subscribe("order.seq", () => void heardByB++);
    b.subscribe("order.svc", (m) => {
      for (let i = 0; i < 20; i++) b.publish("order.events", Uint8Array.of(i));
      m.respond(Uint8Array.of(heardByB));
    });
    const heardByA: number[] = [];
    a.subscribe("order.events", (m) => void heardByA.push(m.data[0]!));
    await Promise.all([a.flush(), b.flush()]);

    for (let i = 0; i < 20; i++) a.publish("order.seq", Uint8Array.of(i));
    const reply = await a.request("order.svc", new Uint8Array());
    // The request left after the 20 publishes, and the reply after the responder's 20 events.
    expect(reply[0]).toBe(20);
    expect(heardByA).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await Promise.all([a.close(), b.close()]);
  });

  it("handles a message its subscription lets overtake while earlier ones wait behind an asynchronous handler", async () => {
    const pub = await connectNatsBus({ servers: nats.url });
    const sub = await connectNatsBus({ servers: nats.url });
    let release: () => void = () => {};
    const handled: string[] = [];
    sub.subscribe(
      "overtake.test",
      (m) => {
        const body = new TextDecoder().decode(m.data);
        if (body === "slow") return new Promise<void>((r) => (release = r));
        handled.push(body);
      },
      { overtakes: (data) => data[0] === 0x21 /* "!" */ },
    );
    await sub.flush();
    for (const body of ["slow", "a", "!urgent", "b"])
      pub.publish("overtake.test", new TextEncoder().encode(body));
    await waitFor(() => handled.includes("!urgent"), "the overtaking message");
    expect(handled).toEqual(["!urgent"]);
    release();
    await waitFor(() => handled.length === 3, "the rest, in order");
    expect(handled).toEqual(["!urgent", "a", "b"]);
    await Promise.all([pub.close(), sub.close()]);
  });

  it("reconnects and keeps its subscriptions after the server restarts", async () => {
    const server = await startNatsServer();
    try {
      const sub = await connectNatsBus({ servers: server.url, reconnect: { timeWaitMs: 50 } });
      const pub = await connectNatsBus({ servers: server.url, reconnect: { timeWaitMs: 50 } });
      const got: string[] = [];
      sub.subscribe("restart.test", (m) => void got.push(new TextDecoder().decode(m.data)));
      sub.subscribe("restart.echo", (m) => void m.respond(m.data));
      await sub.flush();
      await server.restart();
      // Until both clients are back, a request fails (no responders or timeout); then it answers.
      await waitFor(
        async () => {
          try {
            await pub.request("restart.echo", Uint8Array.of(1), { timeoutMs: 500 });
            return true;
          } catch {
            return false;
          }
        },
        "the responder to come back",
        20_000,
      );
      pub.publish("restart.test", new TextEncoder().encode("after restart"));
      await waitFor(() => got.includes("after restart"), "a message after the restart");
      await Promise.all([sub.close(), pub.close()]);
    } finally {
      await server.stop();
    }
  });
});
