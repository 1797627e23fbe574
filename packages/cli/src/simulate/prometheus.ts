/** One sample of a Prometheus text exposition: its labels and value. */
export interface PromSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses the Prometheus text format (what the master's `/metrics` serves) into samples by metric
 * name. Comments and lines it cannot read are skipped: a metric the simulator does not know must
 * not stop it. Pure.
 */
export function parsePrometheus(text: string): Map<string, PromSample[]> {
  const out = new Map<string, PromSample[]>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (Number.isNaN(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, "$1");
    const list = out.get(m[1]!) ?? [];
    list.push({ labels, value });
    out.set(m[1]!, list);
  }
  return out;
}

/** The sum of a metric's samples whose labels include `match` (0 when absent). */
export function promSum(
  metrics: Map<string, PromSample[]>,
  name: string,
  match: Record<string, string> = {},
): number {
  let sum = 0;
  for (const s of metrics.get(name) ?? []) {
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

/** A metric's samples as `label value → value` (e.g. dominant share by role). */
export function promByLabel(
  metrics: Map<string, PromSample[]>,
  name: string,
  label: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of metrics.get(name) ?? []) {
    const key = s.labels[label];
    if (key !== undefined) out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}
