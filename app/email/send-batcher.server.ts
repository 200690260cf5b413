import { createMicroBatcher, type MicroBatcherOptions } from "../jobs/micro-batcher";
import { sendMarketingEmailBatch, type MarketingEmailRequest, type SendResult } from "./outbound.server";

/**
 * Gathers the marketing emails that jobs in this process want to send at about the
 * same moment and sends them through sendMarketingEmailBatch, so messages whose
 * content is the same apart from per-recipient links go to SendGrid as one request
 * with personalizations. Each caller still gets its own result (or error) and
 * keeps its own idempotency key, so retries and crashes behave exactly as for a
 * single send.
 */
export function createSendBatcher(options: Pick<MicroBatcherOptions<MarketingEmailRequest>, "lingerMs" | "maxBatch">, sendBatch = sendMarketingEmailBatch) {
  const batcher = createMicroBatcher<MarketingEmailRequest, SendResult>(options, sendBatch);
  return { send: (request: MarketingEmailRequest) => batcher.submit(request), flush: batcher.flush };
}

/** The process-wide batcher flows send through. */
export const flowEmailBatcher = createSendBatcher({
  lingerMs: Number(process.env.EMAIL_BATCH_LINGER_MS ?? 25),
  maxBatch: Number(process.env.EMAIL_BATCH_MAX ?? 200),
});
