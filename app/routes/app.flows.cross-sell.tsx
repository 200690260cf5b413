import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { Badge, BlockStack, Card, Checkbox, DataTable, InlineGrid, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { loadCrossSellPage, saveCrossSellForm } from "../flows/cross-sell-admin.server";
import { EMAIL_LOCALES, EMAIL_LOCALE_NAMES, placeholderHelp } from "../email/templates/copy";
import { RUN_STATE_TONE, runStateLabel, withReason } from "../flows/labels";
import { FlowFigures, SaveRow } from "../components/FlowParts";
import { Wrap } from "../components/Wrap";
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
        <Layout.Section>
          <FlowFigures figures={data.figures} />
        </Layout.Section>
        <Layout.Section>
          <Form method="post">
            <Card>
              <BlockStack gap="300">
                <Checkbox value="true" label="Send cross-sell emails" name="enabled" checked={enabled} onChange={setEnabled} />
                <Select label="Send" name="trigger" options={[{ label: "After delivery", value: "delivery" }, { label: "After purchase", value: "purchase" }]} value={trigger} onChange={setTrigger} error={errors.trigger} />
                <TextField label="Wait (days)" type="number" name="delay_days" value={delay} onChange={setDelay} autoComplete="off" error={errors.delay_days} helpText="After delivery: counted from the carrier's delivery; orders never marked delivered are emailed 14 days after purchase plus this wait." />
                <TextField label="Products in the email" type="number" name="product_count" value={count} onChange={setCount} autoComplete="off" error={errors.product_count} />
                <Text as="p" variant="bodySm" tone="subdued">{placeholderHelp(false)}</Text>
                {EMAIL_LOCALES.map((l) => (
                  <InlineGrid key={l} columns={2} gap="300">
                    <TextField label={`Subject (${EMAIL_LOCALE_NAMES[l]})`} name={`subject_${l}`} value={copy[l].subject} onChange={(v) => setCopy({ ...copy, [l]: { ...copy[l], subject: v } })} autoComplete="off" error={errors[`subject_${l}`]} />
                    <TextField label={`Preview text (${EMAIL_LOCALE_NAMES[l]})`} name={`preview_${l}`} value={copy[l].preview} onChange={(v) => setCopy({ ...copy, [l]: { ...copy[l], preview: v } })} autoComplete="off" error={errors[`preview_${l}`]} />
                  </InlineGrid>
                ))}
                <SaveRow outcome={result ? { ok: result.ok, message: result.ok ? "Saved" : "Please fix the highlighted fields" } : null} />
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
              rows={data.runs.map((run) => [
                // shopify:admin links open the order in the Shopify admin around the embedded app.
                <a key={`${run.id}-order`} href={`shopify:admin/orders/${run.orderId}`} target="_top">{run.orderName}</a>,
                run.email ?? "",
                <Wrap key={run.id}><Badge tone={RUN_STATE_TONE[run.state]}>{withReason(runStateLabel(run.state), run.exitReason)}</Badge></Wrap>,
                run.revenueMinor ? formatMoney(run.revenueMinor, run.currency ?? "USD") : "",
              ])}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
