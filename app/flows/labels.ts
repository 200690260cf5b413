/**
 * What the merchant reads for the codes flows and the send ledger store: flow
 * names, step keys, run states, step and email statuses, and exit/skip reasons.
 * One mapping, used by the flow pages, the outbox and home. Plain TypeScript:
 * it runs in the browser too. An unknown code is shown readable, never hidden.
 */

const FLOW_NAMES: Record<string, string> = {
  abandoned_checkout: "Abandoned checkout recovery",
  cross_sell: "Cross-sell: you might also like",
};

/** "abandoned_checkout" -> "Abandoned checkout recovery"; "abandoned_checkout:test" -> "… (test)". */
export function flowName(flowId: string): string {
  const [key, variant] = flowId.split(":");
  const name = FLOW_NAMES[key] ?? humanize(key);
  return variant === "test" ? `${name} (test)` : name;
}

/** "email_1" -> "Email 1", "email" -> "Email", "test" -> "Test email". */
export function stepLabel(stepKey: string): string {
  if (stepKey === "test") return "Test email";
  const numbered = /^email_(\d+)$/.exec(stepKey);
  if (numbered) return `Email ${numbered[1]}`;
  return humanize(stepKey);
}

const RUN_STATES: Record<string, string> = {
  waiting: "Waiting to send",
  sent: "Emailed",
  converted: "Converted",
  completed: "Finished",
  exited: "Stopped",
  skipped: "Not emailed",
  failed: "Failed",
};

/** A flow run's state, as a merchant would say it. */
export function runStateLabel(state: string): string {
  return RUN_STATES[state] ?? humanize(state);
}

export const RUN_STATE_TONE: Record<string, "success" | "info" | "attention" | "critical" | undefined> = {
  converted: "success",
  sent: "info",
  waiting: "attention",
  skipped: "critical",
};

const STATUSES: Record<string, string> = {
  claimed: "Queued",
  sending: "Sending",
  sent: "Sent",
  captured: "Captured (not sent)",
  skipped: "Not sent",
  deferred: "Delayed",
  failed: "Failed",
  uncertain: "Maybe sent",
};

/** The status of one email (a flow step or an outbox row). */
export function emailStatusLabel(status: string): string {
  return STATUSES[status] ?? humanize(status);
}

const REASONS: Record<string, string> = {
  no_consent: "the customer has not agreed to marketing email",
  suppressed: "the address unsubscribed, bounced or complained",
  smart_sending: "they got another email from Pathwise recently",
  quiet_hours: "waiting for quiet hours to end",
  no_email: "no email address",
  purchased: "the customer placed an order",
  purchased_before_email: "the customer ordered before any email was sent",
  purchased_without_email_attribution: "the customer ordered without clicking an email",
  purchased_credited_elsewhere: "the customer ordered; the order is credited to another of their recoveries",
  flow_turned_off: "the flow was turned off",
  shop_uninstalled: "Pathwise was uninstalled",
  no_more_steps: "no more emails to send",
  customer_redacted: "the customer's data was erased on request",
  order_cancelled: "the order was cancelled",
  order_deleted: "the order was deleted",
  order_refunded: "the order was refunded",
  no_recommendations: "nothing to recommend for this order yet",
  send_failed: "the email could not be sent",
  send_refused: "SendGrid refused to send it (its API key or sender; see the worker log): tried again for up to 72 hours",
  discount_code_taken: "its discount code already belonged to another discount in the store",
  uncertain: "the email provider did not confirm it",
  already_sent: "it had already been sent",
  ordered: "the customer placed an order",
};

/** Why a run stopped or an email was not sent: a plain-language phrase. */
export function reasonLabel(reason: string): string {
  return REASONS[reason] ?? (/^[a-z0-9_]+$/.test(reason) ? humanize(reason).toLowerCase() : reason);
}

/** "Not emailed: the customer has not agreed to marketing email". */
export function withReason(label: string, reason: string | null | undefined): string {
  return reason ? `${label}: ${reasonLabel(reason)}` : label;
}

function humanize(code: string): string {
  const words = code.replace(/[_/:-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : code;
}
