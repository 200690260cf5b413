import { render } from "@react-email/render";
import { EmailHtml } from "./email-html";
import { renderEmailText } from "./email-text";
import { buildEmailDocument } from "./model";
import type { AbandonedCheckoutEmailInput, CrossSellEmailInput, EmailInput, FlowEmailInput, RenderedEmail, ReviewRequestEmailInput } from "./types";

/**
 * Renders any email to subject, preview text, responsive HTML and a text part.
 * Pure: no I/O, no clock, no environment; the same input gives the same output
 * (links come from the caller's `linkWrapper`). Throws TypeError on unusable input.
 */
export async function renderEmail(input: EmailInput): Promise<RenderedEmail> {
  const doc = buildEmailDocument(input);
  const html = await render(<EmailHtml doc={doc} />);
  return { locale: doc.locale, subject: doc.subject, previewText: doc.previewText, html, text: renderEmailText(doc), links: doc.links };
}

export const renderAbandonedCheckoutEmail = (input: Omit<AbandonedCheckoutEmailInput, "template">) => renderEmail({ ...input, template: "abandoned_checkout" });
export const renderCrossSellEmail = (input: Omit<CrossSellEmailInput, "template">) => renderEmail({ ...input, template: "cross_sell" });
export const renderReviewRequestEmail = (input: Omit<ReviewRequestEmailInput, "template">) => renderEmail({ ...input, template: "review_request" });
export const renderTestSendEmail = (email: FlowEmailInput) => renderEmail({ template: "test_send", email });
