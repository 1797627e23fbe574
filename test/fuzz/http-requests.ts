import fc from "fast-check";
import type { Endpoint, Ids, Method } from "./http-catalog.js";
import { mutationOf } from "./mutate.js";
import { encodeAny, NASTY_STRINGS, nastySegment } from "./nasty.js";

/** One malformed (or, by chance, valid) HTTP request, as sent. */
export interface FuzzRequest {
  readonly method: Method;
  /** Path and query, raw: what goes on the request line. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer | undefined;
  /** The body field a mutation touched: a 400/422 should name it. */
  readonly field: string | undefined;
  /** What was done to the request, for the report. */
  readonly kind: string;
  /** The catalog route it came from. */
  readonly route: string;
}

const METHODS: readonly Method[] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

const JSON_TYPE = "application/json";

/** Placeholders of catalog paths and the ids that fill them. */
function idFor(name: string, ids: Ids): string | undefined {
  switch (name) {
    case "agentId":
      return ids.agentId;
    case "appId":
      return ids.appId.replace(/^\//, "");
    case "jobName":
      return encodeURIComponent(ids.jobName);
    case "metronomeJob":
      return encodeURIComponent(ids.metronomeJob);
    case "role":
      return "fuzz";
    case "percentile":
      return "99thPercentile";
    case "fakeId":
      return "fuzz-0000-not-there";
    default:
      return undefined;
  }
}

/** The endpoint's path, each placeholder a real id (mostly) or a nasty segment. */
function pathOf(e: Endpoint, ids: Ids): fc.Arbitrary<string> {
  const parts = e.path.split(/(\{[a-zA-Z]+\})/);
  return fc
    .tuple(
      ...parts.map((p) => {
        const m = /^\{([a-zA-Z]+)\}$/.exec(p);
        if (!m) return fc.constant(p);
        const real = idFor(m[1]!, ids);
        return real === undefined ? nastySegment : fc.oneof(fc.constant(real), nastySegment);
      }),
    )
    .map((xs) => xs.join(""));
}

/** The path as it is, or bent: a trailing or doubled slash, extra segments, a stray dot segment. */
function bentPath(path: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: path },
    { weight: 1, arbitrary: path.map((p) => `${p}/`) },
    { weight: 1, arbitrary: fc.tuple(path, nastySegment).map(([p, s]) => `${p}/${s}`) },
    { weight: 1, arbitrary: path.map((p) => p.replace("/", "//")) },
    { weight: 1, arbitrary: path.map((p) => `${p}/../..${p}`) },
    { weight: 1, arbitrary: fc.webPath().map((p) => p || "/") },
  );
}

const nastyQueryValue = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length < 100)).map(encodeAny),
  fc.constantFrom("%zz", "%", "%00", "a=b=c", "&&", "1e999", "-1", "99999999999999999999", ""),
  fc.string({ maxLength: 20 }).map(encodeAny),
);

/** Known parameters with nasty values, repeated keys, unknown keys or a raw garbage query. */
function queryOf(e: Endpoint): fc.Arbitrary<string> {
  const known = Object.entries(e.query ?? {});
  const keys = known.length > 0 ? known.map(([k]) => k) : ["path", "limit", "offset", "embed"];
  const pair = fc.tuple(fc.constantFrom(...keys), nastyQueryValue).map(([k, v]) => `${k}=${v}`);
  const valid = known.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(valid) },
    { weight: 4, arbitrary: fc.array(pair, { minLength: 1, maxLength: 4 }).map((xs) => xs.join("&")) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...keys).map((k) => `${k}=1&${k}=2&${k}[]=3&${k}[a]=4`),
    },
    { weight: 1, arbitrary: fc.webQueryParameters() },
    {
      weight: 1,
      arbitrary: fc.constantFrom("%", "=", "&&&", "a".repeat(8_000), "%zz=%zz", "__proto__[x]=1"),
    },
  );
}

interface Body {
  readonly body: string | Buffer | undefined;
  readonly contentType: string | undefined;
  readonly field: string | undefined;
  readonly kind: string;
}

const json = (v: unknown) => JSON.stringify(v) ?? "null";

/** JSON that does not parse: cut short, a stray byte, NaN, a BOM, not UTF-8, nothing at all. */
function brokenJson(seed: unknown): fc.Arbitrary<Body> {
  const text = json(seed);
  const raw = (body: string | Buffer, kind: string): Body => ({
    body,
    contentType: JSON_TYPE,
    field: undefined,
    kind,
  });
  return fc.oneof(
    fc
      .integer({ min: 0, max: Math.max(0, text.length - 1) })
      .map((n) => raw(text.slice(0, n), "json:truncated")),
    fc
      .tuple(
        fc.integer({ min: 0, max: text.length }),
        fc.constantFrom("\u0000", "}", "{", ",", "'", "\\", "\u00ff"),
      )
      .map(([n, c]) => raw(text.slice(0, n) + c + text.slice(n), "json:stray-byte")),
    fc.constantFrom(
      raw("", "json:empty"),
      raw("NaN", "json:nan"),
      raw('{"a": Infinity}', "json:infinity"),
      raw(`\ufeff${text}`, "json:bom"),
      raw(Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3, 0x28]), "json:not-utf8"),
      raw(`${text}${text}`, "json:twice"),
      raw("[".repeat(20_000), "json:unclosed-deep"),
    ),
  );
}

/** A body for `e`: mutated from a seed, broken JSON, any JSON, the wrong content type, or none. */
function bodyOf(e: Endpoint): fc.Arbitrary<Body> {
  const seeds = e.bodies ?? [{}];
  const seed = fc.constantFrom(...seeds);
  const contentType = e.form ? "application/x-www-form-urlencoded" : JSON_TYPE;
  const encode = (v: unknown) =>
    e.form && v !== null && typeof v === "object" && !Array.isArray(v)
      ? new URLSearchParams(
          Object.entries(v).map(([k, x]): [string, string] => [k, typeof x === "string" ? x : json(x)]),
        ).toString()
      : json(v);
  return fc.oneof(
    {
      weight: 8,
      arbitrary: seed
        .chain(mutationOf)
        .map((m): Body => ({ body: encode(m.body), contentType, field: m.field, kind: `mutated:${m.op}` })),
    },
    { weight: 3, arbitrary: seed.chain(brokenJson) },
    {
      weight: 1,
      arbitrary: fc
        .jsonValue({ maxDepth: 4 })
        .map((v): Body => ({ body: json(v), contentType: JSON_TYPE, field: undefined, kind: "random-json" })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          seed,
          fc.constantFrom(
            "text/plain",
            "application/xml",
            "application/json; charset=utf-99",
            "application/x-protobuf",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "*/*",
          ),
        )
        .map(([v, ct]): Body => ({ body: json(v), contentType: ct, field: undefined, kind: "content-type" })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Body>(
        { body: undefined, contentType: undefined, field: undefined, kind: "no-body" },
        { body: undefined, contentType: JSON_TYPE, field: undefined, kind: "no-body-json-type" },
        { body: "x".repeat(2_000_000), contentType: JSON_TYPE, field: undefined, kind: "oversized" },
      ),
    },
  );
}

/** Requests for one endpoint of a surface. */
function requestFor(e: Endpoint, ids: Ids): fc.Arbitrary<FuzzRequest> {
  const hasBody = e.bodies !== undefined || e.method !== "GET";
  return fc
    .record({
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(e.method) },
        { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
      ),
      path: bentPath(pathOf(e, ids)),
      query: fc.option(queryOf(e), { freq: 2 }),
      body: hasBody
        ? bodyOf(e)
        : fc.constant<Body>({ body: undefined, contentType: undefined, field: undefined, kind: "no-body" }),
      accept: fc.constantFrom(
        JSON_TYPE,
        JSON_TYPE,
        "*/*",
        "text/html",
        "application/x-protobuf",
        "application/recordio",
      ),
    })
    .map(({ method, path, query, body, accept }): FuzzRequest => {
      const headers: Record<string, string> = { accept };
      if (body.contentType) headers["content-type"] = body.contentType;
      return {
        method,
        target: query === null ? path : `${path}?${query}`,
        headers,
        body: method === "HEAD" ? undefined : body.body,
        field: body.field,
        kind: body.kind,
        route: `${e.method} ${e.path}`,
      };
    });
}

/** Requests for any endpoint of a surface, routes with bodies drawn more often (more to break). */
export function requestsFor(endpoints: readonly Endpoint[], ids: Ids): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...endpoints.map((e) => ({ weight: e.bodies ? 3 : 1, arbitrary: requestFor(e, ids) })));
}
