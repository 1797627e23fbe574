/** A job's parsed schedule: Chronos' ISO 8601 repeating interval or a Metronome-style cron expression. */
export type JobSchedule = IsoSchedule | CronSchedule;

/** `R[n]/[start]/period`: occurrence k is `start + k × period`, for k < n (or forever with bare `R`). */
export interface IsoSchedule {
  kind: "iso8601";
  /** Runs left; `undefined` for bare `R` (forever). `0` never runs again. */
  repetitions: number | undefined;
  /** The instant of occurrence 0 (its wall-clock fields read in `timeZone` when one is set). */
  start: Date;
  /** The ISO 8601 duration text, as written (`P1D`, `PT24H`, `P1M`). */
  period: string;
  /** The IANA zone the start's wall-clock fields are read in; "" = the start's own UTC offset. */
  timeZone: string;
  /**
   * The start's wall-clock fields (`2024-03-30T09:00:00.000`, no offset). Calendar parts of the period
   * are added to these, so `P1D` keeps the time of day across DST and a start in a DST gap keeps its
   * written time on the days that have it.
   */
  startWall: string;
  /** The start's own UTC offset in minutes (0 for `Z` or none): the zone when `timeZone` is "". */
  offsetMinutes: number;
}

/** Five cron fields (minute hour day-of-month month day-of-week) read in an IANA zone. */
export interface CronSchedule {
  kind: "cron";
  expression: string;
  /** "" = UTC. */
  timeZone: string;
}

/** A slot to run (with how many older occurrences it stands for), or one too old to run. */
export type DueSlot = { slot: Date; missed: number } | { skipped: Date };
