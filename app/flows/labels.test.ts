import { describe, expect, it } from "vitest";
import { flowName, reasonLabel, runStateLabel, stepLabel, withReason } from "./labels";

describe("flow labels", () => {
  it("names steps, flows, states and reasons in plain words, and keeps unknown codes readable", () => {
    expect([stepLabel("email_1"), stepLabel("email_3"), stepLabel("email"), stepLabel("test")]).toEqual(["Email 1", "Email 3", "Email", "Test email"]);
    expect([flowName("abandoned_checkout"), flowName("cross_sell"), flowName("abandoned_checkout:test")]).toEqual(["Abandoned checkout recovery", "Cross-sell: you might also like", "Abandoned checkout recovery (test)"]);
    expect(runStateLabel("skipped")).toBe("Not emailed");
    expect(withReason(runStateLabel("skipped"), "no_consent")).toBe("Not emailed: the customer has not agreed to marketing email");
    expect(reasonLabel("some_new_reason")).toBe("some new reason");
    expect(reasonLabel("SendGrid 500: upstream error")).toBe("SendGrid 500: upstream error");
  });
});
