import { describe, expect, it } from "vitest";
import { ReplyBuffer } from "./reply-buffer.js";

// Past Node's 4 KiB pool, under which small buffers share one ArrayBuffer anyway.
const KB = 1024 * 64;

describe("ReplyBuffer", () => {
  it("lends the same memory again once the reply that held it is released", () => {
    const buffers = new ReplyBuffer();
    const first = buffers.take(10 * KB);
    expect(first.body.length).toBe(10 * KB);
    first.release();
    const second = buffers.take(11 * KB);
    expect(second.body.length).toBe(11 * KB);
    expect(second.body.buffer).toBe(first.body.buffer);
  });

  it("never lends a buffer a reply still holds", () => {
    const buffers = new ReplyBuffer();
    const held = buffers.take(10 * KB);
    const other = buffers.take(10 * KB);
    expect(other.body.buffer).not.toBe(held.body.buffer);
    held.release();
    other.release();
    // The last released is the one kept; the first was never lent twice at once.
    const again = buffers.take(KB);
    expect(again.body.buffer).toBe(other.body.buffer);
    expect(buffers.take(KB).body.buffer).not.toBe(again.body.buffer);
  });

  it("replaces a kept buffer too small for the next reply", () => {
    const buffers = new ReplyBuffer();
    const small = buffers.take(KB);
    small.release();
    const big = buffers.take(10 * KB);
    expect(big.body.length).toBe(10 * KB);
    expect(big.body.buffer).not.toBe(small.body.buffer);
  });
});
