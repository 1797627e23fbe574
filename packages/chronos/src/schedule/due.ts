import { cronDue, cronNext, cronUpcoming } from "./cron.js";
import { isoAdvance, isoDue, isoNext, isoUpcoming } from "./iso8601.js";
import type { DueSlot, JobSchedule } from "./types.js";

/**
 * What is due at `now`.
 *
 * - ISO: the schedule's start, when repetitions ≠ 0, start ≤ now and start > lastSlot. Occurrences
 *   between the start and now collapse into this one run (Chronos 3); `missed` counts them.
 * - Cron: the latest occurrence ≤ now that is > lastSlot; older ones collapse into it and `missed`
 *   counts them (exactly up to `missedCountLimit`). Without lastSlot only an occurrence at exactly
 *   `now` is due: the caller passes the job's creation time as lastSlot.
 *
 * With `startingDeadlineMs`, a run whose latest occurrence is more than that before now is
 * `{ skipped }` (for ISO the age is taken from the latest occurrence the catch-up stands for, not from
 * an old start, so a past start does not make every first run too late). `undefined`: nothing is due.
 *
 * @example
 * dueSlot(parseSchedule("0 * * * *", { now }), { now: new Date("2024-05-04T10:00:30Z"),
 *   lastSlot: new Date("2024-05-01T10:00:00Z") });
 * // → { slot: 2024-05-04T10:00:00Z, missed: 71 }
 */
export function dueSlot(
  s: JobSchedule,
  o: { now: Date; lastSlot?: Date; startingDeadlineMs?: number },
): DueSlot | undefined {
  const now = o.now.getTime();
  const last = o.lastSlot?.getTime();
  const due = s.kind === "iso8601" ? isoDue(s, now, last) : cronDue(s, now, last);
  if (due === undefined) return undefined;
  if (o.startingDeadlineMs !== undefined && now - due.latest > o.startingDeadlineMs)
    return { skipped: new Date(due.slot) };
  return { slot: new Date(due.slot), missed: due.missed };
}

/**
 * When the job is next due. ISO: its start (possibly past: overdue), undefined for R0; when the start
 * has launched (≤ lastSlot) but the text was not advanced yet, where advance() will put it. Cron: the
 * first occurrence > (lastSlot ?? now).
 */
export function nextRunAt(s: JobSchedule, o: { now: Date; lastSlot?: Date }): Date | undefined {
  const now = o.now.getTime();
  const last = o.lastSlot?.getTime();
  const next = s.kind === "iso8601" ? isoNext(s, now, last) : cronNext(s, last ?? now);
  return next === undefined ? undefined : new Date(next);
}

/**
 * The first `count` runs strictly after `after` (for the UI). ISO: occurrences start + k × period,
 * at most the repetitions left (an overdue start's catch-up run takes one of them).
 */
export function upcoming(s: JobSchedule, after: Date, count: number): Date[] {
  const t = after.getTime();
  const out = s.kind === "iso8601" ? isoUpcoming(s, t, count) : cronUpcoming(s, t, count);
  return out.map((ms) => new Date(ms));
}

/**
 * The schedule text after the due slot launched at `now`, as Chronos rewrites it:
 * ISO → `R{n-1}/{first start + k × period > now}/{period}` (`R` stays `R`; R1 becomes R0, which
 * never runs again); cron → unchanged. With a scheduleTimeZone the new start carries that zone's
 * offset at that instant.
 *
 * @example
 * advance(parseSchedule("R3/2024-01-01T00:00:00Z/P1D", { now }), new Date("2024-01-03T12:00:00Z"));
 * // → "R2/2024-01-04T00:00:00.000Z/P1D"
 */
export function advance(s: JobSchedule, now: Date): string {
  return s.kind === "iso8601" ? isoAdvance(s, now.getTime(), true) : s.expression;
}

/**
 * The schedule text after a `{ skipped }` slot: like advance() but no repetition is used up, since
 * nothing ran. Cron → unchanged.
 */
export function skip(s: JobSchedule, now: Date): string {
  return s.kind === "iso8601" ? isoAdvance(s, now.getTime(), false) : s.expression;
}
