import { describe, expect, it } from "vitest";
import { nextLocalHour } from "./index";

describe("nextLocalHour", () => {
  it("finds the next time it is that hour in the shop's time zone, across the date line and daylight saving", () => {
    // 02:53 UTC on 2 Dec is 21:53 on 1 Dec in New York (EST, UTC-5): next 10:00 there is 15:00 UTC on 2 Dec.
    expect(nextLocalHour(10, "America/New_York", new Date("2026-12-02T02:53:00Z")).toISOString()).toBe("2026-12-02T15:00:00.000Z");
    // Already past 10:00 in Seoul (UTC+9): tomorrow's.
    expect(nextLocalHour(10, "Asia/Seoul", new Date("2026-12-02T02:00:00Z")).toISOString()).toBe("2026-12-03T01:00:00.000Z");
    // Summer time in New York (EDT, UTC-4).
    expect(nextLocalHour(10, "America/New_York", new Date("2026-07-01T00:00:00Z")).toISOString()).toBe("2026-07-01T14:00:00.000Z");
  });
});
