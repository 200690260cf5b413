import { Body, Button, Column, Container, Head, Heading, Hr, Html, Img, Link, Preview, Row, Section, Text } from "@react-email/components";
import { renderToStaticMarkup } from "react-dom/server";
import { formatMoney } from "../../money";
import { formatShopTime } from "../../shops/shop-time";
import { interpolate, UI_COPY, type EmailLocale, type MessageCopy } from "./copy";
import { HEX_COLOR } from "../colors";

/**
 * One responsive marketing email (React Email): the shop's logo and accent colour,
 * a heading and body, product cards with images, quantities and prices in the
 * shop's currency, an optional discount block, a call to action and a footer with
 * the shop's physical address and an unsubscribe link. Every product and CTA link
 * goes through `linkWrapper` (signed click tracking); React escapes all text.
 */
export interface EmailItem {
  title: string;
  variantTitle?: string | null;
  imageUrl?: string | null;
  quantity?: number;
  unitPriceMinor?: number | null;
  currency: string;
  url?: string | null;
}

export interface MarketingEmailInput {
  locale: EmailLocale;
  /** The shop's IANA time zone (RenderContext.timeZone when sending): every date in the email is shown in it, with its name. */
  timeZone: string;
  copy: MessageCopy;
  shop: { name: string; address: string | null; accentColor: string; logoUrl: string | null };
  firstName: string | null;
  items: EmailItem[];
  cta: { url: string; label?: string };
  /** hours: how long the code runs for, as the merchant set it ({{discount_hours}}); expiresAt: when it ends. */
  discount?: { code: string; percent: number; hours: number; expiresAt: Date } | null;
  linkWrapper: (url: string, linkId: string) => string;
  unsubscribeUrl: string;
  openPixelUrl?: string;
}

/**
 * A time as the shopper should read it: in the shop's zone, which the text names (a
 * shopper elsewhere can convert it), in the email's language - never the server's zone.
 */
function emailTime(date: Date, input: Pick<MarketingEmailInput, "timeZone" | "locale">): string {
  return formatShopTime(date, input.timeZone, input.locale);
}

function MarketingEmail(props: MarketingEmailInput & { values: Record<string, string | number> }) {
  const ui = UI_COPY[props.locale];
  const accent = HEX_COLOR.test(props.shop.accentColor) ? props.shop.accentColor : "#1a73e8";
  const text = (template: string) => interpolate(template, props.values);
  return (
    <Html lang={props.locale}>
      <Head />
      <Preview>{text(props.copy.previewText)}</Preview>
      <Body style={{ backgroundColor: "#f6f6f6", fontFamily: "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif", margin: 0, padding: "24px 0" }}>
        <Container style={{ backgroundColor: "#ffffff", maxWidth: "600px", padding: "32px", borderRadius: "8px" }}>
          {props.shop.logoUrl ? <Img src={props.shop.logoUrl} alt={props.shop.name} height="48" style={{ marginBottom: "16px" }} /> : <Text style={{ fontSize: "20px", fontWeight: 700, margin: "0 0 16px" }}>{props.shop.name}</Text>}
          <Heading as="h1" style={{ fontSize: "24px", margin: "0 0 12px" }}>{text(props.copy.heading)}</Heading>
          <Text style={{ fontSize: "16px", lineHeight: "24px", color: "#333333" }}>{text(props.copy.body)}</Text>
          {props.discount ? (
            <Section style={{ border: `2px dashed ${accent}`, borderRadius: "8px", padding: "16px", textAlign: "center", margin: "16px 0" }}>
              <Text style={{ margin: 0, fontSize: "14px", color: "#555555" }}>{ui.code}</Text>
              <Text style={{ margin: "4px 0", fontSize: "24px", fontWeight: 700, letterSpacing: "2px" }}>{props.discount.code}</Text>
              <Text style={{ margin: 0, fontSize: "13px", color: "#555555" }}>
                {props.discount.percent}% · {ui.expires} {emailTime(props.discount.expiresAt, props)}
              </Text>
            </Section>
          ) : null}
          {props.items.map((item, index) => (
            <Row key={index} style={{ borderTop: "1px solid #eeeeee", padding: "12px 0" }}>
              <Column style={{ width: "96px", verticalAlign: "top" }}>
                {item.imageUrl ? <Img src={item.imageUrl} alt={item.title} width="80" height="80" style={{ borderRadius: "6px", objectFit: "cover" }} /> : null}
              </Column>
              <Column style={{ verticalAlign: "top" }}>
                {item.url ? (
                  <Link href={props.linkWrapper(item.url, `item-${index + 1}`)} style={{ color: "#111111", fontWeight: 600, fontSize: "15px" }}>{item.title}</Link>
                ) : (
                  <Text style={{ margin: 0, fontWeight: 600, fontSize: "15px" }}>{item.title}</Text>
                )}
                {item.variantTitle && item.variantTitle !== "Default Title" ? <Text style={{ margin: "2px 0", color: "#666666", fontSize: "13px" }}>{item.variantTitle}</Text> : null}
                <Text style={{ margin: "2px 0", fontSize: "14px" }}>
                  {item.quantity ? `${ui.quantity} ${item.quantity} · ` : ""}
                  {item.unitPriceMinor !== null && item.unitPriceMinor !== undefined ? formatMoney(item.unitPriceMinor, item.currency, props.locale) : ""}
                </Text>
              </Column>
            </Row>
          ))}
          <Section style={{ textAlign: "center", margin: "24px 0 8px" }}>
            <Button href={props.linkWrapper(props.cta.url, "cta")} style={{ backgroundColor: accent, color: "#ffffff", padding: "14px 28px", borderRadius: "6px", fontWeight: 600, fontSize: "16px" }}>
              {props.cta.label ?? ui.cta}
            </Button>
          </Section>
          <Hr style={{ borderColor: "#eeeeee", margin: "24px 0" }} />
          <Text style={{ fontSize: "12px", color: "#777777", lineHeight: "18px" }}>
            {text(ui.footer)}
            <br />
            {props.shop.name}
            {props.shop.address ? ` · ${props.shop.address}` : ""}
            <br />
            <Link href={props.unsubscribeUrl} style={{ color: "#777777", textDecoration: "underline" }}>{ui.unsubscribe}</Link>
          </Text>
          {props.openPixelUrl ? <Img src={props.openPixelUrl} alt="" width="1" height="1" style={{ display: "block" }} /> : null}
        </Container>
      </Body>
    </Html>
  );
}

export async function renderMarketingEmail(input: MarketingEmailInput): Promise<{ subject: string; previewText: string; html: string; text: string }> {
  const values = {
    first_name: input.firstName ?? UI_COPY[input.locale].friend,
    shop_name: input.shop.name,
    discount_code: input.discount?.code ?? "",
    discount_percent: input.discount?.percent ?? "",
    discount_hours: input.discount?.hours ?? "",
  };
  // One signed link per target for both parts: the HTML and the text carry the same tracked URL.
  const links = new Map<string, string>();
  const linkWrapper = (url: string, linkId: string) => {
    const key = `${linkId}\u0000${url}`;
    let wrapped = links.get(key);
    if (wrapped === undefined) links.set(key, (wrapped = input.linkWrapper(url, linkId)));
    return wrapped;
  };
  const shared = { ...input, linkWrapper };
  const html = renderEmailDocument(<MarketingEmail {...shared} values={values} />);
  return { subject: interpolate(input.copy.subject, values), previewText: interpolate(input.copy.previewText, values), html, text: marketingEmailText(shared, values) };
}

/**
 * React Email's components rendered to the XHTML document email clients expect.
 * The same markup as @react-email/render's render(), without its per-call dynamic
 * import and stream: this template is synchronous, and a worker renders hundreds a second.
 */
function renderEmailDocument(element: React.ReactElement): string {
  return `${XHTML_DOCTYPE}${renderToStaticMarkup(element)}`;
}
const XHTML_DOCTYPE = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">';

/**
 * The plain-text part, written from the same data rather than converted from the
 * HTML: it reads better in text-only clients and costs a fraction of a second render.
 */
export function marketingEmailText(input: MarketingEmailInput, values: Record<string, string | number>): string {
  const ui = UI_COPY[input.locale];
  const text = (template: string) => interpolate(template, values);
  const blocks: string[] = [input.shop.name, text(input.copy.heading).toUpperCase(), text(input.copy.body)];
  if (input.discount) {
    blocks.push(`${ui.code}: ${input.discount.code}\n${input.discount.percent}% · ${ui.expires} ${emailTime(input.discount.expiresAt, input)}`);
  }
  input.items.forEach((item, index) => {
    const lines = [item.title];
    if (item.variantTitle && item.variantTitle !== "Default Title") lines.push(item.variantTitle);
    const price = item.unitPriceMinor !== null && item.unitPriceMinor !== undefined ? formatMoney(item.unitPriceMinor, item.currency, input.locale) : "";
    const quantity = item.quantity ? `${ui.quantity} ${item.quantity}` : "";
    if (quantity || price) lines.push([quantity, price].filter(Boolean).join(" · "));
    if (item.url) lines.push(input.linkWrapper(item.url, `item-${index + 1}`));
    blocks.push(lines.join("\n"));
  });
  blocks.push(`${input.cta.label ?? ui.cta}: ${input.linkWrapper(input.cta.url, "cta")}`);
  blocks.push(["--", text(ui.footer), `${input.shop.name}${input.shop.address ? ` · ${input.shop.address}` : ""}`, `${ui.unsubscribe}: ${input.unsubscribeUrl}`].join("\n"));
  return `${blocks.join("\n\n")}\n`;
}
