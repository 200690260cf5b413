import { describe, expect, it } from "vitest";
import { exportSummary } from "./export-summary";

describe("a data export's summary", () => {
  it("counts orders, checkouts and emails with the right plural, and 0 for a missing section", () => {
    expect(exportSummary({ store: { orders: [{}], checkouts: [{}, {}] }, email: { messages: [{}, {}, {}] } })).toBe("1 order, 2 checkouts, 3 emails");
    expect(exportSummary({ store: { orders: [] } })).toBe("0 orders, 0 checkouts, 0 emails");
    expect(exportSummary(null)).toBe("0 orders, 0 checkouts, 0 emails");
  });
});
