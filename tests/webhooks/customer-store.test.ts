import { beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { installShop, samplePayload, deliverAndProcess } from "../support/shopify";

const SHOP = "customer-store.myshopify.com";

beforeAll(async () => {
  await installShop(SHOP);
});

const process = (topic: string, body: unknown, triggeredAt?: string) => deliverAndProcess({ shop: SHOP, topic, body, triggeredAt });

const customer = (id: number) => prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(id) } } });

describe.each(["", "2025-10"])("customer webhooks %s", (version) => {
  it("customers/update (which carries no locale) keeps the locale learned from an order's customer_locale", async () => {
    const id = 4_400 + (version ? 1 : 0);
    const update = samplePayload("customers/update", version || undefined);
    expect(update).not.toHaveProperty("locale");
    await process("orders/create", {
      ...samplePayload("orders/create"),
      id: 8_400_000 + id,
      customer: { id, email: "lena@example.com" },
      customer_locale: "de",
      updated_at: "2026-11-01T00:00:00Z",
    });
    expect((await customer(id)).locale).toBe("de");

    await process("customers/update", { ...update, id, first_name: "Lena", updated_at: "2026-11-02T00:00:00Z" });
    expect(await customer(id)).toMatchObject({ firstName: "Lena", locale: "de" });

    // A payload that does bring a locale still sets it.
    await process("customers/update", { ...update, id, locale: "fr", updated_at: "2026-11-03T00:00:00Z" });
    expect((await customer(id)).locale).toBe("fr");
  });
});

describe("customers_email_marketing_consent/update without consent_updated_at", () => {
  it("is ordered by the delivery's X-Shopify-Triggered-At: a late, older delivery does not win", async () => {
    const sample = samplePayload("customers_email_marketing_consent/update");
    expect(sample.email_marketing_consent.consent_updated_at).toBeNull();
    const id = 4_500;
    const consent = (state: string) => ({ ...sample, customer_id: id, email_address: "ana@example.com", email_marketing_consent: { ...sample.email_marketing_consent, state } });

    await process("customers_email_marketing_consent/update", consent("subscribed"), "2026-11-10T10:00:00Z");
    expect(await customer(id)).toMatchObject({ emailMarketingState: "SUBSCRIBED" });
    expect((await customer(id)).emailMarketingConsentAt?.toISOString()).toBe("2026-11-10T10:00:00.000Z");

    // Triggered earlier, delivered later (a retry): older than what we hold.
    await process("customers_email_marketing_consent/update", consent("unsubscribed"), "2026-11-09T10:00:00Z");
    expect((await customer(id)).emailMarketingState).toBe("SUBSCRIBED");

    // Triggered later: applied.
    await process("customers_email_marketing_consent/update", consent("unsubscribed"), "2026-11-11T10:00:00Z");
    expect((await customer(id)).emailMarketingState).toBe("UNSUBSCRIBED");
  });
});
