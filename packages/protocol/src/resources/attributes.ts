import { formatRanges } from "./ranges.js";
import type { Attribute } from "./schema.js";

/**
 * An agent's attributes as text, the way placement constraints compare them (Marathon's and
 * Chronos'): text as is, scalars as numbers, ranges as `[1-5,8-9]`, sets as `{a,b}`.
 */
export function attributeValues(attributes: readonly Attribute[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of attributes) {
    if ("text" in a) out[a.name] = a.text;
    else if ("scalar" in a) out[a.name] = String(a.scalar);
    else if ("ranges" in a) out[a.name] = formatRanges(a.ranges);
    else out[a.name] = `{${[...a.set].sort().join(",")}}`;
  }
  return out;
}
