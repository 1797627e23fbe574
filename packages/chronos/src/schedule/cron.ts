import { type CronExpression, CronExpressionParser } from "cron-parser";
import type { Zone } from "luxon";
import { ScheduleError } from "./errors.js";
import type { CronSchedule } from "./types.js";
import { gapEnd, readWall, utc, wallOf, zoneNamed } from "./zone.js";

const fieldNames = ["minute", "hour", "day-of-month", "month", "day-of-week"] as const;
/** Vixie cron's field syntax: `*`, numbers or three-letter names, ranges, steps and lists. */
const fieldPart = /^(?:\*|(?:\d+|[A-Za-z]{3})(?:-(?:\d+|[A-Za-z]{3}))?)(?:\/\d+)?$/;
/** Vixie's shorthands (not cron-parser's @minutely/@secondly/@weekdays, which Vixie lacks). */
const macros: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};
const minuteMs = 60_000;
/** Longer than any DST jump: how far a fall-back can repeat wall times we must look back over. */
const jumpWindowMs = 3 * 3_600_000;
/** Cron-parser steps per occurrence search; real expressions need a handful. */
const scanLimit = 10_000;
/** `missed` is counted exactly up to this many (cron-parser steps are slow); more reports this number. */
export const missedCountLimit = 1_000;

/**
 * A cron expression ready to search. cron-parser walks the wall clock in UTC, where no DST change
 * can confuse it (in a DST zone its `next` and `prev` disagree at the changes); this module maps the
 * wall times it finds to instants with luxon, by Vixie cron's rule:
 *
 * - **fixed-time** jobs (neither minute nor hour starts with `*`, e.g. `30 2 * * *`): a time in a
 *   spring-forward gap runs once, at the jump (03:00 for 02:30 in Berlin); a time in a fall-back
 *   overlap runs once, the first time the clock shows it;
 * - **wildcard** jobs (minute or hour starts with `*`, e.g. `30 * * * *` or every-15-minutes): times
 *   in a gap do not happen; times in an overlap happen twice, as they are that often in elapsed time.
 */
interface CompiledCron {
  iterator: CronExpression;
  fixedTime: boolean;
  zone: Zone;
  /**
   * nextAfter's answers by instant. A runtime asks "is anything after lastSlot due yet?" with the
   * same lastSlot every tick until it is, and each cron-parser walk costs up to a millisecond.
   */
  nextMemo: Map<number, number | undefined>;
}

function refuse(expression: string, why: string): never {
  throw new ScheduleError("schedule", `cron expression "${expression}": ${why}`);
}

function fieldsOf(expression: string): string[] {
  const text = expression.trim();
  if (text.startsWith("@")) {
    const expanded = macros[text.toLowerCase()];
    if (expanded === undefined)
      refuse(expression, `unknown shorthand (use one of ${Object.keys(macros).join(", ")})`);
    return expanded.split(" ");
  }
  const fields = text === "" ? [] : text.split(/\s+/);
  if (fields.length === 6)
    refuse(
      expression,
      "has 6 fields; seconds are not supported (minute hour day-of-month month day-of-week)",
    );
  if (fields.length !== 5)
    refuse(
      expression,
      `has ${fields.length} fields, expected 5 (minute hour day-of-month month day-of-week)`,
    );
  fields.forEach((field, i) => {
    const name = fieldNames[i]!;
    for (const part of field.split(",")) {
      if (!fieldPart.test(part))
        refuse(
          expression,
          `${name} field "${field}" is not cron syntax (*, n, a-b, */s, a-b/s, lists with ,)`,
        );
      if (/[A-Za-z]/.test(part) && name !== "month" && name !== "day-of-week")
        refuse(expression, `${name} field "${field}" cannot use names`);
    }
  });
  return fields;
}

function parseFields(expression: string, fields: string[]): CronExpression {
  const options = { tz: "UTC", currentDate: 0 };
  try {
    return CronExpressionParser.parse(fields.join(" "), options);
  } catch (whole) {
    // cron-parser's message does not say which field; try each alone to name it.
    for (let i = 0; i < 5; i++) {
      const alone = fields.map((f, j) => (i === j ? f : "*")).join(" ");
      try {
        CronExpressionParser.parse(alone, options);
      } catch (e) {
        refuse(expression, `${fieldNames[i]} field "${fields[i]}": ${(e as Error).message}`);
      }
    }
    refuse(expression, (whole as Error).message);
  }
}

/**
 * Parsed expressions by text and zone. cron-parser takes ~170 µs to parse and the runtime asks about
 * every job on every tick, often from a freshly parsed schedule object; a bounded memo of immutable
 * input → equal output keeps the module pure in effect. Each iterator is reset before every use and
 * used synchronously, so sharing one is safe.
 */
const compiled = new Map<string, CompiledCron>();
const compiledLimit = 10_000;
const memoLimit = 1_000;

function compile(s: CronSchedule): CompiledCron {
  const key = `${s.timeZone}\u0000${s.expression}`;
  const hit = compiled.get(key);
  if (hit !== undefined) return hit;
  const fields = fieldsOf(s.expression);
  const c: CompiledCron = {
    iterator: parseFields(s.expression, fields),
    fixedTime: !fields[0]!.startsWith("*") && !fields[1]!.startsWith("*"),
    zone: s.timeZone === "" ? utc : zoneNamed(s.timeZone),
    nextMemo: new Map(),
  };
  if (compiled.size >= compiledLimit) compiled.clear();
  compiled.set(key, c);
  return c;
}

/** The instants a matching wall time stands for, by the fixed-time / wildcard rule above. */
function instantsAt(c: CompiledCron, wall: number): number[] {
  const { instants, shifted } = readWall(wall, c.zone);
  if (shifted !== undefined) return c.fixedTime ? [gapEnd(wall, c.zone)] : [];
  return c.fixedTime ? instants.slice(0, 1) : instants;
}

/**
 * The first occurrence after `t`. Wall times after a fall-back repeat earlier ones, so when one is
 * coming we start the walk that much earlier and keep walking that much past the first hit.
 */
function nextAfter(c: CompiledCron, t: number): number | undefined {
  if (c.nextMemo.has(t)) return c.nextMemo.get(t);
  const next = searchNextAfter(c, t);
  if (c.nextMemo.size >= memoLimit) c.nextMemo.clear();
  c.nextMemo.set(t, next);
  return next;
}

function searchNextAfter(c: CompiledCron, t: number): number | undefined {
  const drop = Math.max(0, c.zone.offset(t) - c.zone.offset(t + jumpWindowMs)) * minuteMs;
  c.iterator.reset(new Date(wallOf(t, c.zone) - drop - minuteMs));
  let best: number | undefined;
  let firstWall: number | undefined;
  for (let i = 0; i < scanLimit; i++) {
    let wall: number;
    try {
      wall = c.iterator.next().getTime();
    } catch {
      break;
    }
    if (firstWall !== undefined && wall > firstWall + drop) break;
    for (const instant of instantsAt(c, wall))
      if (instant > t && (best === undefined || instant < best)) {
        best = instant;
        firstWall ??= wall;
      }
    if (best !== undefined && drop === 0) break;
  }
  return best;
}

/** The latest occurrence at or before `t`; the mirror of nextAfter. */
function latestAtOrBefore(c: CompiledCron, t: number): number | undefined {
  const rise = Math.max(0, c.zone.offset(t - jumpWindowMs) - c.zone.offset(t)) * minuteMs;
  c.iterator.reset(new Date(wallOf(t, c.zone) + rise + minuteMs));
  let best: number | undefined;
  let firstWall: number | undefined;
  for (let i = 0; i < scanLimit; i++) {
    let wall: number;
    try {
      wall = c.iterator.prev().getTime();
    } catch {
      break;
    }
    if (firstWall !== undefined && wall < firstWall - rise) break;
    for (const instant of instantsAt(c, wall))
      if (instant <= t && (best === undefined || instant > best)) {
        best = instant;
        firstWall ??= wall;
      }
    if (best !== undefined && rise === 0) break;
  }
  return best;
}

/**
 * How many occurrences lie in [from, to), from being one. One unbroken walk over the wall times
 * (a fresh search per occurrence costs several times more); the walk starts early and ends late by
 * any DST jump, and the instant filter keeps only what lies in range.
 */
function countBetween(c: CompiledCron, from: number, to: number): number {
  const drop = Math.max(0, c.zone.offset(from) - c.zone.offset(to)) * minuteMs + jumpWindowMs;
  c.iterator.reset(new Date(wallOf(from, c.zone) - drop));
  const end = wallOf(to, c.zone) + drop;
  let count = 0;
  let previous: number | undefined;
  while (count < missedCountLimit) {
    let wall: number;
    try {
      wall = c.iterator.next().getTime();
    } catch {
      break;
    }
    if (wall > end) break;
    for (const instant of instantsAt(c, wall)) {
      // Wall times in a gap all map to the jump, which may be an occurrence of its own too.
      if (instant >= from && instant < to && instant !== previous) count++;
      previous = instant;
    }
  }
  return count;
}

export function parseCron(expression: string, timeZone: string): CronSchedule {
  const s: CronSchedule = { kind: "cron", expression, timeZone };
  const c = compile(s);
  if (nextAfter(c, 0) === undefined) refuse(expression, "never matches a date");
  return s;
}

/**
 * The latest occurrence ≤ now after `lastSlot` (or exactly `now` without one), and how many earlier
 * occurrences after `lastSlot` it swallows.
 */
export function cronDue(
  s: CronSchedule,
  now: number,
  lastSlot: number | undefined,
): { slot: number; latest: number; missed: number } | undefined {
  const c = compile(s);
  // Mostly nothing is due: one forward step answers that, and is cheaper than cron-parser's prev().
  const first = nextAfter(c, lastSlot ?? now - 1);
  if (first === undefined || first > now) return undefined;
  const latest = latestAtOrBefore(c, now) ?? first;
  return { slot: latest, latest, missed: countBetween(c, first, latest) };
}

export function cronNext(s: CronSchedule, after: number): number | undefined {
  return nextAfter(compile(s), after);
}

export function cronUpcoming(s: CronSchedule, after: number, count: number): number[] {
  const c = compile(s);
  const out: number[] = [];
  for (let t = nextAfter(c, after); t !== undefined && out.length < count; t = nextAfter(c, t)) out.push(t);
  return out;
}
