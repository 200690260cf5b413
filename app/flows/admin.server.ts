import { randomUUID } from "node:crypto";
import prisma from "../db.server";
import { RetryableSendError, sendMarketingEmail, type MarketingEmailRequest } from "../email/outbound.server";
import { markClaimedFailed } from "../email/ledger.server";
import { getEmailSettings } from "../email/settings.server";
import { renderMarketingEmail, type EmailItem } from "../email/templates/marketing-email";
import { DEFAULT_COPY, type EmailLocale, type MessageCopy } from "../email/templates/copy";
import { getFlow, saveFlow } from "./abandoned-checkout.server";
import { ABANDONED_CHECKOUT, checkboxTicked, settingsFromForm } from "./settings";
import { flowFigures } from "./cross-sell-admin.server";
import { emailStatusLabel, withReason } from "./labels";

/** What the flow page shows: settings, figures, recent runs and a live preview. */
export async function loadFlowPage(shop: string, previewStep: number, previewLocale: EmailLocale) {
  const { enabled, settings } = await getFlow(shop);
  const [runs, figures] = await Promise.all([
    prisma.flowRun.findMany({ where: { shop, flowKey: ABANDONED_CHECKOUT }, orderBy: { startedAt: "desc" }, take: 25, include: { steps: true } }),
    flowFigures(shop, ABANDONED_CHECKOUT),
  ]);
  return {
    enabled,
    settings,
    figures,
    runs: runs.map((run) => ({
      id: run.id,
      email: run.email,
      state: run.state,
      exitReason: run.exitReason,
      startedAt: run.startedAt,
      revenueMinor: run.revenueMinor,
      currency: run.currency,
      steps: run.steps.map((step) => ({ key: step.stepKey, status: step.status, reason: step.reason })),
    })),
    preview: await renderPreview(shop, previewStep, previewLocale),
  };
}

/** The real email for a step, with the shop's real products (its latest open checkout, or its best sellers). */
export async function renderPreview(shop: string, stepIndex: number, locale: EmailLocale, settingsOverride?: Awaited<ReturnType<typeof getFlow>>["settings"]) {
  const settings = settingsOverride ?? (await getFlow(shop)).settings;
  const step = settings.steps[stepIndex] ?? settings.steps[0];
  const [shopRow, emailSettings, products] = await Promise.all([
    prisma.shop.findUnique({ where: { domain: shop } }),
    getEmailSettings(shop),
    prisma.product.findMany({ where: { shop, status: "active", available: true, deletedAt: null }, take: 3, orderBy: { title: "asc" } }),
  ]);
  const items: EmailItem[] = products.map((product) => ({
    title: product.title,
    imageUrl: product.imageUrl,
    quantity: 1,
    unitPriceMinor: product.priceMinor,
    currency: product.currency ?? shopRow?.currency ?? "USD",
    url: product.url ?? `https://${shop}/products/${product.handle}`,
  }));
  const rendered = await renderMarketingEmail({
    locale,
    copy: (step.copy[locale] ?? DEFAULT_COPY.abandoned_1[locale]) as MessageCopy,
    shop: { name: shopRow?.name ?? shop, address: shopRow?.address ?? null, accentColor: emailSettings.accentColor, logoUrl: emailSettings.logoUrl },
    firstName: null,
    items,
    cta: { url: `https://${shop}/cart` },
    discount: step.discount?.enabled ? { code: "BACK-PREVIEW", percent: step.discount.percent, hours: step.discount.expiresHours, expiresAt: new Date(Date.now() + step.discount.expiresHours * 3600_000) } : null,
    linkWrapper: (url) => url,
    unsubscribeUrl: "#unsubscribe",
    timeZone: shopRow?.timezone ?? "UTC",
  });
  return { subject: rendered.subject, html: rendered.html, text: rendered.text };
}

export async function saveFlowForm(shop: string, form: FormData) {
  const { settings } = await getFlow(shop);
  const enabled = checkboxTicked(form, "enabled");
  const result = settingsFromForm(form, settings);
  if (!result.ok) return { ok: false as const, errors: result.errors };
  await saveFlow(shop, enabled, result.settings);
  return { ok: true as const, errors: {} as Record<string, string> };
}

/** What a merchant can make of a refusal of the email service (the fix is the operator's, or time). */
function refusalInWords(statusCode: number | null): string {
  if (statusCode === 401 || statusCode === 403) return `the email service (SendGrid) refused Pathwise's sending account (${statusCode}), a setting of whoever runs Pathwise. Flow emails are held and sent once it is fixed.`;
  return `the email service (SendGrid) did not take the email just now${statusCode ? ` (${statusCode})` : ""}. Try again in a few minutes.`;
}

/** "Send me a test": the real email to the shop's own address, through the same sending path. */
export async function sendTestEmail(shop: string, stepIndex: number, locale: EmailLocale) {
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop } });
  if (!shopRow?.email) return { ok: false as const, message: "Your store has no contact email to send the test to." };
  const preview = await renderPreview(shop, stepIndex, locale);
  const runId = `test-${randomUUID()}`;
  const request: MarketingEmailRequest = {
    shop,
    sendKey: `${runId}:test`,
    flowId: `${ABANDONED_CHECKOUT}:test`,
    flowRunId: runId,
    stepKey: "test",
    customerId: null,
    email: shopRow.email,
    locale,
    marketing: true,
    merchantTest: true,
    render: async () => ({ subject: `[Test] ${preview.subject}`, html: preview.html, text: preview.text }),
  };
  let result: Awaited<ReturnType<typeof sendMarketingEmail>>;
  try {
    result = await sendMarketingEmail(request);
  } catch (error) {
    // A flow's email waits out a refusal and is retried; the merchant's test is not: say why and close its row.
    if (!(error instanceof RetryableSendError)) throw error;
    await markClaimedFailed(error.messageId, error.message);
    return { ok: false as const, message: `Test email to ${shopRow.email}: not sent: ${refusalInWords(error.statusCode)}` };
  }
  return { ok: result.status === "sent" || result.status === "captured", message: `Test email to ${shopRow.email}: ${withReason(emailStatusLabel(result.status).toLowerCase(), "reason" in result ? result.reason : null)}` };
}
