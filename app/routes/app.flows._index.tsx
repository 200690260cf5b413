import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { flowSummaries } from "../flows/summary.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { flows: await flowSummaries(session.shop) };
};

export default function Flows() {
  const { flows } = useLoaderData<typeof loader>();
  return (
    <Page title="Flows" subtitle="Automations that react to what each shopper does">
      <Layout>
        {flows.map((flow) => (
          <Layout.Section key={flow.key}>
            <Card>
              <BlockStack gap="200">
                <InlineStack align="space-between">
                  <Link to={flow.url}><Text as="h2" variant="headingMd">{flow.title}</Text></Link>
                  <Badge tone={flow.enabled ? "success" : undefined}>{flow.enabled ? "On" : "Off"}</Badge>
                </InlineStack>
                <Text as="p" tone="subdued">{flow.description}</Text>
                <Text as="p">{flow.started.toLocaleString()} started · {flow.converted.toLocaleString()} converted</Text>
              </BlockStack>
            </Card>
          </Layout.Section>
        ))}
      </Layout>
    </Page>
  );
}
