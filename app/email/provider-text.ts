/**
 * A provider's words (SendGrid's error bodies, an exception's message) as we keep them in
 * logs and on ledger rows: anything shaped like an email address or a SendGrid API key is
 * taken out. They can name the recipient or the operator's sender address, and ledger rows
 * outlive a customers/redact, which anonymises the row but keeps its error for the operator.
 */
export function withoutAddressesOrKeys(text: string): string {
  return text.replace(/[^\s"'<>()@]+@[^\s"'<>()]+/g, "<address>").replace(/\bSG\.[\w.-]+/g, "<api key>");
}
