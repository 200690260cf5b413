import { describe, expect, it } from "vitest";
import { COPY_KEYS, DEFAULT_MESSAGES, EMAIL_LOCALES, formattingLocale, interpolate, resolveEmailLocale, UI_STRINGS, unknownPlaceholders } from ".";

describe("resolveEmailLocale", () => {
  it("takes the language of the customer's locale in any common spelling", () => {
    expect(resolveEmailLocale("ko", "en")).toBe("ko");
    expect(resolveEmailLocale("ko-KR", "en")).toBe("ko");
    expect(resolveEmailLocale("th-TH", "en")).toBe("th");
    expect(resolveEmailLocale("TH_th", "en")).toBe("th");
    expect(resolveEmailLocale("en-US", "ko")).toBe("en");
  });
  it("falls back to the shop's primary locale, then English", () => {
    expect(resolveEmailLocale("fr-FR", "th")).toBe("th");
    expect(resolveEmailLocale(null, "ko-KR")).toBe("ko");
    expect(resolveEmailLocale(undefined, "de")).toBe("en");
    expect(resolveEmailLocale("", "")).toBe("en");
    expect(resolveEmailLocale("kor", null)).toBe("en"); // not a prefix match
  });
  it("keeps a valid regional tag for number and date formatting", () => {
    expect(formattingLocale("en-GB", "en")).toBe("en-GB");
    expect(formattingLocale("ko_KR", "ko")).toBe("ko-KR");
    expect(formattingLocale("fr-FR", "en")).toBe("en"); // a language we did not pick
    expect(formattingLocale("not a tag", "th")).toBe("th");
  });
});

describe("interpolate", () => {
  it("fills known placeholders, tolerates spaces and blanks unknown ones", () => {
    expect(interpolate("Hi {{first_name}}, {{ shop_name }}! {{nope}}", { first_name: "Ann", shop_name: "Cake Co" })).toBe("Hi Ann, Cake Co! ");
    expect(interpolate("{{discount_percent}}% off {{discount_code}}", { discount_percent: 15, discount_code: "SAVE15" })).toBe("15% off SAVE15");
  });
  it("does not re-interpolate values (a customer cannot inject placeholders)", () => {
    expect(interpolate("Hi {{first_name}}", { first_name: "{{shop_name}}", shop_name: "X" })).toBe("Hi {{shop_name}}");
  });
  it("reports placeholders merchants may not use", () => {
    expect(unknownPlaceholders("{{first_name}} {{price}} {{ Shop_Name }}")).toEqual(["price"]);
  });
});

describe("default copy", () => {
  it("has every field of every template in English, Korean and Thai, with only known placeholders", () => {
    for (const key of COPY_KEYS) {
      for (const locale of EMAIL_LOCALES) {
        const copy = DEFAULT_MESSAGES[key][locale];
        for (const field of ["subject", "previewText", "heading", "body"] as const) {
          expect(copy[field].trim(), `${key}.${locale}.${field}`).not.toBe("");
          expect(unknownPlaceholders(copy[field]), `${key}.${locale}.${field}`).toEqual([]);
        }
      }
    }
  });
  it("is really written in each language", () => {
    const hangul = /[\uac00-\ud7a3]/;
    const thai = /[\u0e00-\u0e7f]/;
    for (const key of COPY_KEYS) {
      expect(DEFAULT_MESSAGES[key].ko.body).toMatch(hangul);
      expect(DEFAULT_MESSAGES[key].th.body).toMatch(thai);
      expect(DEFAULT_MESSAGES[key].en.body).not.toMatch(hangul);
    }
    for (const field of ["unsubscribe", "footerMarketing", "writeReview", "returnToCart"] as const) {
      expect(UI_STRINGS.ko[field]).toMatch(hangul);
      expect(UI_STRINGS.th[field]).toMatch(thai);
    }
  });
  it("keeps the discount placeholders out of the copy used without a discount", () => {
    for (const key of ["abandoned_checkout_1", "abandoned_checkout_2", "abandoned_checkout_3"] as const) {
      for (const locale of EMAIL_LOCALES) expect(JSON.stringify(DEFAULT_MESSAGES[key][locale])).not.toContain("discount_");
    }
  });
});
