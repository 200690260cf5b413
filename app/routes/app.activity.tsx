import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { storeActivity } from "../store/activity.server";
import { webhookRetentionDays } from "../webhooks/retention.server";
import { cartCheckoutRetentionDays, orderRetentionDays } from "../store/retention.server";
import { shopTimezone } from "../shops/shops.server";
import { formatShopTime } from "../shops/shop-time";
import { deliveryNote, deliveryStatusLabel, topicLabel } from "../webhooks/labels";
import { Wrap } from "../components/Wrap";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [activity, timezone] = await Promise.all([storeActivity(session.shop), shopTimezone(session.shop)]);
  return { ...activity, retentionDays: webhookRetentionDays(), cartRetentionDays: cartCheckoutRetentionDays(), ordersKeptDays: orderRetentionDays(), timezone };
};

const COUNT_LABELS: Record<string, string> = {
  customers: "Customers",
  checkouts: "Checkouts",
  openCheckouts: "Open checkouts",
  carts: "Carts",
  orders: "Orders",
  fulfillments: "Fulfillments",
  products: "Products",
};

/** A topic as the merchant reads it, with Shopify's code beneath for operators. */
function Topic({ topic }: { topic: string }) {
  return (
    <BlockStack>
      <Text as="span">{topicLabel(topic)}</Text>
      <Text as="span" variant="bodySm" tone="subdued"><code>{topic}</code></Text>
    </BlockStack>
  );
}

function Note({ status, error }: { status: string; error: string | null }) {
  const note = deliveryNote(status, error);
  return (
    <Wrap minWidth={240}>
      <Text as="span">{note.text}</Text>
      {note.detail ? <Text as="p" variant="bodySm" tone="subdued">Detail: {note.detail}</Text> : null}
    </Wrap>
  );
}

const tone = (status: string) =>
  status === "processed" ? "success" : status === "received" ? "info" : status === "invalid" || status === "malformed" ? "critical" : "attention";

export default function Activity() {
  const { counts, byTopic, recent, retentionDays, cartRetentionDays, ordersKeptDays, timezone } = useLoaderData<typeof loader>();
  return (
    <Page title="Store activity" subtitle="What your store has told Pathwise">
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
            {Object.entries(counts).map(([label, value]) => (
              <Card key={label}>
                <BlockStack gap="100">
                  <Text as="h3" variant="bodySm" tone="subdued">{COUNT_LABELS[label] ?? label}</Text>
                  <Text as="p" variant="headingLg">{value.toLocaleString()}</Text>
                </BlockStack>
              </Card>
            ))}
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Text as="p" variant="bodySm" tone="subdued">Carts and checkouts are kept for {cartRetentionDays} days after their last change, orders for {ordersKeptDays} days after they were placed; flow results stay.</Text>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <Text as="h2" variant="headingMd">Deliveries by topic</Text>
            <Text as="p" variant="bodySm" tone="subdued">Deliveries are kept for {retentionDays} days once processed.</Text>
            <DataTable
              columnContentTypes={["text", "text", "numeric"]}
              headings={["Topic", "Status", "Deliveries"]}
              rows={byTopic.map((row) => [<Topic key={`${row.topic}-t`} topic={row.topic} />, <Badge key={row.topic + row.status} tone={tone(row.status)}>{deliveryStatusLabel(row.status)}</Badge>, row.count])}
            />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <Text as="h2" variant="headingMd">Latest deliveries</Text>
            <DataTable
              columnContentTypes={["text", "text", "text", "text"]}
              headings={["Received", "Topic", "Status", "Note"]}
              rows={recent.map((event) => [
                formatShopTime(event.receivedAt, timezone),
                <Topic key={`${event.id}-t`} topic={event.topic} />,
                <Badge key={event.id} tone={tone(event.status)}>{deliveryStatusLabel(event.status)}</Badge>,
                <Note key={`${event.id}-n`} status={event.status} error={event.error} />,
              ])}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
