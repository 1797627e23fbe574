import { decode } from "@agora/protocol";
import fc from "fast-check";
import type { z } from "zod";
import { mutationOf } from "./mutate.js";

/** One malformed bus message, and what was done to make it. */
export interface FuzzMessage {
  readonly data: Uint8Array;
  readonly kind: string;
}

const bytes = (s: string) => new TextEncoder().encode(s);

/** Payloads that are not JSON at all: empty, cut short, binary, a BOM, a number too deep to parse. */
function notJson(seed: unknown): fc.Arbitrary<FuzzMessage> {
  const text = JSON.stringify(seed);
  return fc.oneof(
    fc
      .integer({ min: 0, max: Math.max(0, text.length - 1) })
      .map((n): FuzzMessage => ({ data: bytes(text.slice(0, n)), kind: "json:truncated" })),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((data): FuzzMessage => ({ data, kind: "binary" })),
    fc.constantFrom<FuzzMessage>(
      { data: new Uint8Array(0), kind: "json:empty" },
      { data: bytes("NaN"), kind: "json:nan" },
      { data: bytes(`\ufeff${text}`), kind: "json:bom" },
      { data: bytes(`${text}${text}`), kind: "json:twice" },
      { data: bytes("[".repeat(20_000)), kind: "json:unclosed-deep" },
    ),
  );
}

/**
 * Malformed messages for a subject whose receiver validates with `schema`, grown from `seeds` (real
 * messages seen on that subject): one field changed, removed or retyped, broken JSON, or any JSON.
 * Only messages the schema refuses are kept, so each one must be dropped, counted and logged.
 */
export function malformedMessages(
  schema: z.ZodType,
  seeds: readonly unknown[],
  count: number,
  seed: number,
): FuzzMessage[] {
  const arb = fc.constantFrom(...seeds).chain((s) =>
    fc.oneof(
      {
        weight: 8,
        arbitrary: mutationOf(s).map(
          (m): FuzzMessage => ({ data: bytes(JSON.stringify(m.body) ?? "null"), kind: `mutated:${m.op}` }),
        ),
      },
      { weight: 2, arbitrary: notJson(s) },
      {
        weight: 1,
        arbitrary: fc
          .jsonValue({ maxDepth: 4 })
          .map((v): FuzzMessage => ({ data: bytes(JSON.stringify(v) ?? "null"), kind: "random-json" })),
      },
    ),
  );
  const out: FuzzMessage[] = [];
  for (let round = 0; out.length < count && round < 20; round++) {
    for (const m of fc.sample(arb, { numRuns: count, seed: seed + round }))
      if (out.length < count && !decode(schema, m.data).ok) out.push(m);
  }
  return out;
}
