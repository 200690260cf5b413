import prisma from "../db.server";
import { markSkipped } from "../email/ledger.server";
import type { RetryableSendError } from "../email/outbound.server";

/**
 * When SendGrid refuses a flow's email (401/403: the key revoked or the sender unverified;
 * 429 or 5xx) nothing was accepted, and an outage can outlast the queue's attempts. The
 * step is tried again on its own timer without using an attempt, waiting as long as it has
 * been refused so far, at least a minute and at most an hour (or SendGrid's Retry-After,
 * within that hour). After REFUSED_GIVE_UP_MS the email is no use to the shopper any more.
 */
export const REFUSED_MIN_WAIT_MS = 60_000;
export const REFUSED_MAX_WAIT_MS = 3_600_000;
export const REFUSED_GIVE_UP_MS = 72 * 3_600_000;

export type RefusalPlan = { giveUp: true; refusedForMs: number } | { giveUp: false; refusedSince: Date; retryAt: Date };

export function planAfterRefusal(refusedSince: Date | null, now: Date, retryAfterSeconds: number | null): RefusalPlan {
  const since = refusedSince ?? now;
  const refusedForMs = now.getTime() - since.getTime();
  if (refusedForMs >= REFUSED_GIVE_UP_MS) return { giveUp: true, refusedForMs };
  const wait = Math.min(REFUSED_MAX_WAIT_MS, Math.max(REFUSED_MIN_WAIT_MS, refusedForMs, (retryAfterSeconds ?? 0) * 1000));
  return { giveUp: false, refusedSince: since, retryAt: new Date(now.getTime() + wait) };
}

/**
 * Gives up a refused email for good: its ledger row (claimed again after the refusal) is
 * marked skipped, so no later attempt can send it. A row no longer claimed was moved by
 * another attempt: the refusal is thrown, the queue retries and the ledger says what happened.
 */
export async function giveUpRefusedSend(what: string, refusal: RetryableSendError, refusedForMs: number): Promise<void> {
  console.warn(`[flows] ${what} not sent: SendGrid refused it for ${Math.round(refusedForMs / 3_600_000)} hours (${refusal.message})`);
  const message = await prisma.emailMessage.findUnique({ where: { id: refusal.messageId }, select: { id: true, attempts: true } });
  if (!message || !(await markSkipped(message.id, message.attempts, "send_refused"))) throw refusal;
}
