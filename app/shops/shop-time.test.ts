import { describe, expect, it } from "vitest";
import { formatShopTime } from "./shop-time";

describe("formatShopTime", () => {
  const at = "2026-12-02T09:05:00.000Z";

  it("shows a UTC time in the shop's zone, whatever the server's or browser's zone", () => {
    expect(formatShopTime(at, "Asia/Seoul")).toBe("Dec 2, 2026, 6:05 PM GMT+9");
    expect(formatShopTime(new Date(at), "America/New_York")).toBe("Dec 2, 2026, 4:05 AM EST");
    expect(formatShopTime(at, "UTC")).toBe("Dec 2, 2026, 9:05 AM UTC");
  });

  it("falls back to UTC for a zone it does not know, and shows nothing for no time", () => {
    expect(formatShopTime(at, "Mars/Olympus_Mons")).toBe("Dec 2, 2026, 9:05 AM UTC");
    expect(formatShopTime(null, "UTC")).toBe("");
    expect(formatShopTime("not a date", "UTC")).toBe("");
  });
});
