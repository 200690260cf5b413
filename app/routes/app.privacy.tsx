import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, EmptyState, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { shopTimezone } from "../shops/shops.server";
import { formatShopTime } from "../shops/shop-time";
import { dataRequests } from "../store/activity.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [requests, timezone] = await Promise.all([dataRequests(session.shop), shopTimezone(session.shop)]);
  return { requests, timezone };
};

export default function Privacy() {
  const { requests, timezone } = useLoaderData<typeof loader>();
  return (
    <Page title="Customer data requests" subtitle="Everything Pathwise holds on a customer who asked for their data, ready to send them">
      <Layout>
        <Layout.Section>
          {requests.length === 0 ? (
            <Card>
              <EmptyState heading="No data requests yet" image="">
                <p>When a customer asks for their data, Shopify tells Pathwise and the export appears here.</p>
              </EmptyState>
            </Card>
          ) : (
            <BlockStack gap="400">
              {requests.map((request) => (
                <Card key={request.id}>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">
                      {request.email ?? `Customer ${request.customerId}`} · {formatShopTime(request.requestedAt, timezone)}
                    </Text>
                    {/* Focusable so a keyboard can scroll it; labelled for screen readers. */}
                    <pre tabIndex={0} aria-label={`Export for ${request.email ?? `customer ${request.customerId}`}`} style={{ whiteSpace: "pre-wrap", fontSize: 12, maxHeight: 320, overflow: "auto" }}>
                      {JSON.stringify(request.export, null, 2)}
                    </pre>
                  </BlockStack>
                </Card>
              ))}
            </BlockStack>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
