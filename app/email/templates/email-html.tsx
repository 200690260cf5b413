import { Body, Button, Column, Container, Head, Heading, Hr, Html, Img, Link, Preview, Row, Section, Text } from "@react-email/components";
import type { CSSProperties } from "react";
import type { EmailDocument, EmailProductRow } from "./model";

/**
 * The one responsive layout every email uses: a single 600px column that shrinks
 * to the screen (tables from React Email, inline styles only, so Gmail and Outlook
 * keep them). All text arrives as React children, so React escapes it.
 */
const font = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, 'Apple SD Gothic Neo', 'Malgun Gothic', 'Noto Sans Thai', sans-serif";
const muted = "#666666";

export function EmailHtml({ doc }: { doc: EmailDocument }) {
  const button: CSSProperties = {
    backgroundColor: doc.accentColor,
    color: doc.accentTextColor,
    padding: "14px 28px",
    borderRadius: "6px",
    fontWeight: 600,
    fontSize: "16px",
    textDecoration: "none",
    display: "inline-block",
  };
  return (
    <Html lang={doc.locale} dir="ltr">
      <Head>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>{doc.subject}</title>
      </Head>
      <Preview>{doc.previewText}</Preview>
      <Body style={{ backgroundColor: "#f4f4f5", fontFamily: font, margin: 0, padding: "24px 8px" }}>
        <Container style={{ backgroundColor: "#ffffff", maxWidth: "600px", width: "100%", padding: "32px 24px", borderRadius: "8px" }}>
          {doc.testBanner ? (
            <Section style={{ backgroundColor: "#fff4ce", border: "1px solid #e6c200", borderRadius: "6px", padding: "8px 12px", marginBottom: "16px" }}>
              <Text style={{ margin: 0, fontSize: "13px", color: "#5c4a00" }}>{doc.testBanner}</Text>
            </Section>
          ) : null}
          {doc.logo ? (
            <Img src={doc.logo.src} alt={doc.shopName} width={doc.logo.width} height={doc.logo.height} style={{ marginBottom: "16px", maxWidth: "100%", height: "auto" }} />
          ) : (
            <Text style={{ fontSize: "20px", fontWeight: 700, margin: "0 0 16px" }}>{doc.shopName}</Text>
          )}
          <Heading as="h1" style={{ fontSize: "24px", lineHeight: "32px", margin: "0 0 12px", color: "#111111" }}>{doc.heading}</Heading>
          {doc.paragraphs.map((lines, index) => (
            <Text key={index} style={{ fontSize: "16px", lineHeight: "24px", color: "#333333", margin: "0 0 12px" }}>
              {lines.map((line, i) => (
                <span key={i}>
                  {i > 0 ? <br /> : null}
                  {line}
                </span>
              ))}
            </Text>
          ))}
          {doc.discount ? (
            <Section style={{ border: `2px dashed ${doc.accentColor}`, borderRadius: "8px", padding: "16px", textAlign: "center", margin: "16px 0" }}>
              <Text style={{ margin: 0, fontSize: "14px", color: muted }}>{doc.discount.label}</Text>
              <Text style={{ margin: "4px 0", fontSize: "24px", fontWeight: 700, letterSpacing: "2px", color: "#111111" }}>{doc.discount.code}</Text>
              <Text style={{ margin: 0, fontSize: "14px", color: "#333333" }}>{doc.discount.offer}</Text>
              {doc.discount.expires ? <Text style={{ margin: "4px 0 0", fontSize: "13px", color: muted }}>{doc.discount.expires}</Text> : null}
            </Section>
          ) : null}
          {doc.sections.map((section, index) => (
            <Section key={index} style={{ margin: "16px 0" }}>
              {section.title ? <Text style={{ fontSize: "14px", fontWeight: 600, color: muted, margin: "0 0 4px", textTransform: "uppercase" }}>{section.title}</Text> : null}
              {section.rows.map((row, i) => (
                <ProductRow key={i} row={row} buttonStyle={{ ...button, padding: "8px 16px", fontSize: "14px" }} />
              ))}
            </Section>
          ))}
          {doc.cta ? (
            <Section style={{ textAlign: "center", margin: "24px 0 8px" }}>
              <Button href={doc.cta.href} style={button}>{doc.cta.label}</Button>
            </Section>
          ) : null}
          <Hr style={{ borderColor: "#e5e5e5", margin: "24px 0 16px" }} />
          <Text style={{ fontSize: "12px", lineHeight: "18px", color: "#777777", margin: "0 0 4px" }}>{doc.footer.reason}</Text>
          <Text style={{ fontSize: "12px", lineHeight: "18px", color: "#777777", margin: "0 0 4px" }}>{doc.footer.shopLine}</Text>
          <Text style={{ fontSize: "12px", lineHeight: "18px", color: "#777777", margin: 0 }}>
            <Link href={doc.footer.unsubscribe.href} style={{ color: "#777777", textDecoration: "underline" }}>{doc.footer.unsubscribe.label}</Link>
            {doc.footer.preferences ? (
              <>
                {" · "}
                <Link href={doc.footer.preferences.href} style={{ color: "#777777", textDecoration: "underline" }}>{doc.footer.preferences.label}</Link>
              </>
            ) : null}
          </Text>
          {doc.openPixelUrl ? <Img src={doc.openPixelUrl} alt="" width="1" height="1" style={{ display: "block", width: "1px", height: "1px", border: 0 }} /> : null}
        </Container>
      </Body>
    </Html>
  );
}

function ProductRow({ row, buttonStyle }: { row: EmailProductRow; buttonStyle: CSSProperties }) {
  const size = row.image?.size ?? 80;
  const image = row.image ? <Img src={row.image.src} alt={row.image.alt} width={size} height={size} style={{ borderRadius: "6px", objectFit: "cover", display: "block" }} /> : null;
  return (
    <Row style={{ borderTop: "1px solid #eeeeee" }}>
      {image ? (
        <Column style={{ width: `${size + 16}px`, verticalAlign: "top", padding: "12px 0" }}>
          {row.href ? <Link href={row.href}>{image}</Link> : image}
        </Column>
      ) : null}
      <Column style={{ verticalAlign: "top", padding: "12px 0" }}>
        {row.href ? (
          <Link href={row.href} style={{ color: "#111111", fontWeight: 600, fontSize: "15px", textDecoration: "none" }}>{row.title}</Link>
        ) : (
          <Text style={{ margin: 0, fontWeight: 600, fontSize: "15px", color: "#111111" }}>{row.title}</Text>
        )}
        {row.variantTitle ? <Text style={{ margin: "2px 0", color: muted, fontSize: "13px" }}>{row.variantTitle}</Text> : null}
        {row.priceLine ? <Text style={{ margin: "2px 0", fontSize: "14px", color: "#333333" }}>{row.priceLine}</Text> : null}
        {row.button ? (
          <Button href={row.button.href} style={{ ...buttonStyle, marginTop: "8px" }}>{row.button.label}</Button>
        ) : null}
      </Column>
    </Row>
  );
}
