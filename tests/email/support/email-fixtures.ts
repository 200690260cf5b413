import { randomUUID } from "node:crypto";
import type { MarketingEmailRequest, RenderContext } from "../../../app/email/outbound.server";

/** A customer row with the given marketing state (what Shopify's consent webhook leaves). */
export async function customer(shop: string, id: string, email: string, state = "SUBSCRIBED") {
  const { default: prisma } = await import("../../../app/db.server");
  await prisma.customer.upsert({
    where: { shop_id: { shop, id } },
    create: { shop, id, email, emailMarketingState: state, firstName: "Ada" },
    update: { email, emailMarketingState: state },
  });
}

/** A small template that uses every part of the render context, the way real templates do. */
export async function renderSimple(ctx: RenderContext) {
  const cta = ctx.linkWrapper("https://shop.example/checkouts/abc/recover?key=1&x=2", "cta");
  const item = ctx.linkWrapper("https://shop.example/products/widget", "item-1");
  return {
    subject: "You left something behind",
    previewText: "Your cart is waiting",
    html: `<html><body><p>Hi!</p><a href="${cta}">Finish checkout</a> <a href="${item}">Widget</a>
      <p><a href="${ctx.unsubscribeUrl}">Unsubscribe</a></p><img src="${ctx.openPixelUrl}" width="1" height="1" alt=""></body></html>`,
    text: `Hi!\nFinish checkout: ${cta}\nWidget: ${item}\nUnsubscribe: ${ctx.unsubscribeUrl}\n`,
  };
}

export function sendRequest(shop: string, overrides: Partial<MarketingEmailRequest> = {}): MarketingEmailRequest {
  const flowRunId = overrides.flowRunId ?? randomUUID();
  const stepKey = overrides.stepKey ?? "email-1";
  return {
    shop,
    sendKey: `${flowRunId}:${stepKey}`,
    flowId: "abandoned-checkout",
    flowRunId,
    stepKey,
    customerId: null,
    email: "ada@example.com",
    locale: "en",
    marketing: true,
    render: renderSimple,
    now: new Date("2026-11-24T17:00:00Z"), // 12:00 in New York: outside the default quiet hours
    ...overrides,
  };
}

export function useSendgrid(fake: { url: string; apiKey: string }) {
  process.env.SENDGRID_API_KEY = fake.apiKey;
  process.env.SENDGRID_API_ORIGIN = fake.url;
}
export function useCaptureMode() {
  delete process.env.SENDGRID_API_KEY;
  delete process.env.SENDGRID_API_ORIGIN;
}
