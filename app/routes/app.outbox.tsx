import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link as RemixLink, useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { shopTimezone } from "../shops/shops.server";
import { formatShopTime } from "../shops/shop-time";
import { listOutbox, outboxMessage } from "../email/outbox.server";
import { emailStatusLabel, flowName, stepLabel, withReason } from "../flows/labels";
import { Wrap } from "../components/Wrap";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const selected = new URL(request.url).searchParams.get("message");
  const [outbox, message, timezone] = await Promise.all([listOutbox(session.shop), selected ? outboxMessage(session.shop, selected) : null, shopTimezone(session.shop)]);
  return { ...outbox, message, capturing: !process.env.SENDGRID_API_KEY, timezone };
};

const tone = (status: string) =>
  status === "sent" || status === "captured" ? "success" : status === "skipped" || status === "deferred" ? "info" : status === "failed" || status === "uncertain" ? "critical" : "attention";

/** Statuses whose email never left: a row without a subject says so. */
const NOT_SENT = new Set(["skipped", "failed", "claimed"]);

export default function Outbox() {
  const { messages, counts, message, capturing, timezone } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const keep = (id: string) => {
    const next = new URLSearchParams(params);
    next.set("message", id);
    return `?${next.toString()}`;
  };
  return (
    <Page
      title="Outbox"
      subtitle={capturing ? "No SendGrid API key is set: emails are captured here instead of being sent" : "Every email Pathwise sent or decided not to send, newest first"}
    >
      <Layout>
        <Layout.Section>
          <InlineStack gap="200">
            {Object.entries(counts).map(([status, count]) => (
              <Badge key={status} tone={tone(status)}>{`${emailStatusLabel(status)}: ${count}`}</Badge>
            ))}
          </InlineStack>
        </Layout.Section>
        {message ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">{message.subject ?? "(no subject)"}</Text>
                <Text as="p" tone="subdued">To {message.email ?? "(redacted)"} · {emailStatusLabel(message.status)}</Text>
                {message.html ? (
                  // The email's own HTML, isolated: no scripts, no same-origin access to the admin.
                  <iframe title="Rendered email" sandbox="" srcDoc={message.html} style={{ width: "100%", height: 720, border: "1px solid #ddd", borderRadius: 8 }} />
                ) : (
                  <Text as="p" tone="subdued">Only captured emails keep a copy of their content.</Text>
                )}
                {/* Long tracked links would run past the card: let them break anywhere. */}
                {message.text ? <pre style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere", fontSize: 12 }}>{message.text}</pre> : null}
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            {messages.length === 0 ? (
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">No emails yet</Text>
                <Text as="p">Emails from your flows appear here as they are sent.</Text>
              </BlockStack>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "text", "text", "text"]}
                headings={["When", "To", "Subject", "Flow and email", "Status", "Engagement"]}
                rows={messages.map((m) => [
                  formatShopTime(m.sentAt ?? m.createdAt, timezone),
                  m.email ?? "(redacted)",
                  m.hasCopy ? <RemixLink key={m.id} to={keep(m.id)}>{m.subject ?? "(no subject)"}</RemixLink> : (m.subject || (m.status === "deferred" ? "(scheduled)" : NOT_SENT.has(m.status) ? "(not sent)" : "—")),
                  <Wrap key={`${m.id}-f`}>{`${flowName(m.flowId)} · ${stepLabel(m.stepKey)}`}</Wrap>,
                  <Wrap key={`${m.id}-s`}><Badge tone={tone(m.status)}>{withReason(emailStatusLabel(m.status), m.skipReason)}</Badge></Wrap>,
                  [m.deliveredAt ? "delivered" : "", m.openedAt ? (m.openUnreliable ? "opened (unreliable)" : "opened") : "", m.clickedAt ? "clicked" : ""].filter(Boolean).join(", "),
                ])}
              />
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
