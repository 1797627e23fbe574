import fc from "fast-check";

/**
 * Values that have broken parsers and validators elsewhere: empty and blank, control characters,
 * numbers in strings, traversal, injection, a lone surrogate, prototype keys, Mesos/Chronos-looking
 * strings that are almost right, and one long string. None of them is a runnable command, which
 * matters: a mutated body that still validates may launch a task (see `COMMAND_KEYS`).
 */
export const NASTY_STRINGS: readonly string[] = [
  "",
  " ",
  "\u0000",
  "\t\r\n",
  "null",
  "undefined",
  "NaN",
  "-1",
  "1e309",
  "0x10",
  "true",
  "[]",
  "{}",
  "../../../../etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "%00",
  "%zz",
  "a".repeat(10_000),
  "\u202e\u0301\u{1f4a5}",
  "\ud800",
  "'; DROP TABLE jobs; --",
  "<script>alert(1)</script>",
  "$" + "{jndi:ldap://127.0.0.1/x}",
  "__proto__",
  "constructor",
  "/",
  "//",
  "a/../../b",
  "*",
  "R",
  "R-1//PT-1S",
  "R5/2030-13-45T99:99:99Z/PT1S",
  "P",
  "PT0S",
  "0 0 31 2 *",
  "* * * * * * *",
  "TASK_RUNNING",
  "SCALAR",
  "\\",
  '"',
];

export const NASTY_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  0.5,
  1.5,
  1e-320,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
];

/** A JSON value nested `depth` levels: recursion in a parser or a schema walk. */
export function deeplyNested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { a: v };
  return v;
}

/** Any JSON value that a schema should reject or take in its stride. */
export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], [[]], [{}]) },
  { weight: 1, arbitrary: fc.constant<unknown>(JSON.parse('{"__proto__": {"polluted": true}}')) },
  { weight: 1, arbitrary: fc.constant(deeplyNested(3_000)) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
);

/** A value of another JSON type than `v` (a string for a number, an object for an array…). */
export function otherType(v: unknown): unknown[] {
  const all: unknown[] = ["1", 1, true, null, [], {}, [1], { value: 1 }];
  const type = (x: unknown) => (Array.isArray(x) ? "array" : x === null ? "null" : typeof x);
  return all.filter((x) => type(x) !== type(v));
}

/** `encodeURIComponent`, with a lone surrogate (which it refuses) sent as U+FFFD. */
export function encodeAny(s: string): string {
  return encodeURIComponent(wellFormed(s));
}

/** `s` with each lone surrogate replaced by U+FFFD (String#toWellFormed, not in our ES lib). */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/** A path segment that is no id at all, raw (already URL-encoded or deliberately not). */
export const nastySegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "..",
    "%2e%2e",
    "%2F",
    "%00",
    "%zz",
    "%",
    "~",
    "a".repeat(3_000),
    "%E2%80%AE",
    "%F0%9F%92%A5",
    "__proto__",
    "constructor",
    "null",
    "-1",
    "0",
    "..%2F..%2Fetc%2Fpasswd",
  ),
  fc.string({ maxLength: 24 }).map(encodeAny),
  fc.webSegment(),
);
