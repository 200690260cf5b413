import type { EmailDocument } from "./model";

/**
 * The text/plain part, drawn from the same document as the HTML. Merchant and
 * customer text is plain already; HTML tags and comments typed into it are
 * dropped so the text part never carries markup ("Cake & <Co>" is kept: <Co> is
 * not an HTML element).
 */
const HTML_TAG =
  /<!--[\s\S]*?-->|<\/?(?:a|abbr|b|big|blockquote|body|br|button|center|code|del|div|em|embed|font|form|h[1-6]|head|hr|html|i|iframe|img|input|ins|label|li|link|mark|meta|object|ol|p|pre|s|script|small|span|strike|strong|style|sub|sup|svg|table|tbody|td|textarea|tfoot|th|thead|title|tr|u|ul)(?:\s[^<>]*)?\/?>/gi;

export function stripTags(text: string): string {
  return text.replace(HTML_TAG, "").replace(/ {2,}/g, " ");
}

export function renderEmailText(doc: EmailDocument): string {
  const out: string[] = [];
  const plain = (text: string) => stripTags(text).trim();
  const blank = () => {
    if (out.length && out[out.length - 1] !== "") out.push("");
  };

  if (doc.testBanner) {
    out.push(`*** ${plain(doc.testBanner)} ***`);
    blank();
  }
  out.push(plain(doc.shopName));
  blank();
  out.push(plain(doc.heading));
  blank();
  for (const lines of doc.paragraphs) {
    out.push(...lines.map(plain));
    blank();
  }
  if (doc.discount) {
    out.push(`${plain(doc.discount.label)}: ${plain(doc.discount.code)}`);
    out.push(plain(doc.discount.offer));
    if (doc.discount.expires) out.push(plain(doc.discount.expires));
    blank();
  }
  for (const section of doc.sections) {
    if (section.title) out.push(plain(section.title).toUpperCase());
    for (const row of section.rows) {
      out.push(`- ${plain(row.title)}${row.variantTitle ? ` (${plain(row.variantTitle)})` : ""}`);
      if (row.priceLine) out.push(`  ${plain(row.priceLine)}`);
      if (row.button) out.push(`  ${plain(row.button.label)}: ${row.button.href}`);
      else if (row.href) out.push(`  ${row.href}`);
    }
    blank();
  }
  if (doc.cta) {
    out.push(`${plain(doc.cta.label)}: ${doc.cta.href}`);
    blank();
  }
  out.push("--");
  out.push(plain(doc.footer.reason));
  out.push(plain(doc.footer.shopLine));
  out.push(`${plain(doc.footer.unsubscribe.label)}: ${doc.footer.unsubscribe.href}`);
  if (doc.footer.preferences) out.push(`${plain(doc.footer.preferences.label)}: ${doc.footer.preferences.href}`);
  return `${out.join("\n").trim()}\n`;
}
