import { DateTime, FixedOffsetZone, IANAZone, type Zone } from "luxon";
import { ScheduleError } from "./errors.js";

/**
 * Java's three-letter ids that ICU (and so luxon) accepts but the tz database does not have. Each is
 * ambiguous to a reader (IST: India, Israel or Ireland?) and Chronos (Joda) refused them, so we
 * refuse them too and ask for the region name. EST, MST and HST are real tz ids and stay valid.
 */
const ambiguousAbbreviations = new Set([
  "ACT",
  "AET",
  "AGT",
  "ART",
  "AST",
  "BET",
  "BST",
  "CAT",
  "CNT",
  "CST",
  "CTT",
  "EAT",
  "ECT",
  "IET",
  "IST",
  "JST",
  "MIT",
  "NET",
  "NST",
  "PLT",
  "PNT",
  "PRT",
  "PST",
  "SST",
  "VST",
]);

/** Whether `zone` names a tz database zone (`Europe/Berlin`, `UTC`, `Etc/GMT+3`, `US/Pacific`). */
export function isValidTimeZone(zone: string): boolean {
  return zone !== "" && !ambiguousAbbreviations.has(zone.toUpperCase()) && IANAZone.isValidZone(zone);
}

/** The zone a job's `scheduleTimeZone` names; throws a ScheduleError on the `scheduleTimeZone` field. */
export function zoneNamed(name: string): IANAZone {
  if (!isValidTimeZone(name)) {
    const hint = ambiguousAbbreviations.has(name.toUpperCase())
      ? " (an abbreviation is ambiguous: use a region name such as America/Los_Angeles)"
      : "";
    throw new ScheduleError(
      "scheduleTimeZone",
      `scheduleTimeZone "${name}" is not a tz database zone${hint}`,
    );
  }
  return IANAZone.create(name);
}

export const utc: Zone = FixedOffsetZone.utcInstance;

const minuteMs = 60_000;
const dayMs = 86_400_000;

/**
 * A wall-clock time is kept as the milliseconds it would be in UTC ("wall ms"), so calendar and cron
 * arithmetic on it never meets a DST change; `readWall` then finds the instants it names in a zone.
 */
export function wallOf(instant: number, zone: Zone): number {
  return instant + zone.offset(instant) * minuteMs;
}

/** A wall time read in a zone: the instants showing it (two in a fall-back overlap), or none in a gap. */
export interface WallReading {
  /** Ascending; empty when the wall time falls in a spring-forward gap. */
  instants: number[];
  /** In a gap: where luxon puts it, shifted forward by the gap's length (02:30 → 03:30), as Joda does. */
  shifted: number | undefined;
}

export function readWall(wall: number, zone: Zone): WallReading {
  if (zone.isUniversal) return { instants: [wall - zone.offset(wall) * minuteMs], shifted: undefined };
  // Fast path, far from any offset change: the same offset a day either side, and it fits.
  const before = zone.offset(wall - dayMs);
  if (before === zone.offset(wall + dayMs) && zone.offset(wall - before * minuteMs) === before)
    return { instants: [wall - before * minuteMs], shifted: undefined };
  const w = DateTime.fromMillis(wall, { zone: utc });
  const local = DateTime.fromObject(
    {
      year: w.year,
      month: w.month,
      day: w.day,
      hour: w.hour,
      minute: w.minute,
      second: w.second,
      millisecond: w.millisecond,
    },
    { zone },
  );
  if (wallOf(local.toMillis(), zone) !== wall) return { instants: [], shifted: local.toMillis() };
  const instants = local
    .getPossibleOffsets()
    .map((d) => d.toMillis())
    .sort((a, b) => a - b);
  return { instants, shifted: undefined };
}

/**
 * The one instant a wall time stands for: in an overlap the one at `preferOffset` minutes if that is
 * one of the two (so a start written `02:30+01:00` keeps meaning the second 02:30), else the earlier;
 * in a gap luxon's forward shift.
 */
export function instantOfWall(wall: number, zone: Zone, preferOffset?: number): number {
  const { instants, shifted } = readWall(wall, zone);
  if (shifted !== undefined) return shifted;
  const preferred = instants.find((i) => wall - i === (preferOffset ?? Number.NaN) * minuteMs);
  return preferred ?? instants[0]!;
}

/**
 * The instant a spring-forward gap containing `wall` ends, i.e. when the clock jumped. luxon has no
 * transition table to ask, so we bisect its offsets between the instant the wall time would have
 * had before the jump and the one it would have after.
 */
export function gapEnd(wall: number, zone: Zone): number {
  const { shifted } = readWall(wall, zone);
  if (shifted === undefined) throw new Error(`wall time ${wall} is not in a gap`);
  const after = zone.offset(shifted);
  let lo = wall - after * minuteMs; // still at the old offset
  let hi = shifted; // already at the new offset
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}
