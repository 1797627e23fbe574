import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Bus, BusMessage } from "../bus.js";
import { expectCode } from "./expect-code.js";
import { waitFor } from "./wait-for.js";

/** Two peers on one bus network (the same object is fine in process), and how to end them. */
export interface BusFixture {
  readonly a: Bus;
  readonly b: Bus;
  teardown(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (s: string) => enc.encode(s);

/**
 * The behaviour every `Bus` must share (NATS semantics), run against one implementation.
 * Subscribers flush before peers publish, so a subscription is known to the server first.
 */
export function describeBusConformance(name: string, factory: () => Promise<BusFixture>): void {
  describe(`Bus conformance: ${name}`, () => {
    let f: BusFixture;
    beforeEach(async () => {
      f = await factory();
    });
    afterEach(async () => {
      await f.teardown();
    });

    function collect(bus: Bus, subject: string, queue?: string): BusMessage[] {
      const got: BusMessage[] = [];
      bus.subscribe(subject, (m) => void got.push(m), queue === undefined ? {} : { queue });
      return got;
    }

    it("delivers a published message with its subject and bytes", async () => {
      const got = collect(f.b, "conf.hello");
      await f.b.flush();
      f.a.publish("conf.hello", text("hi"));
      await waitFor(() => got.length === 1, "the message");
      expect(got[0]!.subject).toBe("conf.hello");
      expect(dec.decode(got[0]!.data)).toBe("hi");
      expect(got[0]!.reply).toBeUndefined();
      expect(got[0]!.respond(text("x"))).toBe(false);
    });

    it("matches '*' to exactly one token", async () => {
      const got = collect(f.b, "conf.*.end");
      const all = collect(f.b, "conf.>");
      await f.b.flush();
      for (const s of ["conf.x.end", "conf.x.y.end", "conf.end", "conf.y.end"]) f.a.publish(s, text(s));
      await waitFor(() => all.length === 4, "all four messages");
      await waitFor(() => got.length >= 2, "the matching messages");
      expect(got.map((m) => m.subject).sort()).toEqual(["conf.x.end", "conf.y.end"]);
    });

    it("matches '>' to one or more trailing tokens, never zero", async () => {
      const got = collect(f.b, "conf.tail.>");
      const marker = collect(f.b, "conf.marker");
      await f.b.flush();
      for (const s of ["conf.tail", "conf.tail.a", "conf.tail.a.b.c"]) f.a.publish(s, text(s));
      f.a.publish("conf.marker", text("done"));
      await waitFor(() => marker.length === 1 && got.length >= 2, "the matching messages");
      expect(got.map((m) => m.subject)).toEqual(["conf.tail.a", "conf.tail.a.b.c"]);
    });

    it("gives every plain subscriber its own copy", async () => {
      const one = collect(f.b, "conf.fanout");
      const two = collect(f.b, "conf.fanout");
      await f.b.flush();
      f.a.publish("conf.fanout", text("x"));
      await waitFor(() => one.length === 1 && two.length === 1, "both copies");
    });

    it("spreads a queue group's messages so each goes to exactly one member", async () => {
      const m1 = collect(f.b, "conf.work", "workers");
      const m2 = collect(f.b, "conf.work", "workers");
      const watcher = collect(f.b, "conf.work");
      await f.b.flush();
      const n = 200;
      for (let i = 0; i < n; i++) f.a.publish("conf.work", text(String(i)));
      await waitFor(() => watcher.length === n && m1.length + m2.length === n, "all messages");
      const seen = [...m1, ...m2].map((m) => Number(dec.decode(m.data))).sort((x, y) => x - y);
      expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(m1.length).toBeGreaterThan(0);
      expect(m2.length).toBeGreaterThan(0);
    });

    it("answers a request through respond", async () => {
      f.b.subscribe("conf.echo", (m) => {
        expect(m.reply).toBeTypeOf("string");
        expect(m.respond(text(`echo:${dec.decode(m.data)}`))).toBe(true);
      });
      await f.b.flush();
      const reply = await f.a.request("conf.echo", text("ping"), { timeoutMs: 5_000 });
      expect(dec.decode(reply)).toBe("echo:ping");
    });

    it("answers requests from an asynchronous handler", async () => {
      f.b.subscribe("conf.slow-echo", async (m) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        m.respond(m.data);
      });
      await f.b.flush();
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => f.a.request("conf.slow-echo", text(String(i)))),
      );
      expect(replies.map((r) => dec.decode(r))).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    });

    it("gives each request its own answer when answers come back in reverse order, and ignores one too late", async () => {
      const held: BusMessage[] = [];
      f.b.subscribe("conf.held", (m) => {
        held.push(m);
        if (held.length === 5)
          for (const h of [...held].reverse()) h.respond(text(`re:${dec.decode(h.data)}`));
      });
      await f.b.flush();
      const late = f.a.request("conf.held", text("late"), { timeoutMs: 100 });
      await expectCode(() => late, "TIMEOUT");
      const replies = await Promise.all(
        ["a", "b", "c", "d"].map((s) => f.a.request("conf.held", text(s), { timeoutMs: 5_000 })),
      );
      expect(replies.map((r) => dec.decode(r))).toEqual(["re:a", "re:b", "re:c", "re:d"]);
    });

    it("fails a request nobody subscribes to with NO_RESPONDERS", async () => {
      await expectCode(
        () => f.a.request("conf.nobody.home", text("?"), { timeoutMs: 5_000 }),
        "NO_RESPONDERS",
      );
    });

    it("fails a request nobody answers with TIMEOUT", async () => {
      f.b.subscribe("conf.silent", () => {});
      await f.b.flush();
      await expectCode(() => f.a.request("conf.silent", text("?"), { timeoutMs: 200 }), "TIMEOUT");
    });

    it("delivers 10,000 messages in order, one handler call at a time", async () => {
      const n = 10_000;
      const got: number[] = [];
      let running = 0;
      let maxRunning = 0;
      f.b.subscribe("conf.ordered", async (m) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        const i = Number(dec.decode(m.data));
        // Yield now and then so a later message could overtake if delivery were not serial.
        if (i % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
        got.push(i);
        running--;
      });
      await f.b.flush();
      for (let i = 0; i < n; i++) f.a.publish("conf.ordered", text(String(i)));
      await f.a.flush();
      await waitFor(() => got.length === n, "all messages", 30_000);
      expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(maxRunning).toBe(1);
    });

    it("keeps delivering after a handler throws or rejects", async () => {
      const got: string[] = [];
      f.b.subscribe("conf.faulty", async (m) => {
        const s = dec.decode(m.data);
        if (s === "throw") throw new Error("handler failure (expected by the test)");
        if (s === "reject") return Promise.reject(new Error("handler rejection (expected by the test)"));
        got.push(s);
      });
      f.b.subscribe("conf.faulty-sync", (m) => {
        if (dec.decode(m.data) === "throw") throw new Error("sync handler failure (expected by the test)");
        got.push(`sync:${dec.decode(m.data)}`);
      });
      await f.b.flush();
      for (const s of ["throw", "reject", "ok"]) f.a.publish("conf.faulty", text(s));
      for (const s of ["throw", "ok"]) f.a.publish("conf.faulty-sync", text(s));
      await waitFor(() => got.length === 2, "the messages after the failures");
      expect(got.sort()).toEqual(["ok", "sync:ok"]);
    });

    it("stops delivering to an unsubscribed handler", async () => {
      const gone: BusMessage[] = [];
      const sub = f.b.subscribe("conf.unsub", (m) => void gone.push(m));
      const kept = collect(f.b, "conf.unsub");
      expect(sub.subject).toBe("conf.unsub");
      await f.b.flush();
      f.a.publish("conf.unsub", text("1"));
      await waitFor(() => gone.length === 1 && kept.length === 1, "the first message");
      sub.unsubscribe();
      await f.b.flush();
      f.a.publish("conf.unsub", text("2"));
      await waitFor(() => kept.length === 2, "the second message");
      expect(gone).toHaveLength(1);
    });

    it("refuses a message over nats-server's default 1 MiB max_payload with PAYLOAD_TOO_LARGE", async () => {
      const big = new Uint8Array(1024 * 1024 + 1);
      await expectCode(() => f.a.publish("big.one", big), "PAYLOAD_TOO_LARGE");
      await expectCode(() => f.a.request("big.one", big, { timeoutMs: 200 }), "PAYLOAD_TOO_LARGE");
      const got: number[] = [];
      f.b.subscribe("big.one", (m) => {
        got.push(m.data.length);
      });
      await f.b.flush();
      f.a.publish("big.one", new Uint8Array(1024 * 1024));
      await waitFor(() => got.length === 1, "a message of exactly the limit");
      expect(got).toEqual([1024 * 1024]);
    });

    it("refuses to publish to an empty subject or one with whitespace with INVALID_SUBJECT", async () => {
      const got = collect(f.b, "conf.after");
      await f.b.flush();
      for (const subject of ["", "conf two", "conf.tab\t", "conf.line\r\n"])
        await expectCode(() => f.a.publish(subject, text("x")), "INVALID_SUBJECT");
      f.a.publish("conf.after", text("still fine"));
      await waitFor(() => got.length === 1, "a message after the refusals");
      expect(dec.decode(got[0]!.data)).toBe("still fine");
    });

    it("fails every call after close with CLOSED", async () => {
      await f.a.close();
      await expectCode(() => f.a.publish("conf.closed", text("x")), "CLOSED");
      await expectCode(() => f.a.subscribe("conf.closed", () => {}), "CLOSED");
      await expectCode(() => f.a.request("conf.closed", text("x")), "CLOSED");
      await expectCode(() => f.a.flush(), "CLOSED");
      await f.a.close();
    });
  });
}
