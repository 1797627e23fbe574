import { parseCron } from "./cron.js";
import { ScheduleError } from "./errors.js";
import { formatIso, parseIso } from "./iso8601.js";
import type { JobSchedule } from "./types.js";
import { zoneNamed } from "./zone.js";

/**
 * Parses `R[n]/[start]/period` (ISO 8601 repeating interval, Chronos' regex `(R[0-9]*)/(.*)/(P.*)`)
 * or a 5-field cron expression (Metronome's form, Vixie's syntax and `@daily`-style shorthands).
 * An empty start means `now`. `timeZone` is the job's scheduleTimeZone ("" or absent: the start's own
 * offset for ISO, UTC for cron). Throws ScheduleError naming the field at fault.
 *
 * @example
 * parseSchedule("R/2024-03-30T09:00:00Z/P1D", { timeZone: "Europe/Berlin", now });
 * // → { kind: "iso8601", start: 2024-03-30T08:00:00Z (09:00 in Berlin), repetitions: undefined, … }
 * parseSchedule("0 9 * * 1-5", { timeZone: "Asia/Tokyo", now }); // weekdays 09:00 Tokyo
 */
export function parseSchedule(text: string, o: { timeZone?: string; now: Date }): JobSchedule {
  const timeZone = o.timeZone ?? "";
  if (timeZone !== "") zoneNamed(timeZone);
  if (text.trim() === "") throw new ScheduleError("schedule", "schedule is empty");
  if (text.startsWith("R")) return parseIso(text, timeZone, o.now);
  const trimmed = text.trim();
  if (!/\s/.test(trimmed) && !trimmed.startsWith("@"))
    throw new ScheduleError(
      "schedule",
      `schedule "${text}" is neither an ISO 8601 repeating interval R[n]/[start]/period nor a 5-field cron expression`,
    );
  return parseCron(text, timeZone);
}

/**
 * The schedule as text to store: an ISO start is written out (an empty start becomes the instant it
 * meant, so parsing the text again later does not move it); a cron expression is as given.
 */
export function formatSchedule(s: JobSchedule): string {
  return s.kind === "iso8601" ? formatIso(s) : s.expression;
}
