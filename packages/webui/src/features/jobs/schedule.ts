/** A Chronos schedule, `R[n]/<start>/<period>` (ISO 8601 repeating interval), read for people. */
export interface Schedule {
  /** Remaining repetitions; undefined = forever. */
  readonly repeats: number | undefined;
  readonly start: Date;
  readonly periodMs: number;
  readonly period: string;
}

const UNITS: Array<[RegExp, number, string]> = [
  [/(\d+(?:\.\d+)?)Y/, 365 * 86_400_000, "year"],
  [/(\d+(?:\.\d+)?)W/, 7 * 86_400_000, "week"],
  [/(\d+(?:\.\d+)?)D/, 86_400_000, "day"],
];
const TIME_UNITS: Array<[RegExp, number, string]> = [
  [/(\d+(?:\.\d+)?)H/, 3_600_000, "hour"],
  [/(\d+(?:\.\d+)?)M/, 60_000, "minute"],
  [/(\d+(?:\.\d+)?)S/, 1000, "second"],
];

/** `R/2026-01-01T00:00:00Z/PT1H` → its parts; undefined when it is not one (a cron job, a dependent one). */
export function parseSchedule(text: string): Schedule | undefined {
  const m = /^R(\d*)\/([^/]+)\/(P[^/]+)$/.exec(text.trim());
  if (!m) return undefined;
  const start = new Date(m[2]!);
  const periodMs = durationMs(m[3]!);
  if (Number.isNaN(start.getTime()) || !periodMs) return undefined;
  return { repeats: m[1] ? Number(m[1]) : undefined, start, periodMs, period: m[3]! };
}

/** An ISO 8601 duration (`P1DT12H`, `PT30M`) in ms; months count 30 days. 0 when unreadable. */
export function durationMs(text: string): number {
  const m = /^P(?:(\d+)M(?=.*T|$))?([^T]*)(?:T(.*))?$/.exec(text);
  if (!m) return 0;
  let ms = m[1] ? Number(m[1]) * 30 * 86_400_000 : 0;
  for (const [re, unit] of UNITS) {
    const v = re.exec(m[2] ?? "");
    if (v) ms += Number(v[1]) * unit;
  }
  for (const [re, unit] of TIME_UNITS) {
    const v = re.exec(m[3] ?? "");
    if (v) ms += Number(v[1]) * unit;
  }
  return ms;
}

/** "every 2 hours", "every day", "every 30 minutes, 3 more times". */
export function describeSchedule(s: Schedule): string {
  const units: Array<[number, string]> = [
    [7 * 86_400_000, "week"],
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  let words = `every ${s.period}`;
  for (const [ms, name] of units) {
    if (s.periodMs % ms === 0) {
      const n = s.periodMs / ms;
      words = n === 1 ? `every ${name}` : `every ${n} ${name}s`;
      break;
    }
  }
  if (s.repeats === 0) return "no more runs";
  return s.repeats === undefined ? words : `${words}, ${s.repeats} more time${s.repeats === 1 ? "" : "s"}`;
}

/** The first run at or after `now` (the start itself while it lies ahead); undefined when none is left. */
export function nextRun(s: Schedule, now: number): Date | undefined {
  if (s.repeats === 0) return undefined;
  const start = s.start.getTime();
  if (start >= now) return s.start;
  const k = Math.ceil((now - start) / s.periodMs);
  if (s.repeats !== undefined && k > s.repeats) return undefined;
  return new Date(start + k * s.periodMs);
}

/** A time in a named zone (the job's) or the viewer's, e.g. "Dec 2, 18:00 UTC". */
export function formatIn(date: Date, timeZone?: string): string {
  try {
    return date.toLocaleString(undefined, {
      timeZone: timeZone || undefined,
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
      timeZoneName: "short",
    });
  } catch {
    return date.toISOString();
  }
}
