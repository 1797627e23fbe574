import { DateTime, Duration, FixedOffsetZone, type Zone } from "luxon";
import { ScheduleError } from "./errors.js";
import type { IsoSchedule } from "./types.js";
import { instantOfWall, utc, zoneNamed } from "./zone.js";

/** Chronos' own pattern (`Iso8601Expressions`), matched against the whole text. */
const repeatingInterval = /^(R[0-9]*)\/(.*)\/(P.*)$/;
/**
 * Joda's ISO period syntax, which Chronos parsed with: whole numbers, a fraction only on seconds,
 * no signs. luxon alone would also take `P1.5D` and `P-1D`.
 */
const isoPeriod =
  /^P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?$/;
/** An explicit offset at the end of a date-time: it breaks the tie when the wall time occurs twice. */
const trailingOffset = /T.*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/;
const minuteMs = 60_000;
/** The last instant a JavaScript Date can hold. */
const maxDateMs = 8.64e15;

/**
 * A period split the way Joda and luxon add it: years, months, weeks and days move the wall clock
 * (so `P1D` is 23 or 25 hours across DST), hours and smaller are exact elapsed time (`PT24H`).
 */
interface Period {
  calendar: { years: number; months: number; weeks: number; days: number };
  timeMs: number;
  /** A rough length, only to guess which occurrence is near an instant before stepping exactly. */
  approxMs: number;
}

/**
 * Parsed periods and start wall clocks by their text. Parsing with luxon is most of what a
 * scheduling pass costs (a due check, an advance and a re-parse of the advanced text per job), and
 * the same few texts come back again and again; the values are immutable. Bounded: emptied when full.
 */
const cacheLimit = 10_000;
const periods = new Map<string, Period>();
const walls = new Map<string, DateTime>();

function remember<V>(cache: Map<string, V>, key: string, make: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    if (cache.size >= cacheLimit) cache.clear();
    cache.set(key, v);
  }
  return v;
}

function periodOf(text: string): Period {
  return remember(periods, text, () => parsePeriod(text));
}

/** The start's wall clock as a luxon DateTime in UTC (wall fields, no zone). */
function startWallTime(s: IsoSchedule): DateTime {
  return remember(walls, s.startWall, () => DateTime.fromISO(s.startWall, { zone: utc }));
}

function parsePeriod(text: string): Period {
  if (!isoPeriod.test(text))
    throw new ScheduleError(
      "schedule",
      `period "${text}" is not an ISO 8601 duration such as P1D, PT30M or P1Y2M10DT2H30M (whole numbers; only seconds may have a fraction)`,
    );
  const d = Duration.fromISO(text.replace(",", "."), { conversionAccuracy: "longterm" });
  const calendar = { years: d.years, months: d.months, weeks: d.weeks, days: d.days };
  const timeMs = Duration.fromObject({
    hours: d.hours,
    minutes: d.minutes,
    seconds: d.seconds,
    milliseconds: d.milliseconds,
  }).toMillis();
  return { calendar, timeMs, approxMs: d.toMillis() };
}

function zoneOf(s: IsoSchedule): Zone {
  return s.timeZone === "" ? FixedOffsetZone.instance(s.offsetMinutes) : zoneNamed(s.timeZone);
}

function wallMs(s: IsoSchedule): number {
  return startWallTime(s).toMillis();
}

/** Occurrence k's calendar wall time: the start's wall clock plus k × the period's calendar part. */
function calendarWall(s: IsoSchedule, p: Period, k: number): number {
  const c = p.calendar;
  const start = startWallTime(s);
  if (c.years === 0 && c.months === 0 && c.weeks === 0 && c.days === 0) return start.toMillis();
  return start
    .plus({ years: c.years * k, months: c.months * k, weeks: c.weeks * k, days: c.days * k })
    .toMillis();
}

/**
 * Occurrence k, computed from the start each time (never from occurrence k − 1): `P1M` from Jan 31
 * gives Feb 29, Mar 31, Apr 30, … rather than drifting to the 29th after February. Chronos rewrites
 * the start after every run, though, so a schedule advanced past Feb 29 continues from the 29th.
 */
function occurrence(s: IsoSchedule, p: Period, k: number, zone: Zone): number {
  if (k === 0) return s.start.getTime();
  const preferOffset = (wallMs(s) - s.start.getTime()) / minuteMs;
  return instantOfWall(calendarWall(s, p, k), zone, preferOffset) + k * p.timeMs;
}

/** The smallest k with occurrence k > t (ignoring repetitions). */
function firstAfter(s: IsoSchedule, p: Period, t: number, zone: Zone): number {
  const start = s.start.getTime();
  if (start > t) return 0;
  // Guess from the average length, then step exactly: months and DST make the guess off by one at most.
  let k = Math.max(1, Math.floor((t - start) / p.approxMs));
  while (k > 1 && occurrence(s, p, k - 1, zone) > t) k--;
  while (occurrence(s, p, k, zone) <= t) k++;
  return k;
}

/**
 * Occurrence k as a start Chronos can store: with a scheduleTimeZone, the zone's offset at that
 * instant — except a calendar-only period landing in a DST gap, which is written as its intended wall
 * time with the offset before the jump (`02:30+01:00`, the same instant as `03:30+02:00`), so later
 * runs keep 02:30 instead of moving to 03:30 for good.
 */
function startText(s: IsoSchedule, p: Period, k: number, zone: Zone): string {
  const instant = occurrence(s, p, k, zone);
  let offset = s.offsetMinutes;
  if (s.timeZone !== "")
    offset = p.timeMs === 0 ? (calendarWall(s, p, k) - instant) / minuteMs : zone.offset(instant);
  return DateTime.fromMillis(instant, { zone: FixedOffsetZone.instance(offset) }).toISO()!;
}

function reps(n: number | undefined): string {
  return n === undefined ? "R" : `R${n}`;
}

export function parseIso(text: string, timeZone: string, now: Date): IsoSchedule {
  const m = repeatingInterval.exec(text);
  if (!m)
    throw new ScheduleError(
      "schedule",
      `schedule "${text}" is not an ISO 8601 repeating interval R[n]/[start]/period (e.g. R/2024-01-01T09:00:00Z/P1D)`,
    );
  const [, r, startPart, periodPart] = m as unknown as [string, string, string, string];
  const repetitions = r.length === 1 ? undefined : Number(r.slice(1));
  if (repetitions !== undefined && !Number.isSafeInteger(repetitions))
    throw new ScheduleError("schedule", `repetitions "${r}" is too large`);
  const zone = timeZone === "" ? undefined : zoneNamed(timeZone);
  const period = periodOf(periodPart);

  let local: DateTime;
  let preferOffset: number | undefined;
  if (startPart === "") {
    // Chronos took "now" in UTC and ignored the zone; reading it in the zone makes P1D keep its hour.
    local = DateTime.fromJSDate(now, { zone: zone ?? utc });
    preferOffset = local.offset;
  } else {
    local = DateTime.fromISO(startPart, { zone: utc, setZone: true });
    if (!local.isValid)
      throw new ScheduleError(
        "schedule",
        `start "${startPart}" is not an ISO 8601 date-time (${local.invalidExplanation ?? local.invalidReason})`,
      );
    if (trailingOffset.test(startPart)) preferOffset = local.offset;
  }
  const startWall = local.toISO({ includeOffset: false })!;
  const wall = DateTime.fromISO(startWall, { zone: utc }).toMillis();
  const start = zone === undefined ? local.toMillis() : instantOfWall(wall, zone, preferOffset);
  if (start < 0) throw new ScheduleError("schedule", `start "${startPart}" is before 1970`);

  const s: IsoSchedule = {
    kind: "iso8601",
    repetitions,
    start: new Date(start),
    period: periodPart,
    timeZone,
    startWall,
    offsetMinutes: local.offset,
  };
  const next = occurrence(s, period, 1, zone ?? zoneOf(s));
  if (!Number.isFinite(next) || next > maxDateMs)
    throw new ScheduleError("schedule", `period "${periodPart}" is too long to add to the start`);
  if (next <= start) throw new ScheduleError("schedule", `period "${periodPart}" must be longer than zero`);
  return s;
}

/** The schedule as text, with its start written out (an empty start becomes the instant it meant). */
export function formatIso(s: IsoSchedule): string {
  return `${reps(s.repetitions)}/${startText(s, periodOf(s.period), 0, zoneOf(s))}/${s.period}`;
}

/**
 * The slot due at `now` (the start), the latest occurrence ≤ now it stands for, and how many
 * occurrences after the start it swallows. A start at or before `lastSlot` has run already.
 */
export function isoDue(
  s: IsoSchedule,
  now: number,
  lastSlot: number | undefined,
): { slot: number; latest: number; missed: number } | undefined {
  const start = s.start.getTime();
  if (s.repetitions === 0 || start > now || (lastSlot !== undefined && start <= lastSlot)) return undefined;
  const p = periodOf(s.period);
  const zone = zoneOf(s);
  const k = firstAfter(s, p, now, zone);
  return { slot: start, latest: occurrence(s, p, k - 1, zone), missed: k - 1 };
}

/** When it is next due: its start, or — launched but not yet advanced — where advance() will put it. */
export function isoNext(s: IsoSchedule, now: number, lastSlot: number | undefined): number | undefined {
  const start = s.start.getTime();
  if (s.repetitions === 0) return undefined;
  if (lastSlot === undefined || start > lastSlot) return start;
  if (s.repetitions === 1) return undefined;
  const p = periodOf(s.period);
  const zone = zoneOf(s);
  return occurrence(s, p, firstAfter(s, p, Math.max(now, lastSlot), zone), zone);
}

/**
 * The runs after `after`, as Chronos will make them: from the start on when it is still ahead; when it
 * is overdue, its catch-up run takes one repetition and the rest fall on the occurrences after `after`.
 */
export function isoUpcoming(s: IsoSchedule, after: number, count: number): number[] {
  const p = periodOf(s.period);
  const zone = zoneOf(s);
  let k = firstAfter(s, p, after, zone);
  let left = s.repetitions ?? Number.POSITIVE_INFINITY;
  if (k > 0) left -= 1;
  const out: number[] = [];
  for (; out.length < count && left > 0; k++, left--) out.push(occurrence(s, p, k, zone));
  return out;
}

/**
 * The text after the start's slot ran at `now`: start moved to the first occurrence after both `now`
 * and the start itself, one repetition fewer (`R` stays `R`; R0 stays R0). With `consume` false (a
 * skipped slot) the repetitions stay.
 */
export function isoAdvance(s: IsoSchedule, now: number, consume: boolean): string {
  if (s.repetitions === 0) return formatIso(s);
  const p = periodOf(s.period);
  const zone = zoneOf(s);
  const k = Math.max(1, firstAfter(s, p, now, zone));
  const left = s.repetitions === undefined || !consume ? s.repetitions : s.repetitions - 1;
  return `${reps(left)}/${startText(s, p, k, zone)}/${s.period}`;
}
