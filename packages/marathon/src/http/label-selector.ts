import { MarathonError } from "../errors.js";

/**
 * Marathon's label selector (`GET /v2/apps?label=`): comma-separated terms, all of which must hold:
 * `k` (present), `k==v`, `k!=v`, `k in (a, b)`, `k notin (a, b)`. A backslash escapes the next
 * character, so values may hold commas, spaces or parentheses.
 */
export type LabelTerm =
  | { kind: "exists"; key: string }
  | { kind: "equals" | "differs"; key: string; value: string }
  | { kind: "in" | "notin"; key: string; values: string[] };

export function parseLabelSelector(selector: string): LabelTerm[] {
  return splitOutside(selector, ",").map((raw) => parseTerm(raw.trim(), selector));
}

export function matchesLabels(
  labels: Readonly<Record<string, string>>,
  terms: readonly LabelTerm[],
): boolean {
  return terms.every((t) => {
    const value = labels[t.key];
    switch (t.kind) {
      case "exists":
        return value !== undefined;
      case "equals":
        return value === t.value;
      case "differs":
        return value !== t.value;
      case "in":
        return value !== undefined && t.values.includes(value);
      case "notin":
        return value === undefined || !t.values.includes(value);
      default:
        return false;
    }
  });
}

function parseTerm(term: string, selector: string): LabelTerm {
  const set = /^((?:\\.|[^\s\\])+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (set) {
    const values = splitOutside(set[3]!, ",").map((v) => unescaped(v.trim()));
    return { kind: set[2] as "in" | "notin", key: unescaped(set[1]!), values };
  }
  const eq = /^((?:\\.|[^=!\\])+?)\s*(==|!=)\s*((?:\\.|[^\\])*)$/.exec(term);
  if (eq) {
    const kind = eq[2] === "==" ? "equals" : "differs";
    return { kind, key: unescaped(eq[1]!.trim()), value: unescaped(eq[3]!.trim()) };
  }
  if (/^(?:\\.|[^\s=!()\\])+$/.test(term)) return { kind: "exists", key: unescaped(term) };
  throw new MarathonError("INVALID_REQUEST", `Invalid label selector '${selector}': can not parse '${term}'`);
}

/** Splits at `separator` outside parentheses and escapes. */
function splitOutside(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && i + 1 < text.length) {
      current += c + text[i + 1];
      i++;
      continue;
    }
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === separator && depth === 0) {
      parts.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts.filter((p) => p.trim() !== "");
}

function unescaped(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}
