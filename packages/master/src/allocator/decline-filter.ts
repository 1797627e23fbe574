import type { Resource } from "@agora/protocol";

/**
 * What a framework said it does not want from one agent (a decline, or the unused part of an
 * accept), until `expiresAt`. As in Mesos, a filter blocks a new offer only when the refused
 * resources contain everything that would be offered, so freed resources still reach it.
 */
export interface DeclineFilter {
  /** Clock time in ms after which the filter no longer applies. */
  readonly expiresAt: number;
  readonly refused: readonly Resource[];
}

/** Mesos' default and cap for `refuse_seconds`. */
export const DEFAULT_REFUSE_SECONDS = 5;
export const MAX_REFUSE_SECONDS = 365 * 24 * 60 * 60;

/**
 * How long a filter lasts, in ms, for a call's `refuseSeconds`: default 5 s, negative → default,
 * capped at 365 days, 0 → no filter. Never shorter than one allocation interval, as in Mesos.
 */
export function refuseDurationMs(refuseSeconds: number | undefined, allocationIntervalMs: number): number {
  let seconds = refuseSeconds ?? DEFAULT_REFUSE_SECONDS;
  if (!Number.isFinite(seconds) && seconds > 0) seconds = MAX_REFUSE_SECONDS;
  if (Number.isNaN(seconds) || seconds < 0) seconds = DEFAULT_REFUSE_SECONDS;
  seconds = Math.min(seconds, MAX_REFUSE_SECONDS);
  if (seconds === 0) return 0;
  return Math.max(seconds * 1000, allocationIntervalMs);
}

export function isLive(filter: DeclineFilter, now: number): boolean {
  return now < filter.expiresAt;
}
