import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import type { MouseEvent } from "react";
import { BlockStack, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { shopTimezone } from "../shops/shops.server";
import { formatShopTime } from "../shops/shop-time";
import { dataRequests } from "../store/activity.server";
import { exportSummary } from "../compliance/export-summary";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [requests, timezone] = await Promise.all([dataRequests(session.shop), shopTimezone(session.shop)]);
  return { requests: requests.map((row) => ({ ...row, summary: exportSummary(row.export) })), timezone };
};

/**
 * The file comes from a resource route that needs the session token: inside the embedded
 * admin, App Bridge adds it to fetch, not to a plain navigation. So fetch, then save the blob.
 */
async function download(event: MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  const link = event.currentTarget;
  const response = await fetch(link.href);
  if (!response.ok) return;
  const url = URL.createObjectURL(await response.blob());
  const save = document.createElement("a");
  save.href = url;
  save.download = link.getAttribute("download") || "customer-data.json";
  document.body.appendChild(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export default function Privacy() {
  const { requests, timezone } = useLoaderData<typeof loader>();
  return (
    <Page title="Customer data requests" subtitle="Everything Pathwise holds on a customer who asked for their data, ready to send them">
      <Layout>
        <Layout.Section>
          {requests.length === 0 ? (
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">No data requests yet</Text>
                <Text as="p">When a customer asks for their data, Shopify tells Pathwise and the export appears here.</Text>
              </BlockStack>
            </Card>
          ) : (
            <BlockStack gap="400">
              {requests.map((request) => (
                <Card key={request.id}>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">
                      {request.email ?? `Customer ${request.customerId}`} · {formatShopTime(request.requestedAt, timezone)}
                    </Text>
                    <InlineStack gap="400" blockAlign="center">
                      <Text as="p">{request.summary}</Text>
                      <a href={`/app/privacy/${request.id}/download`} download={`customer-data-request-${request.id}.json`} onClick={download}>
                        Download JSON
                      </a>
                    </InlineStack>
                    {/* Focusable so a keyboard can scroll it; labelled for screen readers. */}
                    <pre tabIndex={0} aria-label={`Export for ${request.email ?? `customer ${request.customerId}`}`} style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere", fontSize: 12, maxHeight: 320, overflow: "auto" }}>
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
