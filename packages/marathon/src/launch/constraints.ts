import { attributeValues, type Offer } from "@agora/protocol";
import type { AppDefinition, Constraint } from "../model/app-definition.js";
import type { Instance } from "../model/instance.js";

/**
 * Whether an instance of `app` may go on `offer`'s agent, given the app's live instances `placed`,
 * those `alsoPlacing` in the same round and the other offers of the round (`batch`, for GROUP_BY).
 * Undefined when every constraint holds, else `"UnfulfilledConstraint"` (Marathon's reject reason).
 * As Marathon:
 * - field `hostname` is the offer's hostname, any other field the agent attribute of that name; a
 *   missing attribute fails every operator but UNLIKE;
 * - UNIQUE: no instance has the offer's value; CLUSTER: the value given, or (without one) the value
 *   every instance has; GROUP_BY: a value whose count is the smallest of the values known — those
 *   of instances and (Agora's addition: Marathon knows only the former, so it piles onto the first
 *   values it sees) of the offers in `batch` — and a value with instances is reused only once
 *   `value` distinct values have instances (Marathon's `GROUP_BY:n`); LIKE / UNLIKE: the regex
 *   matches / does not match the whole value; MAX_PER: fewer than `value` instances have it; IS:
 *   equal to `value`.
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
  batch: readonly Offer[] = [],
): string | undefined {
  if (app.constraints.length === 0) return undefined;
  const all = [...placed, ...alsoPlacing];
  for (const c of app.constraints) {
    const offered = fieldOf(c.field, offer);
    if (offered === undefined) {
      if (c.operator === "UNLIKE") continue;
      return "UnfulfilledConstraint";
    }
    const values = all.map((i) => (c.field === "hostname" ? i.host : i.agentAttributes[c.field]));
    const batchValues = c.operator === "GROUP_BY" ? batch.map((o) => fieldOf(c.field, o)) : [];
    if (!holds(c, offered, values, batchValues)) return "UnfulfilledConstraint";
  }
  return undefined;
}

function fieldOf(field: string, offer: Offer): string | undefined {
  return field === "hostname" ? offer.hostname : attributeValues(offer.attributes)[field];
}

function holds(
  c: Constraint,
  offered: string,
  values: readonly (string | undefined)[],
  batch: readonly (string | undefined)[],
): boolean {
  switch (c.operator) {
    case "UNIQUE":
      return values.every((v) => v !== offered);
    case "CLUSTER":
      return c.value !== undefined && c.value !== ""
        ? offered === c.value
        : values.every((v) => v === offered);
    case "GROUP_BY":
      return groupBy(offered, values, batch, Number(c.value ?? 0));
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

function groupBy(
  offered: string,
  values: readonly (string | undefined)[],
  batch: readonly (string | undefined)[],
  minimumGroups: number,
): boolean {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  const mine = counts.get(offered) ?? 0;
  if (mine > 0 && counts.size < minimumGroups) return false;
  let fewest = mine;
  for (const n of counts.values()) fewest = Math.min(fewest, n);
  for (const v of batch) if (v !== undefined && !counts.has(v)) fewest = 0;
  return mine === fewest;
}

function fullMatch(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(value);
}
