export { renderAbandonedCheckoutEmail, renderCrossSellEmail, renderEmail, renderReviewRequestEmail, renderTestSendEmail } from "./render";
export { buildEmailDocument, DEFAULT_ACCENT_COLOR, formatMinorUnits, normalizeAccentColor, resolveCopy, type EmailDocument } from "./model";
export type * from "./types";
