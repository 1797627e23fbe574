import { CronExpressionParser } from "cron-parser";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { advance, dueSlot, missedCountLimit, nextRunAt, parseSchedule, upcoming } from "./index.js";

// Hand-checked facts used below. Europe/Berlin 2024: clocks jump 02:00 → 03:00 local at 01:00Z on
// Sun 31 Mar; 03:00 → 02:00 local at 01:00Z on Sun 27 Oct (02:00–03:00 happens twice: first at
// +02:00, i.e. 00:xxZ, then at +01:00, 01:xxZ). America/New_York 2024: 02:00 → 03:00 at 07:00Z on
// Sun 10 Mar; 02:00 → 01:00 at 06:00Z on Sun 3 Nov (01:xx first at 05:xxZ, then at 06:xxZ).
// Asia/Tokyo is +09:00 all year. 2024-03-01 is a Friday.

const now = new Date("2024-01-01T00:00:00Z");
const runs = (expression: string, timeZone: string, after: string, count: number) =>
  upcoming(parseSchedule(expression, { timeZone, now }), new Date(after), count).map((d) => d.toISOString());

describe("cron occurrences", () => {
  it.each([
    {
      what: "weekdays 09:00 in Asia/Tokyo",
      expr: "0 9 * * 1-5",
      zone: "Asia/Tokyo",
      after: "2024-03-01T00:00:00Z", // exactly Fri 09:00 JST: strictly after skips it
      want: [
        "2024-03-04T00:00:00.000Z",
        "2024-03-05T00:00:00.000Z",
        "2024-03-06T00:00:00.000Z",
        "2024-03-07T00:00:00.000Z",
        "2024-03-08T00:00:00.000Z",
        "2024-03-11T00:00:00.000Z",
      ],
    },
    {
      what: "names: MON-FRI is 1-5",
      expr: "0 9 * * MON-FRI",
      zone: "Asia/Tokyo",
      after: "2024-03-07T12:00:00Z",
      want: ["2024-03-08T00:00:00.000Z", "2024-03-11T00:00:00.000Z"],
    },
    {
      what: "day-of-week 7 is Sunday",
      expr: "0 0 * * 7",
      zone: "",
      after: "2024-03-01T00:00:00Z",
      want: ["2024-03-03T00:00:00.000Z", "2024-03-10T00:00:00.000Z"],
    },
    {
      what: "day-of-week 0 is Sunday",
      expr: "0 0 * * 0",
      zone: "",
      after: "2024-03-01T00:00:00Z",
      want: ["2024-03-03T00:00:00.000Z", "2024-03-10T00:00:00.000Z"],
    },
    {
      what: "month names",
      expr: "0 0 1 JAN,jul *",
      zone: "UTC",
      after: "2024-03-01T00:00:00Z",
      want: ["2024-07-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"],
    },
    {
      what: "both day fields restricted: either matches (Vixie)",
      expr: "0 0 13 * 5",
      zone: "",
      after: "2024-09-01T00:00:00Z",
      want: ["2024-09-06T00:00:00.000Z", "2024-09-13T00:00:00.000Z", "2024-09-20T00:00:00.000Z"],
    },
    {
      what: "Feb 29 only in leap years",
      expr: "0 12 29 2 *",
      zone: "",
      after: "2024-03-01T00:00:00Z",
      want: ["2028-02-29T12:00:00.000Z", "2032-02-29T12:00:00.000Z"],
    },
    {
      what: "@daily shorthand",
      expr: "@daily",
      zone: "Europe/Berlin",
      after: "2024-03-29T12:00:00Z",
      want: ["2024-03-29T23:00:00.000Z", "2024-03-30T23:00:00.000Z", "2024-03-31T22:00:00.000Z"],
    },
    {
      what: "09:00 New York keeps local time across spring forward",
      expr: "0 9 * * *",
      zone: "America/New_York",
      after: "2024-03-09T00:00:00Z",
      want: ["2024-03-09T14:00:00.000Z", "2024-03-10T13:00:00.000Z", "2024-03-11T13:00:00.000Z"],
    },
    {
      what: "09:00 Berlin keeps local time across fall back",
      expr: "0 9 * * *",
      zone: "Europe/Berlin",
      after: "2024-10-26T00:00:00Z",
      want: ["2024-10-26T07:00:00.000Z", "2024-10-27T08:00:00.000Z", "2024-10-28T08:00:00.000Z"],
    },
  ])("$what", ({ expr, zone, after, want }) => {
    expect(runs(expr, zone, after, want.length)).toEqual(want);
  });
});

describe("cron at DST changes (Vixie/ISC cron's rule)", () => {
  it.each([
    {
      what: "Berlin gap: 02:30 runs once, at the jump (03:00 CEST)",
      expr: "30 2 * * *",
      zone: "Europe/Berlin",
      after: "2024-03-29T12:00:00Z",
      want: ["2024-03-30T01:30:00.000Z", "2024-03-31T01:00:00.000Z", "2024-04-01T00:30:00.000Z"],
    },
    {
      what: "Berlin gap: several fixed times in the gap still run once",
      expr: "0,30 2 * * *",
      zone: "Europe/Berlin",
      after: "2024-03-30T12:00:00Z",
      want: ["2024-03-31T01:00:00.000Z", "2024-04-01T00:00:00.000Z", "2024-04-01T00:30:00.000Z"],
    },
    {
      what: "Berlin gap: a fixed time in the gap and one at 03:00 are the same run",
      expr: "30 2,3 * * *",
      zone: "Europe/Berlin",
      after: "2024-03-30T12:00:00Z",
      want: ["2024-03-31T01:00:00.000Z", "2024-03-31T01:30:00.000Z", "2024-04-01T00:30:00.000Z"],
    },
    {
      what: "Berlin gap: an hourly (wildcard) job has no 02:30 that day",
      expr: "30 * * * *",
      zone: "Europe/Berlin",
      after: "2024-03-31T00:00:00Z",
      want: ["2024-03-31T00:30:00.000Z", "2024-03-31T01:30:00.000Z", "2024-03-31T02:30:00.000Z"],
    },
    {
      what: "Berlin gap: a minute wildcard in hour 2 is a wildcard job (Vixie) and skips the gap",
      expr: "*/20 2 * * *",
      zone: "Europe/Berlin",
      after: "2024-03-30T12:00:00Z",
      want: ["2024-04-01T00:00:00.000Z", "2024-04-01T00:20:00.000Z", "2024-04-01T00:40:00.000Z"],
    },
    {
      what: "Berlin overlap: 02:30 runs once, the first time",
      expr: "30 2 * * *",
      zone: "Europe/Berlin",
      after: "2024-10-25T12:00:00Z",
      want: ["2024-10-26T00:30:00.000Z", "2024-10-27T00:30:00.000Z", "2024-10-28T01:30:00.000Z"],
    },
    {
      what: "Berlin overlap: an hourly (wildcard) job runs in both 02:30s",
      expr: "30 * * * *",
      zone: "Europe/Berlin",
      after: "2024-10-26T23:00:00Z",
      want: [
        "2024-10-26T23:30:00.000Z",
        "2024-10-27T00:30:00.000Z",
        "2024-10-27T01:30:00.000Z",
        "2024-10-27T02:30:00.000Z",
      ],
    },
    {
      what: "Berlin overlap: every 20 minutes in hour 2 runs in both passes",
      expr: "*/20 2 * * *",
      zone: "Europe/Berlin",
      after: "2024-10-27T00:00:00Z",
      want: [
        "2024-10-27T00:20:00.000Z",
        "2024-10-27T00:40:00.000Z",
        "2024-10-27T01:00:00.000Z",
        "2024-10-27T01:20:00.000Z",
        "2024-10-27T01:40:00.000Z",
        "2024-10-28T01:00:00.000Z",
      ],
    },
    {
      what: "New York gap: 02:30 runs at 03:00 EDT",
      expr: "30 2 * * *",
      zone: "America/New_York",
      after: "2024-03-09T00:00:00Z",
      want: ["2024-03-09T07:30:00.000Z", "2024-03-10T07:00:00.000Z", "2024-03-11T06:30:00.000Z"],
    },
    {
      what: "New York overlap: 01:30 runs once, at 01:30 EDT",
      expr: "30 1 * * *",
      zone: "America/New_York",
      after: "2024-11-02T00:00:00Z",
      want: ["2024-11-02T05:30:00.000Z", "2024-11-03T05:30:00.000Z", "2024-11-04T06:30:00.000Z"],
    },
    {
      what: "New York overlap: every 30 minutes runs through both 01:xx hours",
      expr: "*/30 * * * *",
      zone: "America/New_York",
      after: "2024-11-03T04:45:00Z",
      want: [
        "2024-11-03T05:00:00.000Z",
        "2024-11-03T05:30:00.000Z",
        "2024-11-03T06:00:00.000Z",
        "2024-11-03T06:30:00.000Z",
        "2024-11-03T07:00:00.000Z",
      ],
    },
  ])("$what", ({ expr, zone, after, want }) => {
    expect(runs(expr, zone, after, want.length)).toEqual(want);
  });

  it.each([
    ["30 2 * * *", "Europe/Berlin", "2024-03-29T00:00:00Z"],
    ["30 2 * * *", "Europe/Berlin", "2024-10-25T00:00:00Z"],
    ["30 * * * *", "Europe/Berlin", "2024-03-30T20:00:00Z"],
    ["30 * * * *", "Europe/Berlin", "2024-10-26T20:00:00Z"],
    ["*/20 2 * * *", "Europe/Berlin", "2024-10-25T00:00:00Z"],
    ["0,30 2,3 * * *", "Europe/Berlin", "2024-03-29T00:00:00Z"],
    ["*/30 * * * *", "America/New_York", "2024-11-02T20:00:00Z"],
    ["30 1 * * *", "America/New_York", "2024-11-01T00:00:00Z"],
  ])(
    "%s in %s: each occurrence is due exactly once, in order, walking past the change",
    (expr, zone, from) => {
      const s = parseSchedule(expr, { timeZone: zone, now });
      const expected = upcoming(s, new Date(from), 12);
      // A scheduler ticking every 10 minutes, remembering the last slot it launched.
      const seen: Date[] = [];
      let lastSlot = new Date(from);
      for (
        let t = new Date(from).getTime();
        t <= Math.ceil(expected.at(-1)!.getTime() / 600_000) * 600_000;
        t += 600_000
      ) {
        const due = dueSlot(s, { now: new Date(t), lastSlot });
        if (due !== undefined && "slot" in due) {
          seen.push(due.slot);
          lastSlot = due.slot;
        }
      }
      // Ticks 10 minutes apart can collapse two occurrences; every occurrence a tick lands on is seen once.
      expect(seen.map((d) => d.toISOString())).toEqual(
        expected
          .filter((d, i) => {
            const next = expected[i + 1];
            return (
              next === undefined || Math.ceil(d.getTime() / 600_000) !== Math.ceil(next.getTime() / 600_000)
            );
          })
          .map((d) => d.toISOString()),
      );
    },
  );
});

describe("cron due slots", () => {
  const hourly = parseSchedule("0 * * * *", { now });

  it("collapses Chronos being down for 3 days into one run of the latest occurrence", () => {
    expect(
      dueSlot(hourly, { now: new Date("2024-05-04T10:00:30Z"), lastSlot: new Date("2024-05-01T10:00:00Z") }),
    ).toEqual({ slot: new Date("2024-05-04T10:00:00Z"), missed: 71 });
  });

  it("skips it when the latest occurrence is older than the starting deadline", () => {
    const o = { lastSlot: new Date("2024-05-01T10:00:00Z"), startingDeadlineMs: 900_000 };
    expect(dueSlot(hourly, { ...o, now: new Date("2024-05-04T10:15:00Z") })).toEqual({
      slot: new Date("2024-05-04T10:00:00Z"),
      missed: 71,
    });
    expect(dueSlot(hourly, { ...o, now: new Date("2024-05-04T10:15:00.001Z") })).toEqual({
      skipped: new Date("2024-05-04T10:00:00Z"),
    });
  });

  it("without lastSlot only an occurrence at exactly now is due", () => {
    expect(dueSlot(hourly, { now: new Date("2024-05-04T10:00:00Z") })).toEqual({
      slot: new Date("2024-05-04T10:00:00Z"),
      missed: 0,
    });
    expect(dueSlot(hourly, { now: new Date("2024-05-04T10:00:00.001Z") })).toBeUndefined();
    expect(dueSlot(hourly, { now: new Date("2024-05-04T10:30:00Z") })).toBeUndefined();
  });

  it("is not due again for the slot it launched", () => {
    const lastSlot = new Date("2024-05-04T10:00:00Z");
    expect(dueSlot(hourly, { now: new Date("2024-05-04T10:59:59.999Z"), lastSlot })).toBeUndefined();
    expect(dueSlot(hourly, { now: new Date("2024-05-04T11:00:00Z"), lastSlot })).toEqual({
      slot: new Date("2024-05-04T11:00:00Z"),
      missed: 0,
    });
  });

  it("runs the second 02:30 of a wildcard job but not of a fixed-time one", () => {
    const lastSlot = new Date("2024-10-27T00:30:00Z");
    const at = new Date("2024-10-27T01:31:00Z");
    const berlin = { timeZone: "Europe/Berlin", now };
    expect(dueSlot(parseSchedule("30 * * * *", berlin), { now: at, lastSlot })).toEqual({
      slot: new Date("2024-10-27T01:30:00Z"),
      missed: 0,
    });
    expect(dueSlot(parseSchedule("30 2 * * *", berlin), { now: at, lastSlot })).toBeUndefined();
  });

  it("counts missed occurrences across a DST change", () => {
    const s = parseSchedule("30 * * * *", { timeZone: "Europe/Berlin", now });
    // From 00:30Z Oct 26 to 01:30Z Oct 27: 25 hours, 25 occurrences, the last is run, 24 missed.
    expect(
      dueSlot(s, { now: new Date("2024-10-27T01:40:00Z"), lastSlot: new Date("2024-10-26T00:30:00Z") }),
    ).toEqual({ slot: new Date("2024-10-27T01:30:00Z"), missed: 24 });
    // Mar 30 23:30Z to Mar 31 02:30Z: 3 hours, the 02:30 local that does not exist is not missed.
    expect(
      dueSlot(s, { now: new Date("2024-03-31T02:40:00Z"), lastSlot: new Date("2024-03-30T23:30:00Z") }),
    ).toEqual({ slot: new Date("2024-03-31T02:30:00Z"), missed: 2 });
  });

  it(`stops counting missed occurrences at ${missedCountLimit}`, () => {
    const s = parseSchedule("* * * * *", { now });
    expect(
      dueSlot(s, { now: new Date("2024-05-08T00:00:00Z"), lastSlot: new Date("2024-05-01T00:00:00Z") }),
    ).toEqual({ slot: new Date("2024-05-08T00:00:00Z"), missed: missedCountLimit });
  });

  it("nextRunAt is the first occurrence after lastSlot, or after now without one", () => {
    expect(nextRunAt(hourly, { now: new Date("2024-05-04T10:20:00Z") })).toEqual(
      new Date("2024-05-04T11:00:00Z"),
    );
    expect(
      nextRunAt(hourly, {
        now: new Date("2024-05-04T10:20:00Z"),
        lastSlot: new Date("2024-05-04T08:00:00Z"),
      }),
    ).toEqual(new Date("2024-05-04T09:00:00Z"));
    const gap = parseSchedule("30 2 * * *", { timeZone: "Europe/Berlin", now });
    expect(nextRunAt(gap, { now: new Date("2024-03-30T12:00:00Z") })).toEqual(
      new Date("2024-03-31T01:00:00Z"),
    );
  });

  it("advance leaves a cron expression as it is", () => {
    expect(advance(hourly, new Date("2024-05-04T10:00:00Z"))).toBe("0 * * * *");
  });
});

/**
 * An independent, slow statement of the rule: step through every minute, read the clock in the zone,
 * and apply Vixie's rule directly (a fixed-time job runs the first time a wall time shows and at a
 * jump over wall times it matches; a wildcard job runs whenever the clock shows a match).
 */
function referenceRuns(expression: string, zone: string, from: string, to: string): string[] {
  const matcher = CronExpressionParser.parse(expression, { tz: "UTC", currentDate: 0 });
  const [minute, hour] = expression.split(" ") as [string, string];
  const fixed = !minute.startsWith("*") && !hour.startsWith("*");
  const wall = (t: number) => {
    const d = DateTime.fromMillis(t, { zone });
    return d.toMillis() + d.offset * 60_000;
  };
  const matches = (w: number) => matcher.includesDate(new Date(w));
  const out: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 60_000) {
    const w = wall(t);
    const before = wall(t - 60_000);
    let run = matches(w);
    if (run && fixed)
      for (let back = 60_000; back <= 3 * 3_600_000; back += 60_000) if (wall(t - back) === w) run = false;
    if (!run && fixed && w - before > 60_000)
      for (let skipped = before + 60_000; skipped < w; skipped += 60_000) if (matches(skipped)) run = true;
    if (run) out.push(new Date(t).toISOString());
  }
  return out;
}

describe("cron agrees with a minute-by-minute reference around DST changes", () => {
  it.each([
    ["30 2 * * *", "Europe/Berlin", "2024-03-30T00:00:00Z", "2024-04-01T12:00:00Z"],
    ["30 2 * * *", "Europe/Berlin", "2024-10-26T00:00:00Z", "2024-10-28T12:00:00Z"],
    ["0,30 2,3 * * *", "Europe/Berlin", "2024-03-30T12:00:00Z", "2024-04-01T00:00:00Z"],
    ["15 1-3 * * *", "Europe/Berlin", "2024-10-26T12:00:00Z", "2024-10-28T00:00:00Z"],
    ["*/20 * * * *", "Europe/Berlin", "2024-03-30T22:00:00Z", "2024-03-31T03:00:00Z"],
    ["*/20 2 * * *", "Europe/Berlin", "2024-10-26T22:00:00Z", "2024-10-27T03:00:00Z"],
    ["45 * * * *", "America/New_York", "2024-03-10T00:00:00Z", "2024-03-10T12:00:00Z"],
    ["30 1 * * *", "America/New_York", "2024-11-02T00:00:00Z", "2024-11-04T12:00:00Z"],
    ["0 2 * * 0", "America/New_York", "2024-03-09T00:00:00Z", "2024-03-18T00:00:00Z"],
    ["30 2 * * *", "Australia/Lord_Howe", "2024-10-05T00:00:00Z", "2024-10-08T00:00:00Z"],
    ["*/10 1 * * *", "Australia/Lord_Howe", "2024-04-06T00:00:00Z", "2024-04-08T00:00:00Z"],
  ])("%s in %s", (expression, zone, from, to) => {
    const want = referenceRuns(expression, zone, from, to);
    const got = runs(expression, zone, new Date(Date.parse(from) - 1).toISOString(), want.length + 1);
    expect(got.filter((t) => t <= new Date(to).toISOString())).toEqual(want);
    // Walking backwards from each run finds that run again.
    const s = parseSchedule(expression, { timeZone: zone, now });
    for (let i = 1; i < want.length; i++)
      expect(dueSlot(s, { now: new Date(want[i]!), lastSlot: new Date(want[i - 1]!) })).toEqual({
        slot: new Date(want[i]!),
        missed: 0,
      });
  });
});
