import { describe, expect, it } from "vitest";
import { formatMinorUnits, normalizeAccentColor, renderEmail, type AbandonedCheckoutEmailInput, type CrossSellEmailInput, type ReviewRequestEmailInput, type ShopBranding } from ".";

const shop: ShopBranding = {
  name: "Confetti & Co",
  logoUrl: "https://cdn.example.com/logo.png",
  accentColor: "#E4572E",
  address: "120 Balloon Street, Springfield, IL 62701, USA",
  primaryLocale: "en",
  currency: "USD",
  timeZone: "America/Chicago",
};

/** A recognisable wrapper so every wrapped link can be told apart from a raw one. */
const wrap = (url: string, linkId: string) => `https://app.pathwise.test/t/c/${linkId}.${Buffer.from(url).toString("base64url")}`;
const unwrap = (href: string) => {
  const match = /^https:\/\/app\.pathwise\.test\/t\/c\/([\w-]+)\.([\w-]+)$/.exec(href.replace(/&amp;/g, "&"));
  return match ? { linkId: match[1], url: Buffer.from(match[2], "base64url").toString() } : null;
};
const UNSUBSCRIBE = "https://app.pathwise.test/u/unsub-token?x=1";
const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, "&"));

function abandoned(overrides: Partial<AbandonedCheckoutEmailInput> = {}): AbandonedCheckoutEmailInput {
  return {
    template: "abandoned_checkout",
    step: 1,
    shop,
    customer: { firstName: "Ann", locale: "en-US" },
    items: [
      { title: "Gold Number Balloons", variantTitle: "3", imageUrl: "https://cdn.example.com/balloons.png", quantity: 2, unitPriceMinor: 1299, currency: "USD", url: "https://confetti.example/products/balloons" },
      { title: "Party Hats (8)", variantTitle: "Default Title", imageUrl: null, quantity: 1, unitPriceMinor: 450, currency: "USD" },
    ],
    recoveryUrl: "https://confetti.example/checkouts/abc/recover?key=k1&utm_source=pathwise",
    unsubscribeUrl: UNSUBSCRIBE,
    preferencesUrl: "https://app.pathwise.test/preferences/tok",
    openPixelUrl: "https://app.pathwise.test/t/o/pixel.gif",
    linkWrapper: wrap,
    ...overrides,
  };
}

describe("abandoned checkout email", () => {
  it("routes the recovery URL and every product link through the link wrapper, and nothing else but unsubscribe", async () => {
    const calls: Array<[string, string]> = [];
    const email = await renderEmail(abandoned({ linkWrapper: (url, id) => (calls.push([url, id]), wrap(url, id)) }));
    const links = hrefs(email.html);
    expect(links).toContain(wrap("https://confetti.example/checkouts/abc/recover?key=k1&utm_source=pathwise", "recover"));
    for (const href of links) {
      if (href === UNSUBSCRIBE) continue;
      expect(unwrap(href), href).not.toBeNull();
    }
    expect(links).toContain(UNSUBSCRIBE); // as-is
    expect(links.some((h) => h.startsWith("https://confetti.example"))).toBe(false); // no raw target anywhere
    expect(calls.map(([, id]) => id).sort()).toEqual(["item-1", "preferences", "recover"]);
    expect(email.links.map((l) => l.linkId).sort()).toEqual(["item-1", "preferences", "recover"]);
    // The text part carries the same wrapped links.
    expect(email.text).toContain(wrap("https://confetti.example/checkouts/abc/recover?key=k1&utm_source=pathwise", "recover"));
    expect(email.text).not.toContain("https://confetti.example/checkouts");
  });

  it("has items, quantities and prices in both parts, and the English default copy", async () => {
    const email = await renderEmail(abandoned());
    expect(email.locale).toBe("en");
    expect(email.subject).toBe("You left something in your cart");
    for (const part of [email.html, email.text]) {
      expect(part).toContain("Gold Number Balloons");
      expect(part).toContain("2 × $12.99");
      expect(part).toContain("Party Hats (8)");
      expect(part).toContain("1 × $4.50");
      expect(part).toContain("Hi Ann, we saved the items in your cart at Confetti");
    }
    expect(email.text).toMatch(/- Gold Number Balloons \(3\)\n {2}2 × \$12\.99/);
    expect(email.text).not.toContain("Default Title");
    expect(email.html).toContain("Return to your cart");
  });

  it("puts the shop's address, the reason and the unsubscribe link in the footer of both parts", async () => {
    const email = await renderEmail(abandoned());
    const footerHtml = email.html.slice(email.html.indexOf("<hr"));
    expect(footerHtml).toContain("120 Balloon Street, Springfield, IL 62701, USA");
    expect(footerHtml).toContain(`href="${UNSUBSCRIBE.replace("&", "&amp;")}"`);
    expect(footerHtml).toContain(">Unsubscribe</a>");
    expect(footerHtml).toContain("You are receiving this email because you subscribed to marketing emails from Confetti &amp; Co.");
    const footerText = email.text.slice(email.text.lastIndexOf("--\n"));
    expect(footerText).toContain("Confetti & Co · 120 Balloon Street, Springfield, IL 62701, USA");
    expect(footerText).toContain(`Unsubscribe: ${UNSUBSCRIBE}`);
    expect(footerText).toContain("Manage email preferences: https://app.pathwise.test/t/c/preferences.");
  });

  it("selects Korean copy for ko-KR and formats KRW without decimals", async () => {
    const email = await renderEmail(
      abandoned({
        shop: { ...shop, currency: "KRW" },
        customer: { firstName: "민수", locale: "ko-KR" },
        items: [{ title: "풍선 세트", quantity: 3, unitPriceMinor: 15000, currency: "KRW", url: "https://confetti.example/p/1" }],
      }),
    );
    expect(email.locale).toBe("ko");
    expect(email.subject).toBe("장바구니에 담아 두신 상품이 있어요");
    expect(email.html).toContain('lang="ko"');
    expect(email.html).toContain("민수님, 잊으신 건 없나요?");
    expect(email.html).toContain("장바구니로 돌아가기");
    expect(email.html).toContain("수신 거부");
    expect(email.text).toContain("3개 × ₩15,000");
    expect(email.text).not.toMatch(/₩15,000\.00|₩150\.00/);
  });

  it("selects Thai copy for th-TH, with the polite form when the name is unknown", async () => {
    const email = await renderEmail(abandoned({ step: 3, shop: { ...shop, currency: "THB" }, customer: { firstName: null, locale: "th-TH" }, items: [{ title: "หมวกปาร์ตี้", quantity: 1, unitPriceMinor: 12950, currency: "THB" }] }));
    expect(email.locale).toBe("th");
    expect(email.subject).toBe("โอกาสสุดท้ายก่อนตะกร้าของคุณหมดอายุ");
    expect(email.text).toContain("คุณลูกค้า สินค้าที่คุณเลือกไว้ที่ Confetti & Co");
    expect(email.text).toContain("฿129.50");
    expect(email.html).toContain("ยกเลิกการรับอีเมล");
  });

  it("falls back to the shop's primary locale, then English", async () => {
    expect((await renderEmail(abandoned({ customer: { locale: "fr-FR" }, shop: { ...shop, primaryLocale: "ko" } }))).locale).toBe("ko");
    const english = await renderEmail(abandoned({ customer: { locale: "de" }, shop: { ...shop, primaryLocale: "de" } }));
    expect(english.locale).toBe("en");
    expect(english.text).toContain("Hi there,");
  });

  it("shows the discount code block at step 2 with percentage and expiry in the shop's zone", async () => {
    const email = await renderEmail(abandoned({ step: 2, discount: { code: "COMEBACK-7KQ2", percentage: 15, expiresAt: new Date("2026-03-01T18:30:00Z") } }));
    expect(email.subject).toBe("Still deciding? Here's 15% off");
    for (const part of [email.html, email.text]) {
      expect(part).toContain("COMEBACK-7KQ2");
      expect(part).toContain("15% off your order");
      expect(part).toContain("Expires Mar 1, 2026, 12:30 PM CST");
    }
    const noDiscount = await renderEmail(abandoned({ step: 2 }));
    expect(noDiscount.subject).toBe("Your cart is still waiting for you");
    expect(noDiscount.html).not.toContain("discount");
    expect(noDiscount.text).not.toContain("%");
  });

  it("applies merchant copy overrides per language, interpolated and escaped", async () => {
    const email = await renderEmail(
      abandoned({
        customer: { firstName: "<img src=x onerror=alert(1)>", locale: "ko" },
        copyOverrides: {
          en: { subject: "English override" },
          ko: { subject: "{{first_name}}님 {{shop_name}} 특가", heading: "<script>alert('x')</script> 안녕하세요", body: "첫 줄 <b>굵게</b>\n둘째 줄\n\n새 문단", previewText: "  " },
        },
      }),
    );
    expect(email.subject).toBe("<img src=x onerror=alert(1)>님 Confetti & Co 특가");
    expect(email.previewText).toBe("담아 두신 상품을 그대로 저장해 두었어요."); // blank override = default
    expect(email.html).not.toContain("<script>");
    expect(email.html).not.toContain("<b>");
    expect(email.html).not.toContain("<img src=x");
    expect(email.html).toContain("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; 안녕하세요");
    expect(email.html).toContain("첫 줄 &lt;b&gt;굵게&lt;/b&gt;</span><span><br/>둘째 줄");
    expect(email.html).toContain("새 문단");
    // The text part keeps the words and drops the markup.
    expect(email.text).toContain("alert('x') 안녕하세요");
    expect(email.text).toContain("첫 줄 굵게\n둘째 줄\n\n새 문단");
    expect(email.text).not.toMatch(/<\/?(script|b|img)\b/);
  });

  it("validates the accent colour and picks readable button text", async () => {
    expect(normalizeAccentColor("#ABC")).toBe("#aabbcc");
    expect(normalizeAccentColor("red; background:url(x)")).toBe("#1f6feb");
    const email = await renderEmail(abandoned({ shop: { ...shop, accentColor: "red;}</style><script>" } }));
    expect(email.html).toContain("background-color:#1f6feb");
    expect(email.html).not.toContain("<script>");
    const yellow = await renderEmail(abandoned({ shop: { ...shop, accentColor: "#ffdd00" } }));
    expect(yellow.html).toMatch(/background-color:#ffdd00;color:#111111/);
    const dark = await renderEmail(abandoned({ shop: { ...shop, accentColor: "#123456" } }));
    expect(dark.html).toMatch(/background-color:#123456;color:#ffffff/);
  });

  it("gives every image width, height and alt text, and only loads http(s) images", async () => {
    const email = await renderEmail(abandoned({ items: [{ title: "Cake", quantity: 1, unitPriceMinor: 100, currency: "USD", imageUrl: "javascript:alert(1)" }] }));
    const images = [...email.html.matchAll(/<img [^>]*>/g)].map((m) => m[0]);
    expect(images.length).toBe(2); // logo + open pixel
    for (const img of images) {
      expect(img).toMatch(/ width="\d+"/);
      expect(img).toMatch(/ height="\d+"/);
      expect(img).toMatch(/ alt="/);
    }
    expect(images[0]).toContain('alt="Confetti &amp; Co"');
    expect(images[1]).toContain('src="https://app.pathwise.test/t/o/pixel.gif"');
    expect(email.html).not.toContain("javascript:");
  });

  it("refuses input that would make a broken or non-compliant email", async () => {
    await expect(renderEmail(abandoned({ recoveryUrl: "javascript:alert(1)" }))).rejects.toThrow(/recoveryUrl/);
    await expect(renderEmail(abandoned({ shop: { ...shop, address: " " } }))).rejects.toThrow(/address/);
    await expect(renderEmail(abandoned({ unsubscribeUrl: "" }))).rejects.toThrow(/unsubscribeUrl/);
  });

  it("is a pure function of its input", async () => {
    expect(await renderEmail(abandoned())).toEqual(await renderEmail(abandoned()));
  });
});

describe("formatMinorUnits", () => {
  it("respects each currency's precision", () => {
    expect(formatMinorUnits(15000, "KRW", "ko-KR")).toBe("₩15,000");
    expect(formatMinorUnits(1500, "JPY", "en")).toBe("¥1,500");
    expect(formatMinorUnits(1999, "USD", "en-US")).toBe("$19.99");
    expect(formatMinorUnits(5, "USD", "en")).toBe("$0.05");
    expect(formatMinorUnits(-250, "EUR", "en")).toBe("-€2.50");
    expect(formatMinorUnits(1234, "KWD", "en")).toMatch(/^KWD\s1\.234$/); // three decimals
    expect(formatMinorUnits(900719925474099, "USD", "en")).toBe("$9,007,199,254,740.99"); // no float drift
    expect(() => formatMinorUnits(12.5, "USD", "en")).toThrow(/integer/);
  });
});

describe("cross-sell email", () => {
  const input = (overrides: Partial<CrossSellEmailInput> = {}): CrossSellEmailInput => ({
    template: "cross_sell",
    shop,
    customer: { firstName: "Somchai", locale: "th" },
    products: [
      { title: "Cake Topper", imageUrl: "https://cdn.example.com/topper.png", priceMinor: 35000, currency: "THB", url: "https://confetti.example/products/topper" },
      { title: "Candles", url: "https://confetti.example/products/candles", priceMinor: null },
    ],
    shopUrl: "https://confetti.example/",
    unsubscribeUrl: UNSUBSCRIBE,
    linkWrapper: wrap,
    ...overrides,
  });

  it("lists the recommended products with wrapped links and localized labels", async () => {
    const email = await renderEmail(input());
    expect(email.subject).toBe("สินค้าที่คุณอาจชอบ");
    expect(email.text).toContain("คุณSomchai ลูกค้าที่ซื้อสินค้าเดียวกับคุณที่ Confetti & Co");
    expect(email.text).toContain("฿350.00");
    expect(email.text).toContain(`ดูสินค้า: ${wrap("https://confetti.example/products/topper", "product-1")}`);
    expect(email.text).toContain(`ช้อปเลย: ${wrap("https://confetti.example/", "shop")}`);
    expect(email.links.map((l) => l.linkId)).toEqual(["product-1", "product-2", "shop"]);
    expect(hrefs(email.html).filter((h) => h !== UNSUBSCRIBE).every((h) => unwrap(h))).toBe(true);
    expect(email.html).toMatch(/<img alt="Cake Topper" height="120" src="https:\/\/cdn\.example\.com\/topper\.png"[^>]* width="120"\/>/);
  });
});

describe("review request email", () => {
  const input: ReviewRequestEmailInput = {
    template: "review_request",
    shop,
    customer: { firstName: "Ann", locale: "en" },
    products: [
      { title: "Gold Balloons", variantTitle: "Size 3", imageUrl: "https://cdn.example.com/b.png", reviewUrl: "https://reviews.example/write?product=1" },
      { title: "Party Hats", reviewUrl: "https://reviews.example/write?product=2" },
    ],
    unsubscribeUrl: UNSUBSCRIBE,
    linkWrapper: wrap,
  };

  it("has a wrapped 'Write a review' button per product and the order footer", async () => {
    const email = await renderEmail(input);
    expect(email.subject).toBe("How did we do? Review your order from Confetti & Co");
    expect(email.html.match(/>Write a review</g)?.length).toBe(2);
    expect(hrefs(email.html)).toContain(wrap("https://reviews.example/write?product=2", "review-2"));
    expect(email.text).toContain(`Write a review: ${wrap("https://reviews.example/write?product=1", "review-1")}`);
    expect(email.text).toContain("You are receiving this email because you placed an order with Confetti & Co.");
  });

  it("speaks Korean to a Korean customer", async () => {
    const email = await renderEmail({ ...input, customer: { locale: "ko-KR" } });
    expect(email.subject).toBe("Confetti & Co에서 주문하신 상품은 마음에 드셨나요?");
    expect(email.text).toContain("고객님, Confetti & Co에서 주문하신 상품은 잘 받으셨나요?");
    expect(email.html.match(/>리뷰 쓰기</g)?.length).toBe(2);
  });
});

describe("test send", () => {
  it("wraps a flow email with a localized banner and subject prefix", async () => {
    const email = await renderEmail({ template: "test_send", email: abandoned({ customer: { locale: "ko" } }) });
    expect(email.subject).toBe("[테스트] 장바구니에 담아 두신 상품이 있어요");
    expect(email.html).toContain("테스트 이메일입니다.");
    expect(email.text.startsWith("*** 테스트 이메일입니다.")).toBe(true);
    const english = await renderEmail({ template: "test_send", email: abandoned() });
    expect(english.subject).toBe("[Test] You left something in your cart");
  });
});
