import { describe, expect, it } from "vitest";
import {
  advance,
  dueSlot,
  formatSchedule,
  type IsoSchedule,
  nextRunAt,
  parseSchedule,
  skip,
  upcoming,
} from "./index.js";

// Hand-checked facts used below. Europe/Berlin 2024: CET (+01:00) → CEST (+02:00) on Sun 31 Mar at
// 01:00Z (02:00 → 03:00 local); back on Sun 27 Oct at 01:00Z (03:00 → 02:00 local).
// America/New_York 2024: EST (−05:00) → EDT (−04:00) on Sun 10 Mar at 07:00Z; back on Sun 3 Nov at 06:00Z.

const now = new Date("2024-01-01T00:00:00Z");
/** parseSchedule, narrowed to the ISO form these tests are about. */
function isoSchedule(text: string, o: { timeZone?: string; now: Date }): IsoSchedule {
  const s = parseSchedule(text, o);
  if (s.kind !== "iso8601") throw new Error(`${text} parsed as ${s.kind}`);
  return s;
}
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const runs = (text: string, timeZone: string, after: string, count: number) =>
  iso(upcoming(isoSchedule(text, { timeZone, now }), new Date(after), count));

describe("ISO 8601 schedules across DST: P1D keeps the wall clock, PT24H keeps elapsed time", () => {
  it.each([
    {
      what: "Berlin spring, P1D: 09:00 local every day",
      text: "R/2024-03-30T09:00:00Z/P1D",
      zone: "Europe/Berlin",
      want: ["2024-03-30T08:00:00.000Z", "2024-03-31T07:00:00.000Z", "2024-04-01T07:00:00.000Z"],
    },
    {
      what: "Berlin spring, PT24H: 09:00 CET, then 10:00 CEST",
      text: "R/2024-03-30T09:00:00Z/PT24H",
      zone: "Europe/Berlin",
      want: ["2024-03-30T08:00:00.000Z", "2024-03-31T08:00:00.000Z", "2024-04-01T08:00:00.000Z"],
    },
    {
      what: "Berlin autumn, P1D",
      text: "R/2024-10-26T09:00:00+02:00/P1D",
      zone: "Europe/Berlin",
      want: ["2024-10-26T07:00:00.000Z", "2024-10-27T08:00:00.000Z", "2024-10-28T08:00:00.000Z"],
    },
    {
      what: "Berlin autumn, PT24H: 09:00 CEST, then 08:00 CET",
      text: "R/2024-10-26T09:00:00+02:00/PT24H",
      zone: "Europe/Berlin",
      want: ["2024-10-26T07:00:00.000Z", "2024-10-27T07:00:00.000Z", "2024-10-28T07:00:00.000Z"],
    },
    {
      what: "New York spring, P1D",
      text: "R/2024-03-09T09:00:00-05:00/P1D",
      zone: "America/New_York",
      want: ["2024-03-09T14:00:00.000Z", "2024-03-10T13:00:00.000Z", "2024-03-11T13:00:00.000Z"],
    },
    {
      what: "New York spring, PT24H",
      text: "R/2024-03-09T09:00:00-05:00/PT24H",
      zone: "America/New_York",
      want: ["2024-03-09T14:00:00.000Z", "2024-03-10T14:00:00.000Z", "2024-03-11T14:00:00.000Z"],
    },
    {
      what: "New York autumn, P1D",
      text: "R/2024-11-02T09:00:00-04:00/P1D",
      zone: "America/New_York",
      want: ["2024-11-02T13:00:00.000Z", "2024-11-03T14:00:00.000Z", "2024-11-04T14:00:00.000Z"],
    },
    {
      what: "New York autumn, PT24H",
      text: "R/2024-11-02T09:00:00-04:00/PT24H",
      zone: "America/New_York",
      want: ["2024-11-02T13:00:00.000Z", "2024-11-03T13:00:00.000Z", "2024-11-04T13:00:00.000Z"],
    },
    {
      what: "no zone: P1D in the start's own fixed offset ignores Berlin's DST",
      text: "R/2024-03-30T09:00:00+01:00/P1D",
      zone: "",
      want: ["2024-03-30T08:00:00.000Z", "2024-03-31T08:00:00.000Z", "2024-04-01T08:00:00.000Z"],
    },
    {
      what: "Berlin, P1W keeps the wall clock too",
      text: "R/2024-03-24T09:00:00+01:00/P1W",
      zone: "Europe/Berlin",
      want: ["2024-03-24T08:00:00.000Z", "2024-03-31T07:00:00.000Z", "2024-04-07T07:00:00.000Z"],
    },
  ])("$what", ({ text, zone, want }) => {
    expect(runs(text, zone, "2024-01-01T00:00:00Z", 3)).toEqual(want);
  });

  it("keeps the start's wall-clock fields and re-reads them in the zone, whatever the Z says", () => {
    const s = isoSchedule("R/2024-03-30T09:00:00Z/P1D", { timeZone: "Europe/Berlin", now });
    expect(s.start.toISOString()).toBe("2024-03-30T08:00:00.000Z");
    expect(isoSchedule("R/2024-07-01T09:00:00-07:00/P1D", { timeZone: "Asia/Tokyo", now }).start).toEqual(
      new Date("2024-07-01T00:00:00.000Z"),
    );
  });

  it("reads a start without an offset as UTC when there is no zone", () => {
    expect(isoSchedule("R/2024-03-30T09:00:00/P1D", { now }).start).toEqual(new Date("2024-03-30T09:00:00Z"));
    expect(isoSchedule("R/2024-03-30/P1D", { now }).start).toEqual(new Date("2024-03-30T00:00:00Z"));
  });

  it("lets the written offset pick which of a repeated wall time is meant, else the first", () => {
    const start = (text: string) => isoSchedule(text, { timeZone: "Europe/Berlin", now }).start.toISOString();
    expect(start("R/2024-10-27T02:30:00+02:00/PT1H")).toBe("2024-10-27T00:30:00.000Z");
    expect(start("R/2024-10-27T02:30:00+01:00/PT1H")).toBe("2024-10-27T01:30:00.000Z");
    expect(start("R/2024-10-27T02:30:00Z/PT1H")).toBe("2024-10-27T00:30:00.000Z");
    expect(start("R/2024-10-27T02:30:00/PT1H")).toBe("2024-10-27T00:30:00.000Z");
  });

  it("shifts a wall time in a spring-forward gap by the gap (as Joda did) and keeps 02:30 on other days", () => {
    expect(runs("R/2024-03-30T02:30:00+01:00/P1D", "Europe/Berlin", "2024-03-29T00:00:00Z", 3)).toEqual([
      "2024-03-30T01:30:00.000Z",
      "2024-03-31T01:30:00.000Z", // 03:30 CEST: 02:30 does not exist that day
      "2024-04-01T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  it("runs an hourly job once per real hour through the repeated hour (advance writes the right offset)", () => {
    let s = isoSchedule("R/2024-10-27T01:30:00+02:00/PT1H", { timeZone: "Europe/Berlin", now });
    const texts: string[] = [];
    for (const at of [
      "2024-10-26T23:30:00Z",
      "2024-10-27T00:30:00Z",
      "2024-10-27T01:30:00Z",
      "2024-10-27T02:30:00Z",
    ]) {
      expect(dueSlot(s, { now: new Date(at) })).toEqual({ slot: new Date(at), missed: 0 });
      texts.push(advance(s, new Date(at)));
      s = isoSchedule(texts.at(-1)!, { timeZone: "Europe/Berlin", now });
    }
    expect(texts).toEqual([
      "R/2024-10-27T02:30:00.000+02:00/PT1H",
      "R/2024-10-27T02:30:00.000+01:00/PT1H",
      "R/2024-10-27T03:30:00.000+01:00/PT1H",
      "R/2024-10-27T04:30:00.000+01:00/PT1H",
    ]);
  });

  it("writes a daily start that lands in the gap as its intended wall time, so later days keep 02:30", () => {
    const zone = { timeZone: "Europe/Berlin", now };
    const day1 = isoSchedule("R/2024-03-30T02:30:00+01:00/P1D", zone);
    const text2 = advance(day1, new Date("2024-03-30T01:30:00Z"));
    expect(text2).toBe("R/2024-03-31T02:30:00.000+01:00/P1D"); // the same instant as 03:30+02:00
    const day2 = isoSchedule(text2, zone);
    expect(day2.start).toEqual(new Date("2024-03-31T01:30:00Z"));
    expect(advance(day2, new Date("2024-03-31T01:30:00Z"))).toBe("R/2024-04-01T02:30:00.000+02:00/P1D");
  });
});

describe("ISO 8601 month ends and leap days (occurrence k = start + k × period)", () => {
  it("R5 from 2024-02-28T23:00Z by P1D crosses the leap day and stops after five", () => {
    expect(runs("R5/2024-02-28T23:00:00Z/P1D", "", "2024-01-01T00:00:00Z", 10)).toEqual([
      "2024-02-28T23:00:00.000Z",
      "2024-02-29T23:00:00.000Z",
      "2024-03-01T23:00:00.000Z",
      "2024-03-02T23:00:00.000Z",
      "2024-03-03T23:00:00.000Z",
    ]);
  });

  it("R5 from 2024-02-28T23:00Z with Europe/Berlin means 23:00 Berlin time", () => {
    expect(runs("R5/2024-02-28T23:00:00Z/P1D", "Europe/Berlin", "2024-01-01T00:00:00Z", 3)).toEqual([
      "2024-02-28T22:00:00.000Z",
      "2024-02-29T22:00:00.000Z",
      "2024-03-01T22:00:00.000Z",
    ]);
  });

  it("P1M from Jan 31 clamps to the month's end each month without drifting (leap year)", () => {
    expect(runs("R/2024-01-31T10:00:00Z/P1M", "", "2024-01-01T00:00:00Z", 6)).toEqual([
      "2024-01-31T10:00:00.000Z",
      "2024-02-29T10:00:00.000Z",
      "2024-03-31T10:00:00.000Z",
      "2024-04-30T10:00:00.000Z",
      "2024-05-31T10:00:00.000Z",
      "2024-06-30T10:00:00.000Z",
    ]);
  });

  it("P1M from Jan 31 in a common year gives Feb 28", () => {
    expect(runs("R/2023-01-31T10:00:00Z/P1M", "", "2023-01-01T00:00:00Z", 3)).toEqual([
      "2023-01-31T10:00:00.000Z",
      "2023-02-28T10:00:00.000Z",
      "2023-03-31T10:00:00.000Z",
    ]);
  });

  it("P1Y from Feb 29 gives Feb 28 in common years and Feb 29 again in 2028", () => {
    expect(runs("R/2024-02-29T00:00:00Z/P1Y", "", "2024-01-01T00:00:00Z", 5)).toEqual([
      "2024-02-29T00:00:00.000Z",
      "2025-02-28T00:00:00.000Z",
      "2026-02-28T00:00:00.000Z",
      "2027-02-28T00:00:00.000Z",
      "2028-02-29T00:00:00.000Z",
    ]);
  });

  it("a rewritten start re-bases the series: after the Feb 29 run P1M continues on the 29th (as Chronos)", () => {
    const s = isoSchedule("R/2024-01-31T10:00:00Z/P1M", { now });
    const text = advance(s, new Date("2024-02-01T00:00:00Z"));
    expect(text).toBe("R/2024-02-29T10:00:00.000Z/P1M");
    expect(runs(text, "", "2024-02-01T00:00:00Z", 2)).toEqual([
      "2024-02-29T10:00:00.000Z",
      "2024-03-29T10:00:00.000Z",
    ]);
  });

  it("skips many months at once from the start, not step by step", () => {
    const s = isoSchedule("R/1970-01-31T00:00:00Z/P1M", { now });
    expect(advance(s, new Date("2024-05-04T10:00:00Z"))).toBe("R/2024-05-31T00:00:00.000Z/P1M");
    expect(advance(s, new Date("2024-02-15T00:00:00Z"))).toBe("R/2024-02-29T00:00:00.000Z/P1M");
  });

  it("skips millions of short periods at once", () => {
    const s = isoSchedule("R/1970-01-01T00:00:00Z/PT1S", { now });
    expect(advance(s, new Date("2024-05-04T10:00:30.500Z"))).toBe("R/2024-05-04T10:00:31.000Z/PT1S");
  });
});

describe("ISO 8601 repetitions and starts", () => {
  it("bare R repeats forever and stays R after a run", () => {
    const s = isoSchedule("R/2024-05-01T10:00:00Z/P1D", { now });
    expect(s.repetitions).toBeUndefined();
    expect(advance(s, new Date("2024-05-01T10:00:00Z"))).toBe("R/2024-05-02T10:00:00.000Z/P1D");
    expect(runs("R/2024-05-01T10:00:00Z/P1D", "", "2024-05-01T00:00:00Z", 3)).toEqual([
      "2024-05-01T10:00:00.000Z",
      "2024-05-02T10:00:00.000Z",
      "2024-05-03T10:00:00.000Z",
    ]);
  });

  it("R0 never runs, even with a past start", () => {
    const s = isoSchedule("R0/2024-05-01T10:00:00Z/P1D", { now });
    expect(s.repetitions).toBe(0);
    expect(dueSlot(s, { now: new Date("2024-06-01T00:00:00Z") })).toBeUndefined();
    expect(nextRunAt(s, { now: new Date("2024-04-01T00:00:00Z") })).toBeUndefined();
    expect(upcoming(s, new Date("2024-04-01T00:00:00Z"), 3)).toEqual([]);
    expect(advance(s, new Date("2024-06-01T00:00:00Z"))).toBe("R0/2024-05-01T10:00:00.000Z/P1D");
  });

  it("Rn counts down one per run; R1 becomes R0 and never runs again", () => {
    let s = isoSchedule("R3/2024-05-01T10:00:00Z/P1D", { now });
    const texts: string[] = [];
    for (const at of ["2024-05-01T10:00:00Z", "2024-05-02T10:00:00Z", "2024-05-03T10:00:00Z"]) {
      expect(dueSlot(s, { now: new Date(at) })).toEqual({ slot: new Date(at), missed: 0 });
      texts.push(advance(s, new Date(at)));
      s = isoSchedule(texts.at(-1)!, { now });
    }
    expect(texts).toEqual([
      "R2/2024-05-02T10:00:00.000Z/P1D",
      "R1/2024-05-03T10:00:00.000Z/P1D",
      "R0/2024-05-04T10:00:00.000Z/P1D",
    ]);
    expect(dueSlot(s, { now: new Date("2024-05-04T10:00:00Z") })).toBeUndefined();
    expect(dueSlot(s, { now: new Date("2025-01-01T00:00:00Z") })).toBeUndefined();
    expect(nextRunAt(s, { now: new Date("2024-05-03T12:00:00Z") })).toBeUndefined();
  });

  it("upcoming stops at the repetitions left; an overdue start's catch-up run takes one", () => {
    expect(runs("R3/2024-05-01T10:00:00Z/P1D", "", "2024-04-01T00:00:00Z", 10)).toEqual([
      "2024-05-01T10:00:00.000Z",
      "2024-05-02T10:00:00.000Z",
      "2024-05-03T10:00:00.000Z",
    ]);
    // Overdue since May 1: one run now, then R2 at the next two occurrences.
    expect(runs("R3/2024-05-01T10:00:00Z/P1D", "", "2024-05-05T12:00:00Z", 10)).toEqual([
      "2024-05-06T10:00:00.000Z",
      "2024-05-07T10:00:00.000Z",
    ]);
    expect(runs("R1/2024-05-01T10:00:00Z/P1D", "", "2024-05-05T12:00:00Z", 10)).toEqual([]);
  });

  it("an empty start means now (R//PT1H)", () => {
    const at = new Date("2024-06-01T12:34:56.789Z");
    const s = isoSchedule("R//PT1H", { now: at });
    expect(s.start).toEqual(at);
    expect(formatSchedule(s)).toBe("R/2024-06-01T12:34:56.789Z/PT1H");
    expect(dueSlot(s, { now: at })).toEqual({ slot: at, missed: 0 });
    expect(advance(s, at)).toBe("R/2024-06-01T13:34:56.789Z/PT1H");
  });

  it("an empty start with a zone is now in that zone, so P1D keeps now's local time", () => {
    const s = isoSchedule("R//P1D", { timeZone: "Europe/Berlin", now: new Date("2024-03-30T08:00:00Z") });
    expect(formatSchedule(s)).toBe("R/2024-03-30T09:00:00.000+01:00/P1D");
    expect(iso(upcoming(s, new Date("2024-03-30T08:00:00Z"), 2))).toEqual([
      "2024-03-31T07:00:00.000Z",
      "2024-04-01T07:00:00.000Z",
    ]);
  });

  it("formats the start in the zone's offset at that instant, and keeps the start's own offset without one", () => {
    expect(
      formatSchedule(isoSchedule("R5/2024-07-01T09:00:00Z/P1D", { timeZone: "Europe/Berlin", now })),
    ).toBe("R5/2024-07-01T09:00:00.000+02:00/P1D");
    expect(formatSchedule(isoSchedule("R/2024-07-01T09:00:00+05:30/PT12H", { now }))).toBe(
      "R/2024-07-01T09:00:00.000+05:30/PT12H",
    );
    expect(
      advance(isoSchedule("R/2024-07-01T09:00:00+05:30/PT12H", { now }), new Date("2024-07-02T00:00:00Z")),
    ).toBe("R/2024-07-02T09:00:00.000+05:30/PT12H");
  });

  it("accepts Joda's period forms: weeks, mixed parts, fractional seconds", () => {
    expect(runs("R/2024-01-01T00:00:00Z/P1DT12H", "", "2023-12-31T00:00:00Z", 3)).toEqual([
      "2024-01-01T00:00:00.000Z",
      "2024-01-02T12:00:00.000Z",
      "2024-01-04T00:00:00.000Z",
    ]);
    expect(runs("R/2024-01-01T00:00:00Z/PT1.5S", "", "2023-12-31T00:00:00Z", 3)).toEqual([
      "2024-01-01T00:00:00.000Z",
      "2024-01-01T00:00:01.500Z",
      "2024-01-01T00:00:03.000Z",
    ]);
  });
});

describe("ISO 8601 due slots, catch-up and deadlines", () => {
  const daily = isoSchedule("R/2024-05-01T10:00:00Z/P1D", { now });

  it("is not due before its start, or again once launched", () => {
    expect(dueSlot(daily, { now: new Date("2024-05-01T09:59:59.999Z") })).toBeUndefined();
    expect(dueSlot(daily, { now: new Date("2024-05-01T10:00:00Z") })).toEqual({
      slot: new Date("2024-05-01T10:00:00Z"),
      missed: 0,
    });
    const lastSlot = new Date("2024-05-01T10:00:00Z");
    expect(dueSlot(daily, { now: new Date("2024-05-01T10:00:05Z"), lastSlot })).toBeUndefined();
  });

  it("collapses Chronos being down for 3 days into one run and moves the start past now", () => {
    const at = new Date("2024-05-04T10:00:30Z");
    expect(dueSlot(daily, { now: at, lastSlot: new Date("2024-04-30T10:00:00Z") })).toEqual({
      slot: new Date("2024-05-01T10:00:00Z"),
      missed: 3, // May 2, 3 and 4 ride on this run
    });
    expect(advance(daily, at)).toBe("R/2024-05-05T10:00:00.000Z/P1D");
  });

  it("skips a run older than the starting deadline (measured from the latest occurrence it stands for)", () => {
    const deadline = 15 * 60_000;
    expect(dueSlot(daily, { now: new Date("2024-05-04T10:15:00Z"), startingDeadlineMs: deadline })).toEqual({
      slot: new Date("2024-05-01T10:00:00Z"),
      missed: 3,
    });
    expect(
      dueSlot(daily, { now: new Date("2024-05-04T10:15:00.001Z"), startingDeadlineMs: deadline }),
    ).toEqual({ skipped: new Date("2024-05-01T10:00:00Z") });
  });

  it("skip() moves the start past now without using up a repetition", () => {
    const s = isoSchedule("R5/2024-05-01T10:00:00Z/P1D", { now });
    expect(skip(s, new Date("2024-05-04T11:00:00Z"))).toBe("R5/2024-05-05T10:00:00.000Z/P1D");
    expect(advance(s, new Date("2024-05-04T11:00:00Z"))).toBe("R4/2024-05-05T10:00:00.000Z/P1D");
  });

  it("advance() moves a start that is still ahead (a launch before its time) one period on", () => {
    expect(advance(daily, new Date("2024-04-01T00:00:00Z"))).toBe("R/2024-05-02T10:00:00.000Z/P1D");
  });

  it("nextRunAt is the start, overdue or not; after a launch not yet advanced, where advance() will put it", () => {
    expect(nextRunAt(daily, { now: new Date("2024-04-01T00:00:00Z") })).toEqual(
      new Date("2024-05-01T10:00:00Z"),
    );
    expect(nextRunAt(daily, { now: new Date("2024-05-04T00:00:00Z") })).toEqual(
      new Date("2024-05-01T10:00:00Z"),
    );
    expect(
      nextRunAt(daily, { now: new Date("2024-05-04T00:00:00Z"), lastSlot: new Date("2024-05-01T10:00:00Z") }),
    ).toEqual(new Date("2024-05-04T10:00:00Z"));
    const once = isoSchedule("R1/2024-05-01T10:00:00Z/P1D", { now });
    expect(
      nextRunAt(once, { now: new Date("2024-05-01T10:00:01Z"), lastSlot: new Date("2024-05-01T10:00:00Z") }),
    ).toBeUndefined();
  });
});

describe("formatSchedule and advance write text that parses back to the same instants", () => {
  it.each([
    ["R/2024-03-30T02:30:00+01:00/P1D", "Europe/Berlin"],
    ["R/2024-10-27T02:30:00+01:00/PT1H", "Europe/Berlin"],
    ["R/2024-10-27T02:30:00+02:00/PT30M", "Europe/Berlin"],
    ["R4/2024-10-26T02:30:00+02:00/P1D", "Europe/Berlin"],
    ["R/2024-03-10T02:30:00-05:00/P1D", "America/New_York"],
    ["R/2024-11-03T01:30:00-05:00/PT20M", "America/New_York"],
    ["R/2024-01-15T23:00:00Z/P1M", "Asia/Tokyo"],
    ["R/2024-01-15T23:00:00+05:30/P1M", ""],
  ])("%s in %j", (text, timeZone) => {
    const o = { timeZone, now };
    const s = isoSchedule(text, o);
    const again = isoSchedule(formatSchedule(s), o);
    expect(again.start).toEqual(s.start);
    const after = new Date(s.start.getTime() - 1);
    expect(upcoming(again, after, 6)).toEqual(upcoming(s, after, 6));
    // Each advance lands on the next occurrence of the original series (month ends aside: see above).
    const want = upcoming(s, after, 5);
    let current = s;
    const got: Date[] = [current.start];
    for (let i = 1; i < want.length; i++) {
      current = isoSchedule(advance(current, got.at(-1)!), o);
      got.push(current.start);
    }
    expect(got).toEqual(want.slice(0, got.length));
  });
});
