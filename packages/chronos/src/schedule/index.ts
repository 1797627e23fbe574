export { missedCountLimit } from "./cron.js";
export { advance, dueSlot, nextRunAt, skip, upcoming } from "./due.js";
export { isScheduleError, ScheduleError, type ScheduleField } from "./errors.js";
export { formatSchedule, parseSchedule } from "./parse.js";
export type { CronSchedule, DueSlot, IsoSchedule, JobSchedule } from "./types.js";
export { isValidTimeZone } from "./zone.js";
