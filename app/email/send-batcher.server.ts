import { sendMarketingEmailBatch, type MarketingEmailRequest, type SendResult } from "./outbound.server";

/**
 * Gathers the marketing emails that jobs in this process want to send at about the
 * same moment and sends them through sendMarketingEmailBatch, so messages whose
 * content is the same apart from per-recipient links go to SendGrid as one request
 * with personalizations. Each caller still gets its own result (or error) and
 * keeps its own idempotency key, so retries and crashes behave exactly as for a
 * single send. A batch leaves after `lingerMs` or when it is full.
 */
export interface SendBatcherOptions {
  /** How long the first email of a batch waits for others. */
  lingerMs: number;
  /** Send at once when this many are waiting. */
  maxBatch: number;
}

interface Waiting {
  request: MarketingEmailRequest;
  resolve: (result: SendResult) => void;
  reject: (error: unknown) => void;
}

export function createSendBatcher(options: SendBatcherOptions, sendBatch = sendMarketingEmailBatch) {
  let waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = waiting;
    waiting = [];
    if (!batch.length) return;
    sendBatch(batch.map((item) => item.request)).then(
      (results) =>
        batch.forEach((item, index) => {
          const result = results[index];
          if (result instanceof Error) item.reject(result);
          else item.resolve(result);
        }),
      (error) => batch.forEach((item) => item.reject(error)),
    );
  };

  return {
    send(request: MarketingEmailRequest): Promise<SendResult> {
      return new Promise<SendResult>((resolve, reject) => {
        waiting.push({ request, resolve, reject });
        if (waiting.length >= options.maxBatch) flush();
        else if (!timer) timer = setTimeout(flush, options.lingerMs);
      });
    },
    /** Sends what is waiting now (tests, shutdown). */
    flush,
  };
}

/** The process-wide batcher flows send through. */
export const flowEmailBatcher = createSendBatcher({
  lingerMs: Number(process.env.EMAIL_BATCH_LINGER_MS ?? 25),
  maxBatch: Number(process.env.EMAIL_BATCH_MAX ?? 200),
});
