/**
 * One worker of the crash test: sends every planned (recipient, step) through the real
 * sendMarketingEmail / sendMarketingEmailBatch against the SendGrid fake, in a random
 * order, as a job would (a RetryableSendError is left for a later run). The parent kills
 * it with SIGKILL at random moments and starts another.
 * Env: DATABASE_URL, SENDGRID_API_KEY, SENDGRID_API_ORIGIN, CRASH_SHOP, CRASH_RECIPIENTS, CRASH_STEPS, CRASH_MODE=single|batch.
 */
import { RetryableSendError, sendMarketingEmail, sendMarketingEmailBatch, type MarketingEmailRequest, type RenderContext } from "../../../app/email/outbound.server";

const shop = process.env.CRASH_SHOP!;
const recipients = Number(process.env.CRASH_RECIPIENTS);
const steps = Number(process.env.CRASH_STEPS);
const mode = process.env.CRASH_MODE ?? "single";

const render = async (ctx: RenderContext) => ({
  subject: "Your cart is waiting",
  html: `<p>Hello</p><a href="${ctx.linkWrapper("https://shop.example/cart", "cta")}">Back to cart</a><a href="${ctx.unsubscribeUrl}">Unsubscribe</a><img src="${ctx.openPixelUrl}">`,
  text: `Hello\n${ctx.linkWrapper("https://shop.example/cart", "cta")}\n`,
});

const plan: MarketingEmailRequest[] = [];
for (let r = 0; r < recipients; r++) {
  for (let s = 1; s <= steps; s++) {
    const flowRunId = `run-${r}`;
    plan.push({
      shop, sendKey: `${flowRunId}:email-${s}`, flowId: "abandoned-checkout", flowRunId, stepKey: `email-${s}`,
      customerId: `c${r}`, email: `person${r}@example.com`, locale: "en", marketing: true, render,
    });
  }
}
plan.sort(() => Math.random() - 0.5);

const counts: Record<string, number> = {};
const note = (status: string) => (counts[status] = (counts[status] ?? 0) + 1);
process.stdout.write("ready\n");

if (mode === "batch") {
  for (let i = 0; i < plan.length; i += 25) {
    const results = await sendMarketingEmailBatch(plan.slice(i, i + 25));
    for (const result of results) note(result instanceof Error ? (result instanceof RetryableSendError ? "retry" : "error") : result.status);
  }
} else {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < plan.length) {
        const request = plan[next++];
        try {
          note((await sendMarketingEmail(request)).status);
        } catch (error) {
          note(error instanceof RetryableSendError ? "retry" : "error");
          if (!(error instanceof RetryableSendError)) console.error(error);
        }
      }
    }),
  );
}
process.stdout.write(`done ${JSON.stringify(counts)}\n`);
process.exit(0);
