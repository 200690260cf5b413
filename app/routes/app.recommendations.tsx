import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator, useSearchParams } from "@remix-run/react";
import { useEffect } from "react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { ProductMultiPicker, ProductSearch } from "../components/ProductPicker";
import { authenticate } from "../shopify.server";
import { shopTimezone } from "../shops/shops.server";
import { formatShopTime } from "../shops/shop-time";
import { loadRecommendationsPage, saveOverrides, requestRecompute } from "../recommendations/admin.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const productId = new URL(request.url).searchParams.get("product");
  const [page, timezone] = await Promise.all([loadRecommendationsPage(session.shop, productId), shopTimezone(session.shop)]);
  return { ...page, timezone };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const intent = String(form.get("intent"));
  if (intent === "recompute" || intent === "resync") return requestRecompute(session.shop, intent === "resync");
  return saveOverrides(session.shop, form);
};

export default function Recommendations() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result && "errors" in result ? result.errors : undefined;
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const [params, setParams] = useSearchParams();
  const busy = data.status && !["ready", "failed", "idle"].includes(data.status.state);

  // While a backfill or recompute runs, refresh the progress every two seconds.
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => revalidator.revalidate(), 2000);
    return () => clearInterval(timer);
  }, [busy, revalidator]);

  const status = data.status;
  const coverage = status && status.catalogSize ? Math.round((status.productsCovered / status.catalogSize) * 100) : 0;
  return (
    <Page title="Customers also bought" subtitle="Recommendations learned from your store's own orders">
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between">
                <Text as="h2" variant="headingMd">Status</Text>
                <Badge tone={status?.state === "ready" ? "success" : status?.state === "failed" ? "critical" : "info"}>{status?.state ?? "not computed yet"}</Badge>
              </InlineStack>
              {status?.error ? <Banner tone="critical">{status.error}</Banner> : null}
              {busy ? (
                <BlockStack gap="100">
                  <Text as="p">{status?.phase ?? "Working"}… {status?.progressDone.toLocaleString()} {status?.progressTotal ? `of ${status.progressTotal.toLocaleString()}` : ""}</Text>
                  <ProgressBar progress={status?.progressTotal ? Math.min(100, (status.progressDone / status.progressTotal) * 100) : 50} size="small" />
                </BlockStack>
              ) : null}
              <Text as="p">
                Last computed: {status?.lastComputedAt ? formatShopTime(status.lastComputedAt, data.timezone) : "never"} · {status?.ordersCovered.toLocaleString() ?? 0} orders ·{" "}
                {status?.productsCovered ?? 0} of {status?.catalogSize ?? 0} active products have co-purchase recommendations ({coverage}% coverage)
              </Text>
              <Text as="p" tone="subdued">
                New orders update the lists within a minute. Every night the lists are rebuilt from the last 12 months of orders, so cancelled and deleted orders, and products edited out of an order, stop counting; a cancellation or deletion also triggers a rebuild a few minutes later.
              </Text>
              <InlineStack gap="200">
                <Form method="post">
                  <input type="hidden" name="intent" value="recompute" />
                  <Button submit loading={navigation.state === "submitting"} disabled={Boolean(busy)}>Recompute now</Button>
                </Form>
                <Form method="post">
                  <input type="hidden" name="intent" value="resync" />
                  <Button submit variant="plain" disabled={Boolean(busy)}>Re-import orders from Shopify</Button>
                </Form>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <ProductSearch
                label="Product"
                placeholder={data.selected ? `${data.selected.title}: search for another` : "Search products by title"}
                onSelect={(product) => setParams({ product: product.id })}
              />
              {data.selected ? (
                <>
                  <Text as="h2" variant="headingMd">{data.selected.title}</Text>
                  <DataTable
                    columnContentTypes={["numeric", "text", "numeric", "text"]}
                    headings={["#", "Recommended product", "Score", "Source"]}
                    rows={data.recommendations.map((rec, index) => [index + 1, rec.title, rec.score.toFixed(4), <Badge key={rec.id}>{rec.source}</Badge>])}
                  />
                  <Form method="post" key={data.selected.id}>
                    <input type="hidden" name="productId" value={data.selected.id} />
                    <input type="hidden" name="intent" value="overrides" />
                    <BlockStack gap="200">
                      <ProductMultiPicker label="Pinned products" helpText="Shown first, in this order." name="pinned" initial={data.overrides.pinned} error={errors?.pinned} />
                      <ProductMultiPicker label="Excluded products" helpText="Never shown for this product." name="excluded" initial={data.overrides.excluded} error={errors?.excluded} />
                      <InlineStack>
                        <Button submit variant="primary">Save pins and exclusions</Button>
                      </InlineStack>
                    </BlockStack>
                  </Form>
                </>
              ) : (
                <Text as="p" tone="subdued">Pick a product to see what shoppers who bought it also bought, with scores and sources.</Text>
              )}
              {result && "ok" in result && result.ok ? <Banner tone="success">Saved: the list is being recomputed.</Banner> : null}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
