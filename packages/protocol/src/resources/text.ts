import { ProtocolError } from "../errors.js";
import { RoleName } from "../ids.js";
import { normalize, roleOf } from "./arithmetic.js";
import { formatRanges } from "./ranges.js";
import { type Attribute, type Range, type Resource, ResourceName } from "./schema.js";

/**
 * Mesos' textual resources: `cpus:2;mem:1024;ports:[31000-32000];disk(eng):100;zones:{a,b}`.
 * A `(role)` suffix makes a static reservation. Errors name the offending entry.
 */
export function parseResources(text: string, field = "resources"): Resource[] {
  const out: Resource[] = [];
  for (const raw of splitEntries(text)) {
    const m = /^([^:(]+)(?:\(([^)]*)\))?:(.+)$/.exec(raw);
    if (!m) throw invalid(field, raw, "expected name[(role)]:value");
    const [, name = "", role, value = ""] = m;
    if (!ResourceName.safeParse(name.trim()).success)
      throw invalid(field, raw, `bad resource name '${name}'`);
    const base: { name: string; reservation?: Resource["reservation"] } = { name: name.trim() };
    if (role !== undefined && role !== "*") {
      if (!RoleName.safeParse(role).success) throw invalid(field, raw, `bad role '${role}'`);
      base.reservation = { role, type: "static" };
    }
    out.push({ ...base, ...parseValue(value.trim(), field, raw) } as Resource);
  }
  return normalize(out);
}

/** `rack:r1;zone:a;level:3;ports:[1-2];tags:{x,y}`: numbers become scalars, the rest text. */
export function parseAttributes(text: string, field = "attributes"): Attribute[] {
  return splitEntries(text).map((raw) => {
    const i = raw.indexOf(":");
    if (i <= 0) throw invalid(field, raw, "expected name:value");
    const name = raw.slice(0, i).trim();
    const value = raw.slice(i + 1).trim();
    if (!ResourceName.safeParse(name).success) throw invalid(field, raw, `bad attribute name '${name}'`);
    if (value.startsWith("[") || value.startsWith("{"))
      return { name, ...parseValue(value, field, raw) } as Attribute;
    const n = Number(value);
    return value !== "" && Number.isFinite(n) ? { name, scalar: n } : { name, text: value };
  });
}

/** The inverse of `parseResources`, e.g. for logs and CLI output. */
export function formatResources(resources: readonly Resource[]): string {
  return normalize(resources)
    .map((r) => {
      const role = roleOf(r);
      const name = role === "*" ? r.name : `${r.name}(${role})`;
      if ("scalar" in r) return `${name}:${r.scalar}`;
      if ("ranges" in r) return `${name}:${formatRanges(r.ranges)}`;
      return `${name}:{${r.set.join(",")}}`;
    })
    .join(";");
}

function splitEntries(text: string): string[] {
  return text
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseValue(
  value: string,
  field: string,
  raw: string,
): { scalar: number } | { ranges: Range[] } | { set: string[] } {
  if (value.startsWith("[")) {
    if (!value.endsWith("]")) throw invalid(field, raw, "unterminated range list");
    const ranges = value
      .slice(1, -1)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const m = /^(\d+)\s*-\s*(\d+)$/.exec(s) ?? /^(\d+)()$/.exec(s);
        if (!m) throw invalid(field, raw, `bad range '${s}'`);
        const begin = Number(m[1]);
        const end = m[2] ? Number(m[2]) : begin;
        if (begin > end) throw invalid(field, raw, `range '${s}' has begin > end`);
        return { begin, end };
      });
    return { ranges };
  }
  if (value.startsWith("{")) {
    if (!value.endsWith("}")) throw invalid(field, raw, "unterminated set");
    return {
      set: value
        .slice(1, -1)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    };
  }
  const n = Number(value);
  if (value === "" || !Number.isFinite(n) || n < 0)
    throw invalid(field, raw, `'${value}' is not a non-negative number`);
  return { scalar: n };
}

function invalid(field: string, entry: string, why: string): ProtocolError {
  return new ProtocolError("INVALID_RESOURCES", `${field}: '${entry}': ${why}`, { field });
}
