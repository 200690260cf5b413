import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { Badge, Banner, BlockStack, Button, Card, Checkbox, DataTable, InlineGrid, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { loadCrossSellPage, saveCrossSellForm } from "../flows/cross-sell-admin.server";
import { EMAIL_LOCALES } from "../email/templates/copy";
import { formatMoney } from "../money";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return loadCrossSellPage(session.shop);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return saveCrossSellForm(session.shop, await request.formData());
};

export default function CrossSellFlow() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result && !result.ok ? result.errors : {};
  const [enabled, setEnabled] = useState(data.enabled);
  const [trigger, setTrigger] = useState<string>(data.settings.trigger);
  const [delay, setDelay] = useState(String(data.settings.delayDays));
  const [count, setCount] = useState(String(data.settings.productCount));
  const [copy, setCopy] = useState(() => Object.fromEntries(EMAIL_LOCALES.map((l) => [l, { subject: data.settings.copy[l]?.subject ?? "", preview: data.settings.copy[l]?.previewText ?? "" }])));
  return (
    <Page title="Cross-sell: you might also like" backAction={{ content: "Flows", url: "/app/flows" }}>
      <Layout>
        {result ? <Layout.Section><Banner tone={result.ok ? "success" : "critical"}>{result.ok ? "Saved" : "Please fix the highlighted fields"}</Banner></Layout.Section> : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 2, md: 6 }} gap="300">
            {Object.entries({ Started: data.figures.started, Sent: data.figures.sent, Opened: data.figures.opened, Clicked: data.figures.clicked, Converted: data.figures.converted }).map(([label, value]) => (
              <Card key={label}><Text as="p" tone="subdued">{label}</Text><Text as="p" variant="headingLg">{value.toLocaleString()}</Text></Card>
            ))}
            <Card><Text as="p" tone="subdued">Revenue</Text><Text as="p" variant="headingLg">{data.figures.revenue.map((r) => formatMoney(r.amountMinor, r.currency)).join(" + ") || formatMoney(0, "USD")}</Text></Card>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Form method="post">
            <Card>
              <BlockStack gap="300">
                <Checkbox value="true" label="Send cross-sell emails" name="enabled" checked={enabled} onChange={setEnabled} />
                <Select label="Send" name="trigger" options={[{ label: "After delivery", value: "delivery" }, { label: "After purchase", value: "purchase" }]} value={trigger} onChange={setTrigger} error={errors.trigger} />
                <TextField label="Wait (days)" type="number" name="delay_days" value={delay} onChange={setDelay} autoComplete="off" error={errors.delay_days} helpText="After delivery: counted from the carrier's delivery; orders never marked delivered are emailed 14 days after purchase plus this wait." />
                <TextField label="Products in the email" type="number" name="product_count" value={count} onChange={setCount} autoComplete="off" error={errors.product_count} />
                {EMAIL_LOCALES.map((l) => (
                  <InlineGrid key={l} columns={2} gap="300">
                    <TextField label={`Subject (${l})`} name={`subject_${l}`} value={copy[l].subject} onChange={(v) => setCopy({ ...copy, [l]: { ...copy[l], subject: v } })} autoComplete="off" error={errors[`subject_${l}`]} />
                    <TextField label={`Preview text (${l})`} name={`preview_${l}`} value={copy[l].preview} onChange={(v) => setCopy({ ...copy, [l]: { ...copy[l], preview: v } })} autoComplete="off" error={errors[`preview_${l}`]} />
                  </InlineGrid>
                ))}
                <div><Button submit variant="primary">Save</Button></div>
              </BlockStack>
            </Card>
          </Form>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <Text as="h2" variant="headingMd">Recent runs</Text>
            <DataTable
              columnContentTypes={["text", "text", "text", "numeric"]}
              headings={["Order", "Shopper", "State", "Revenue"]}
              rows={data.runs.map((run) => [run.subjectKey, run.email ?? "", <Badge key={run.id}>{`${run.state}${run.exitReason ? ` · ${run.exitReason.replace(/_/g, " ")}` : ""}`}</Badge>, run.revenueMinor ? formatMoney(run.revenueMinor, run.currency ?? "USD") : ""])}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
