import type { Attribute, Offer } from "@agora/protocol";
import { formatRanges } from "@agora/protocol";
import type { AppDefinition, Constraint } from "../model/app-definition.js";
import type { Instance } from "../model/instance.js";

/**
 * An agent's attributes as text, the way constraints compare them and instances keep them
 * (`Instance.agentAttributes`): text as is, scalars as numbers, ranges as `[1-5,8-9]`, sets as `{a,b}`.
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

/**
 * Whether an instance of `app` may go on `offer`'s agent, given the app's live instances `placed`
 * and those `alsoPlacing` in the same round. Undefined when every constraint holds, else
 * `"UnfulfilledConstraint"` (Marathon's reject reason). As Marathon:
 * - field `hostname` is the offer's hostname, any other field the agent attribute of that name; a
 *   missing attribute fails every operator but UNLIKE;
 * - UNIQUE: no instance has the offer's value; CLUSTER: the value given, or (without one) the value
 *   every instance has; GROUP_BY: a value no instance has yet, or one whose count is the smallest,
 *   once at least `value` distinct values are in use; LIKE / UNLIKE: the regex matches / does not
 *   match the whole value; MAX_PER: fewer than `value` instances have it; IS: equal to `value`.
 *
 * @example
 * ```ts
 * if (checkConstraints(app, offer, liveInstancesOf(app.id)) !== undefined) decline(offer);
 * ```
 */
export function checkConstraints(
  app: AppDefinition,
  offer: Offer,
  placed: readonly Instance[],
  alsoPlacing: readonly Instance[] = [],
): string | undefined {
  if (app.constraints.length === 0) return undefined;
  const attributes = attributeValues(offer.attributes);
  const all = [...placed, ...alsoPlacing];
  for (const c of app.constraints) {
    const offered = c.field === "hostname" ? offer.hostname : attributes[c.field];
    const ok =
      offered === undefined
        ? c.operator === "UNLIKE"
        : holds(
            c,
            offered,
            all.map((i) => valueOf(c.field, i)),
          );
    if (!ok) return "UnfulfilledConstraint";
  }
  return undefined;
}

function valueOf(field: string, i: Instance): string | undefined {
  return field === "hostname" ? i.host : i.agentAttributes[field];
}

function holds(c: Constraint, offered: string, values: (string | undefined)[]): boolean {
  switch (c.operator) {
    case "UNIQUE":
      return values.every((v) => v !== offered);
    case "CLUSTER":
      return c.value !== undefined && c.value !== ""
        ? offered === c.value
        : values.every((v) => v === offered);
    case "GROUP_BY":
      return groupBy(offered, values, Number(c.value ?? 0));
    case "LIKE":
      return fullMatch(c.value ?? "", offered);
    case "UNLIKE":
      return !fullMatch(c.value ?? "", offered);
    case "MAX_PER":
      return values.filter((v) => v === offered).length < Number(c.value);
    case "IS":
      return offered === c.value;
  }
}

/** Marathon's GROUP_BY: a new value is always fine; a known one only with the smallest count, once enough values are known. */
function groupBy(offered: string, values: (string | undefined)[], minimumGroups: number): boolean {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  const mine = counts.get(offered);
  if (mine === undefined) return true;
  return counts.size >= minimumGroups && mine === Math.min(...counts.values());
}

function fullMatch(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(value);
}
