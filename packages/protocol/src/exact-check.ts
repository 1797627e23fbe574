import type { z } from "zod";

/**
 * What a zod schema would make of a JSON value, found without zod building its output:
 * `EXACT` — valid, and zod's output is the value itself (no default filled in, no key stripped, no
 * transform; only the key order may differ); `INVALID` — zod rejects it; `UNKNOWN` — anything else,
 * including every construct this module does not model. Only `EXACT` lets a caller skip zod.
 */
export const EXACT = 0;
export const INVALID = 1;
export const UNKNOWN = 2;
export type Verdict = typeof EXACT | typeof INVALID | typeof UNKNOWN;

type Check = (value: unknown) => Verdict;

/** The parts of zod 4's internals read here: every schema and check has `_zod.def`; checks also `_zod.check`. */
interface Inner {
  readonly _zod: {
    readonly def: Record<string, unknown> & { readonly type?: string; readonly check?: string };
    readonly traits: ReadonlySet<string>;
    readonly values?: ReadonlySet<unknown>;
    check?: (payload: Payload) => unknown;
  };
}

interface Payload {
  value: unknown;
  issues: unknown[];
}

const compiled = new WeakMap<object, Check>();

/**
 * The exact check of `schema`, built once per schema. zod allocates a payload and an output object
 * for every field of every message it parses — the largest source of the master's garbage (17 % of
 * all bytes it allocated in a 60,000-task run) — while almost every message it receives is valid and
 * already what zod would return. The checks of strings, numbers and refinements are zod's own
 * (`_zod.check`), run on one reused payload, so their meaning cannot drift from the schema's.
 */
export function exactCheck(schema: z.ZodType): Check {
  return compile(schema as unknown as Inner);
}

function compile(schema: Inner): Check {
  const known = compiled.get(schema);
  if (known) return known;
  // A recursive schema reaches itself while compiling: until it is done, it answers UNKNOWN.
  compiled.set(schema, unknownCheck);
  const check = build(schema);
  compiled.set(schema, check);
  return check;
}

const unknownCheck: Check = () => UNKNOWN;
const payload: Payload = { value: undefined, issues: [] };

function build(schema: Inner): Check {
  const def = schema._zod.def;
  if (def.coerce) return unknownCheck;
  const own = checksOf(schema);
  if (own === undefined) return unknownCheck;
  const base = buildType(schema);
  if (own.length === 0) return base;
  const checks = own.map(checkOf);
  return (value) => {
    const v = base(value);
    if (v !== EXACT) return v;
    for (const check of checks) {
      const c = check(value);
      if (c !== EXACT) return c;
    }
    return EXACT;
  };
}

/**
 * A pattern check (ids, uuids: most of the checks run) is the pattern's test, as zod's own does;
 * every other check is zod's, on the reused payload.
 */
function checkOf(check: Inner): Check {
  const def = check._zod.def;
  const pattern = def.pattern;
  if (
    def.check === "string_format" &&
    (def.format === "regex" || def.format === "uuid") &&
    pattern instanceof RegExp &&
    def.when === undefined
  )
    return (v) => {
      pattern.lastIndex = 0;
      return pattern.test(v as string) ? EXACT : INVALID;
    };
  return (v) => runCheck(check, v);
}

function buildType(schema: Inner): Check {
  const def = schema._zod.def;
  switch (def.type) {
    case "string":
      return (v) => (typeof v === "string" ? EXACT : INVALID);
    case "number":
      return (v) => (typeof v === "number" && Number.isFinite(v) ? EXACT : INVALID);
    case "boolean":
      return (v) => (typeof v === "boolean" ? EXACT : INVALID);
    case "literal":
    case "enum": {
      const values = schema._zod.values;
      return values ? (v) => (values.has(v) ? EXACT : INVALID) : unknownCheck;
    }
    case "optional": {
      const inner = compile(def.innerType as Inner);
      return (v) => (v === undefined ? EXACT : inner(v));
    }
    case "nonoptional": {
      const inner = compile(def.innerType as Inner);
      return (v) => (v === undefined ? INVALID : inner(v));
    }
    case "default": {
      // A missing value would be filled in: not the input any more.
      const inner = compile(def.innerType as Inner);
      return (v) => (v === undefined ? UNKNOWN : inner(v));
    }
    case "array":
      return arrayCheck(compile(def.element as Inner));
    case "record":
      return recordCheck(def.keyType as Inner, compile(def.valueType as Inner));
    case "object":
      return objectCheck(def.shape as Record<string, Inner>, def.catchall as Inner | undefined);
    case "union":
      // An exclusive union (z.xor) wants exactly one option to match, not the first.
      if (def.inclusive === false && def.discriminator === undefined) return unknownCheck;
      return unionCheck((def.options as Inner[]).map(compile));
    default:
      return unknownCheck;
  }
}

/** The checks zod runs after the type (the schema itself first when it is a format); undefined when one changes the value. */
function checksOf(schema: Inner): Inner[] | undefined {
  const list = [
    ...(schema._zod.traits.has("$ZodCheck") ? [schema] : []),
    ...((schema._zod.def.checks as Inner[] | undefined) ?? []),
  ];
  return list.some((c) => c._zod.def.check === "overwrite" || c._zod.check === undefined) ? undefined : list;
}

/** zod's own check, as its `runChecks` runs it on a value without issues so far. */
function runCheck(check: Inner, value: unknown): Verdict {
  payload.value = value;
  if (payload.issues.length > 0) payload.issues = [];
  try {
    const when = check._zod.def.when as ((p: Payload) => boolean) | undefined;
    if (when && !when(payload)) return EXACT;
    const result = check._zod.check?.(payload);
    if (result instanceof Promise || payload.value !== value) return UNKNOWN;
    return payload.issues.length > 0 ? INVALID : EXACT;
  } catch {
    return UNKNOWN;
  } finally {
    // The payload is reused: it must not keep the last message alive.
    payload.value = undefined;
  }
}

function worse(a: Verdict, b: Verdict): Verdict {
  return a > b ? a : b;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function arrayCheck(element: Check): Check {
  return (v) => {
    if (!Array.isArray(v)) return INVALID;
    let verdict: Verdict = EXACT;
    for (const item of v) {
      verdict = worse(verdict, element(item));
      if (verdict === INVALID) return INVALID;
    }
    return verdict;
  };
}

function recordCheck(keyType: Inner, value: Check): Check {
  // Only string keys keep a record as it is (zod checks an enum's keys for exhaustiveness, a number's parses).
  if (keyType._zod.def.type !== "string") return unknownCheck;
  const key = compile(keyType);
  return (v) => {
    if (!isPlainObject(v)) return INVALID;
    let verdict: Verdict = EXACT;
    for (const k in v) {
      // JSON.parse makes "__proto__" an own key; zod's record output treats it its own way.
      if (k === "__proto__") return UNKNOWN;
      verdict = worse(verdict, worse(key(k), value(v[k])));
      if (verdict === INVALID) return INVALID;
    }
    return verdict;
  };
}

/**
 * Generated per shape, as zod generates its own object parser: reading `v["taskId"]` by name is what
 * lets V8 cache each field's place; a loop over the shape's keys made every read a slow keyed lookup
 * (it cost more than zod). An object is counted key by key only when it holds more keys than the shape
 * found, to tell an unknown key from a known one that is undefined.
 */
function objectCheck(shape: Record<string, Inner>, catchall: Inner | undefined): Check {
  const keys = Object.keys(shape);
  // No catchall strips unknown keys (the output is not the input); `never` refuses them; others keep them parsed.
  const unknownKey: Verdict | undefined =
    catchall === undefined ? UNKNOWN : catchall._zod.def.type === "never" ? INVALID : undefined;
  if (unknownKey === undefined) return unknownCheck;
  const fields = keys.map((k) => compile(shape[k] as Inner));
  const known = new Set(keys);
  const extraKey = (v: Record<string, unknown>): Verdict => {
    for (const k in v) if (!known.has(k)) return unknownKey;
    return EXACT;
  };
  const lines = keys.map(
    (k, i) =>
      `x = v[${JSON.stringify(k)}]; if (x !== undefined) n++; x = f[${i}](x); if (x === ${INVALID}) return ${INVALID}; if (x > r) r = x;`,
  );
  const body = `return (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return ${INVALID};
    let r = ${EXACT}, x, n = 0, all = 0;
    ${lines.join("\n    ")}
    for (const k in v) all++;
    if (all === n) return r;
    x = extra(v);
    return x === ${INVALID} ? x : x > r ? x : r;
  };`;
  return new Function("f", "extra", body)(fields, extraKey) as Check;
}

/** zod takes the first option that succeeds: an option that might (UNKNOWN) before any EXACT one decides nothing. */
function unionCheck(options: readonly Check[]): Check {
  return (v) => {
    for (const option of options) {
      const verdict = option(v);
      if (verdict !== INVALID) return verdict;
    }
    return INVALID;
  };
}
