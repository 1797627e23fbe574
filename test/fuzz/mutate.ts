import fc from "fast-check";
import { NASTY_NUMBERS, nastyJson, otherType } from "./nasty.js";

/** A key path into a JSON value: object keys and array indexes. */
export type JsonPath = readonly (string | number)[];

/**
 * Keys whose string value becomes a command a task runs (Marathon `cmd`/`args`, Chronos `command`,
 * Mesos `value`/`arguments`, URIs the fetcher downloads). A mutated body may still validate and
 * launch, so these keys are only ever given values of another type (or removed), never a string.
 */
export const COMMAND_KEYS: ReadonlySet<string> = new Set([
  "cmd",
  "args",
  "command",
  "value",
  "arguments",
  "shell",
  "uris",
  "uri",
  "fetch",
  "executor",
  "image",
]);

/** One change to a valid body, and the field it touched (dot-joined), for the error to name. */
export interface Mutation {
  readonly body: unknown;
  readonly field: string | undefined;
  readonly op: "replace" | "remove" | "retype" | "unknownKey" | "bloat" | "whole";
}

/** Every path in `v` (the root excluded), depth first. */
export function pathsOf(v: unknown, prefix: JsonPath = []): JsonPath[] {
  if (Array.isArray(v))
    return v.flatMap((x, i) => [[...prefix, i] as JsonPath, ...pathsOf(x, [...prefix, i])]);
  if (v !== null && typeof v === "object")
    return Object.entries(v).flatMap(([k, x]) => [[...prefix, k] as JsonPath, ...pathsOf(x, [...prefix, k])]);
  return [];
}

function get(v: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((x, k) => (x as Record<string | number, unknown>)[k], v);
}

/** A copy of `v` with the value at `path` replaced (`undefined`: removed). */
export function setAt(v: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const copy = [...v];
    if (value === undefined && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = setAt(copy[head as number], rest, value);
    return copy;
  }
  const copy = { ...(v as Record<string, unknown>) };
  if (value === undefined && rest.length === 0) delete copy[head as string];
  else copy[head as string] = setAt(copy[head as string], rest, value);
  return copy;
}

const lastKey = (path: JsonPath): string | undefined =>
  [...path].reverse().find((k): k is string => typeof k === "string");

/** Mutations of a valid `template`: one field replaced, removed, of the wrong type, or bloated. */
export function mutationOf(template: unknown): fc.Arbitrary<Mutation> {
  const paths = pathsOf(template);
  const whole = fc.oneof(
    nastyJson.map((body): Mutation => ({ body, field: undefined, op: "whole" })),
    fc.constant<Mutation>({
      body: { ...(template as object), "": { "\u0000": 1 } },
      field: "",
      op: "unknownKey",
    }),
  );
  if (paths.length === 0) return whole;
  return fc.constantFrom(...paths).chain((path) => {
    const key = lastKey(path);
    const field = path.join(".");
    const current = get(template, path);
    const commandish = key !== undefined && COMMAND_KEYS.has(key);
    const replacement = commandish
      ? fc.constantFrom<unknown>(...NASTY_NUMBERS, null, true, {}, [1])
      : nastyJson;
    return fc.oneof(
      {
        weight: 5,
        arbitrary: replacement.map(
          (x): Mutation => ({ body: setAt(template, path, x), field, op: "replace" }),
        ),
      },
      {
        weight: 2,
        arbitrary: fc.constant<Mutation>({ body: setAt(template, path, undefined), field, op: "remove" }),
      },
      {
        weight: 3,
        arbitrary: fc
          .constantFrom(...otherType(current))
          .map((x): Mutation => ({ body: setAt(template, path, x), field, op: "retype" })),
      },
      {
        weight: 1,
        arbitrary: fc.constant<Mutation>({
          body: setAt(template, path, bloated(current, commandish)),
          field,
          op: "bloat",
        }),
      },
      { weight: 1, arbitrary: whole },
    );
  });
}

/** `v` grown large, its type kept: 2,000 entries, 2,000 extra keys, or (not for a command) 100,000 characters. */
function bloated(v: unknown, commandish: boolean): unknown {
  if (Array.isArray(v)) return Array(2_000).fill(v[0] ?? 0);
  if (v !== null && typeof v === "object")
    return { ...v, ...Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, i])) };
  if (typeof v === "string" && !commandish) return v.padEnd(100_000, "x");
  return typeof v === "number" ? v * 1e300 : v;
}
