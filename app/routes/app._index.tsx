import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link as RemixLink, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { getShop } from "../shops/shops.server";
import { storeActivity } from "../store/activity.server";
import { flowSummaries } from "../flows/summary.server";
import { runStateLabel, withReason } from "../flows/labels";
import { countOf } from "../text";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [shop, activity, flows] = await Promise.all([getShop(session.shop), storeActivity(session.shop), flowSummaries(session.shop)]);
  return { shopName: shop?.name ?? session.shop, counts: activity.counts, flows };
};

export default function Home() {
  const { shopName, counts, flows } = useLoaderData<typeof loader>();
  const anyOn = flows.some((flow) => flow.enabled);
  return (
    <Page title={`Pathwise for ${shopName}`}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Flows</Text>
              {anyOn ? null : (
                <Text as="p">No flow is on yet, so Pathwise is not emailing any shoppers. Turn one on to start recovering checkouts and suggesting products.</Text>
              )}
              {flows.map((flow) => (
                <BlockStack key={flow.key} gap="100">
                  <InlineStack gap="200" blockAlign="center">
                    <RemixLink to={flow.url}>{flow.title}</RemixLink>
                    <Badge tone={flow.enabled ? "success" : undefined}>{flow.enabled ? "On" : "Off"}</Badge>
                  </InlineStack>
                  <Text as="p" tone="subdued">
                    {countOf(flow.started, "run")} started, {countOf(flow.converted, "order")} placed
                    {flow.latest ? ` · Latest: ${withReason(runStateLabel(flow.latest.state), flow.latest.exitReason)}` : ""}
                  </Text>
                </BlockStack>
              ))}
              <InlineStack>
                <Button url="/app/flows" variant={anyOn ? undefined : "primary"}>{anyOn ? "Manage flows" : "Turn on a flow"}</Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">Your store, as Pathwise sees it</Text>
              <Text as="p">
                {countOf(counts.orders, "order")}, {countOf(counts.customers, "customer")}, {countOf(counts.openCheckouts, "open checkout")} and {countOf(counts.products, "product")} so far.
              </Text>
              <Text as="p">
                <RemixLink to="/app/activity">See store activity</RemixLink>
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
