import { describe, expect, it } from "vitest";
import { formatSchedule, isScheduleError, isValidTimeZone, parseSchedule, ScheduleError } from "./index.js";

const now = new Date("2024-01-01T00:00:00Z");

function refusal(text: string, timeZone?: string): ScheduleError {
  try {
    parseSchedule(text, { now, ...(timeZone === undefined ? {} : { timeZone }) });
  } catch (e) {
    if (isScheduleError(e)) return e;
    throw e;
  }
  throw new Error(`"${text}" was accepted`);
}

describe("parseSchedule tells the two forms apart", () => {
  it.each([
    ["R/2024-01-01T00:00:00Z/P1D", "iso8601"],
    ["R10/2024-01-01T00:00:00Z/PT5M", "iso8601"],
    ["R//PT1H", "iso8601"],
    ["0 9 * * 1-5", "cron"],
    ["  0 9 * * 1-5  ", "cron"],
    ["@hourly", "cron"],
  ])("%s is %s", (text, kind) => {
    expect(parseSchedule(text, { now }).kind).toBe(kind);
  });

  it("keeps a cron expression and its zone as given", () => {
    const s = parseSchedule("0 9 * * 1-5", { timeZone: "Asia/Tokyo", now });
    expect(s).toEqual({ kind: "cron", expression: "0 9 * * 1-5", timeZone: "Asia/Tokyo" });
    expect(formatSchedule(s)).toBe("0 9 * * 1-5");
  });
});

describe("bad ISO 8601 schedules are refused on the schedule field", () => {
  it.each([
    ["R/2024-01-01T00:00:00Z/P0D", /longer than zero/],
    ["R/2024-01-01T00:00:00Z/PT0S", /longer than zero/],
    ["R/2024-01-01T00:00:00Z/PT0.0001S", /longer than zero/],
    ["R/1969-12-31T23:59:59Z/P1D", /before 1970/],
    ["R/1900-01-01T00:00:00Z/P1D", /before 1970/],
    ["R/2024-01-01T00:00:00Z/P", /not an ISO 8601 duration/],
    ["R/2024-01-01T00:00:00Z/PT", /not an ISO 8601 duration/],
    ["R/2024-01-01T00:00:00Z/P1DT", /not an ISO 8601 duration/],
    ["R/2024-01-01T00:00:00Z/P-1D", /not an ISO 8601 duration/],
    ["R/2024-01-01T00:00:00Z/P1.5D", /not an ISO 8601 duration/],
    ["R/2024-01-01T00:00:00Z/P1H", /not an ISO 8601 duration/],
    ["R/2024-01-01T00:00:00Z/p1d", /not an ISO 8601 repeating interval/],
    ["R/2024-01-01T00:00:00Z/P1D ", /not an ISO 8601 duration/],
    ["R/2024-01-01T00:00:00Z", /not an ISO 8601 repeating interval/],
    ["R/2024-01-01T00:00:00Z/1D", /not an ISO 8601 repeating interval/],
    ["Rx/2024-01-01T00:00:00Z/P1D", /not an ISO 8601 repeating interval/],
    ["R-1/2024-01-01T00:00:00Z/P1D", /not an ISO 8601 repeating interval/],
    [" R/2024-01-01T00:00:00Z/P1D", /neither an ISO 8601 repeating interval/],
    ["R/garbage/P1D", /start "garbage" is not an ISO 8601 date-time/],
    ["R/2024-13-01T00:00:00Z/P1D", /start "2024-13-01T00:00:00Z" is not an ISO 8601 date-time/],
    ["R/2024-02-30/P1D", /is not an ISO 8601 date-time/],
    ["R99999999999999999999/2024-01-01T00:00:00Z/P1D", /too large/],
    ["R/2024-01-01T00:00:00Z/P999999999Y", /too long/],
    ["R/2024-01-01T00:00:00Z/PT99999999999999999999H", /too long/],
    ["garbage", /neither an ISO 8601 repeating interval/],
    ["", /empty/],
  ])("%j", (text, message) => {
    const e = refusal(text);
    expect(e).toBeInstanceOf(ScheduleError);
    expect(e.name).toBe("ScheduleError");
    expect(e.field).toBe("schedule");
    expect(e.message).toMatch(message);
  });

  it.each([
    "R/2024-01-01/P1D",
    "R/2024-01-01T09:00/P1D",
    "R/2024-W01-1T09:00:00Z/P1W",
    "R/2024-01-01T00:00:00.250+05:30/P1Y2M3W4DT5H6M7.25S",
    "R0/2024-01-01T00:00:00Z/P1D",
    "R007/1970-01-01T00:00:00Z/PT1M",
  ])("accepts %j", (text) => {
    expect(parseSchedule(text, { now }).kind).toBe("iso8601");
  });
});

describe("bad cron expressions are refused on the schedule field with the field named", () => {
  it.each([
    ["0 0 9 * * *", /6 fields; seconds are not supported/],
    ["0 9 * *", /4 fields, expected 5/],
    ["0 9 * * * * *", /7 fields, expected 5/],
    ["60 * * * *", /minute field "60"/],
    ["0 24 * * *", /hour field "24"/],
    ["0 0 32 * *", /day-of-month field "32"/],
    ["0 0 0 * *", /day-of-month field "0"/],
    ["0 0 * 13 *", /month field "13"/],
    ["0 0 * * 8", /day-of-week field "8"/],
    ["0 0 * * FOO", /day-of-week field "FOO"/],
    ["5-1 * * * *", /minute field "5-1"/],
    ["*/0 * * * *", /minute field "\*\/0"/],
    ["MON * * * *", /minute field "MON" cannot use names/],
    ["H * * * *", /minute field "H" is not cron syntax/],
    ["0 0 L * *", /day-of-month field "L" is not cron syntax/],
    ["0 0 * * 1#2", /day-of-week field "1#2" is not cron syntax/],
    ["0 0 ? * *", /day-of-month field "\?" is not cron syntax/],
    ["1,,2 * * * *", /minute field "1,,2" is not cron syntax/],
    ["0 0 31 2 *", /cron expression "0 0 31 2 \*"/],
    ["0 0 30 2 *", /cron expression "0 0 30 2 \*"/],
    ["@every 5m", /unknown shorthand/],
    ["@reboot", /unknown shorthand/],
  ])("%j", (text, message) => {
    const e = refusal(text);
    expect(e.field).toBe("schedule");
    expect(e.message).toMatch(message);
  });

  it.each([
    "*/15 0-23/2 1,15 JAN-MAR,dec sun-sat",
    "0 0 * * 0-7",
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@midnight",
  ])("accepts %j", (text) => {
    expect(parseSchedule(text, { now }).kind).toBe("cron");
  });
});

describe("time zones", () => {
  it.each([
    ["Europe/Berlin", true],
    ["America/New_York", true],
    ["Asia/Tokyo", true],
    ["UTC", true],
    ["Etc/UTC", true],
    ["Etc/GMT+3", true],
    ["US/Pacific", true],
    ["EST", true],
    ["Asia/Calcutta", true],
    ["PST", false],
    ["IST", false],
    ["CST", false],
    ["Mars/Olympus_Mons", false],
    ["UTC+3", false],
    ["+02:00", false],
    ["", false],
  ])("%j is valid: %s", (zone, valid) => {
    expect(isValidTimeZone(zone)).toBe(valid);
  });

  it.each(["R/2024-01-01T00:00:00Z/P1D", "0 9 * * *", "garbage"])(
    "an unknown zone is refused on the scheduleTimeZone field (%s)",
    (text) => {
      const e = refusal(text, "Mars/Olympus_Mons");
      expect(e.field).toBe("scheduleTimeZone");
      expect(e.message).toMatch(/"Mars\/Olympus_Mons" is not a tz database zone/);
    },
  );

  it("says why an abbreviation is refused", () => {
    expect(refusal("0 9 * * *", "PST").message).toMatch(
      /ambiguous: use a region name such as America\/Los_Angeles/,
    );
  });

  it("treats an empty zone as none: UTC for cron, the start's own offset for ISO", () => {
    expect(parseSchedule("0 9 * * *", { timeZone: "", now })).toEqual({
      kind: "cron",
      expression: "0 9 * * *",
      timeZone: "",
    });
    expect(formatSchedule(parseSchedule("R/2024-01-01T09:00:00+03:00/P1D", { timeZone: "", now }))).toBe(
      "R/2024-01-01T09:00:00.000+03:00/P1D",
    );
  });
});
