import { describe, expect, it } from "vitest";
import { decideSend, DEFAULT_SENDING_RULES, quietHoursEnd } from "../../app/email/sending-rules";
import { emailSettingsForm } from "../../app/email/settings.server";
import { isLikelyPrefetch } from "../../app/email/tracking.server";

const at = (iso: string) => new Date(iso);

describe("quiet hours", () => {
  it("23:30 in New York defers to the next 08:00 there", () => {
    expect(quietHoursEnd(at("2026-11-25T04:30:00Z"), "America/New_York", 21 * 60, 8 * 60)?.toISOString()).toBe("2026-11-25T13:00:00.000Z");
  });
  it("after midnight defers to 08:00 the same local day; daytime is not quiet", () => {
    expect(quietHoursEnd(at("2026-11-25T07:15:00Z"), "America/New_York", 21 * 60, 8 * 60)?.toISOString()).toBe("2026-11-25T13:00:00.000Z");
    expect(quietHoursEnd(at("2026-11-25T13:00:00Z"), "America/New_York", 21 * 60, 8 * 60)).toBeNull();
    expect(quietHoursEnd(at("2026-11-26T01:59:00Z"), "America/New_York", 21 * 60, 8 * 60)).toBeNull(); // 20:59
    expect(quietHoursEnd(at("2026-11-26T02:00:00Z"), "America/New_York", 21 * 60, 8 * 60)).not.toBeNull(); // 21:00
  });
  it("uses the shop's zone, across a DST change (Seoul has none, New York springs forward)", () => {
    expect(quietHoursEnd(at("2026-11-24T14:00:00Z"), "Asia/Seoul", 21 * 60, 8 * 60)?.toISOString()).toBe("2026-11-24T23:00:00.000Z");
    // 8 March 2026, 01:30 EST: quiet hours end at 08:00 EDT = 12:00Z.
    expect(quietHoursEnd(at("2026-03-08T06:30:00Z"), "America/New_York", 21 * 60, 8 * 60)?.toISOString()).toBe("2026-03-08T12:00:00.000Z");
  });
  it("a window that does not wrap midnight, and no window at all", () => {
    expect(quietHoursEnd(at("2026-11-24T12:30:00Z"), "UTC", 12 * 60, 14 * 60)?.toISOString()).toBe("2026-11-24T14:00:00.000Z");
    expect(quietHoursEnd(at("2026-11-24T23:30:00Z"), "UTC", null, null)).toBeNull();
  });
});

describe("decideSend", () => {
  const facts = { marketingState: "SUBSCRIBED", suppressed: false, lastMarketingEmailAt: null };
  const noon = at("2026-11-24T17:00:00Z");
  it("applies consent, suppression, quiet hours and smart sending in that order", () => {
    expect(decideSend(DEFAULT_SENDING_RULES, facts, noon, "America/New_York")).toEqual({ action: "send" });
    expect(decideSend(DEFAULT_SENDING_RULES, { ...facts, marketingState: "NOT_SUBSCRIBED", suppressed: true }, noon, "UTC")).toMatchObject({ reason: "no_consent" });
    expect(decideSend({ ...DEFAULT_SENDING_RULES, requireConsent: false }, { ...facts, marketingState: null }, noon, "America/New_York")).toEqual({ action: "send" });
    expect(decideSend(DEFAULT_SENDING_RULES, { ...facts, suppressed: true }, noon, "UTC")).toMatchObject({ reason: "suppressed" });
    expect(decideSend(DEFAULT_SENDING_RULES, { ...facts, lastMarketingEmailAt: at("2026-11-24T02:00:00Z") }, noon, "America/New_York")).toMatchObject({ reason: "smart_sending" });
    expect(decideSend(DEFAULT_SENDING_RULES, { ...facts, lastMarketingEmailAt: at("2026-11-24T00:59:00Z") }, noon, "America/New_York")).toEqual({ action: "send" });
    expect(decideSend({ ...DEFAULT_SENDING_RULES, smartSendingHours: 0 }, { ...facts, lastMarketingEmailAt: noon }, noon, "America/New_York")).toEqual({ action: "send" });
  });
});

describe("settings form", () => {
  const valid = {
    fromName: "Widget Co", replyTo: "help@widget.example", accentColor: "#112233", logoUrl: "", requireConsent: "true",
    quietHoursEnabled: "true", quietHoursStart: "21:00", quietHoursEnd: "08:00", smartSendingHours: "16", clickAttributionDays: "5",
  };
  const errors = (input: Record<string, string | undefined>) => {
    const result = emailSettingsForm.safeParse(input);
    return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path[0], i.message]));
  };
  it("accepts sensible settings and refuses bad ones with a message on the field", () => {
    expect(errors(valid)).toEqual({});
    expect(errors({ ...valid, accentColor: "blue" })).toHaveProperty("accentColor");
    expect(errors({ ...valid, replyTo: "not-an-email" })).toHaveProperty("replyTo");
    expect(errors({ ...valid, logoUrl: "http://insecure.example/logo.png" })).toHaveProperty("logoUrl");
    expect(errors({ ...valid, quietHoursStart: "25:00" })).toHaveProperty("quietHoursStart");
    expect(errors({ ...valid, quietHoursEnd: "21:00" })).toHaveProperty("quietHoursEnd");
    expect(errors({ ...valid, smartSendingHours: "-1" })).toHaveProperty("smartSendingHours");
    expect(errors({ ...valid, smartSendingHours: "1.5" })).toHaveProperty("smartSendingHours");
    expect(errors({ ...valid, clickAttributionDays: "0" })).toHaveProperty("clickAttributionDays");
    // Quiet hours off: the disabled time fields are not posted at all.
    expect(errors({ ...valid, quietHoursEnabled: "false", quietHoursStart: undefined, quietHoursEnd: undefined })).toEqual({});
  });
});

describe("isLikelyPrefetch", () => {
  it("flags proxies, scanners and prefetches, not browsers", () => {
    const h = (headers: Record<string, string>) => new Headers(headers);
    expect(isLikelyPrefetch(h({ "user-agent": "Mozilla/5.0" }))).toBe(true); // Apple Mail Privacy Protection
    expect(isLikelyPrefetch(h({ "user-agent": "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)" }))).toBe(true);
    expect(isLikelyPrefetch(h({}))).toBe(true);
    expect(isLikelyPrefetch(h({ "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "sec-purpose": "prefetch" }))).toBe(true);
    expect(isLikelyPrefetch(h({ "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1" }))).toBe(false);
  });
});
