import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link as RemixLink, useLoaderData } from "@remix-run/react";
import { BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { getShop } from "../shops/shops.server";
import { storeActivity } from "../store/activity.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [shop, activity] = await Promise.all([getShop(session.shop), storeActivity(session.shop)]);
  return { shopName: shop?.name ?? session.shop, counts: activity.counts };
};

export default function Home() {
  const { shopName, counts } = useLoaderData<typeof loader>();
  return (
    <Page title={`Pathwise for ${shopName}`}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">Your store, as Pathwise sees it</Text>
              <Text as="p">
                {counts.orders.toLocaleString()} orders, {counts.customers.toLocaleString()} customers,{" "}
                {counts.openCheckouts.toLocaleString()} open checkouts and {counts.products.toLocaleString()} products so far.
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
