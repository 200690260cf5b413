import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { Badge, BlockStack, Button, Card, Checkbox, DataTable, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { shopTimezone } from "../shops/shops.server";
import { formatShopTime } from "../shops/shop-time";
import { loadFlowPage, saveFlowForm, sendTestEmail } from "../flows/admin.server";
import { resolveEmailLocale, EMAIL_LOCALES, EMAIL_LOCALE_NAMES, placeholderHelp, type EmailLocale } from "../email/templates/copy";
import { emailStatusLabel, RUN_STATE_TONE, runStateLabel, stepLabel, withReason } from "../flows/labels";
import { FlowFigures, SaveRow } from "../components/FlowParts";
import { Wrap } from "../components/Wrap";
import { formatMoney } from "../money";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const [page, timezone] = await Promise.all([
    loadFlowPage(session.shop, Number(url.searchParams.get("step") ?? 0) || 0, resolveEmailLocale(url.searchParams.get("lang"), "en")),
    shopTimezone(session.shop),
  ]);
  return { ...page, timezone };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") === "test") {
    const result = await sendTestEmail(session.shop, Number(form.get("step") ?? 0), resolveEmailLocale(String(form.get("lang")), "en"));
    return { intent: "test" as const, ok: result.ok, message: result.message, errors: {} as Record<string, string> };
  }
  const saved = await saveFlowForm(session.shop, form);
  return { intent: "save" as const, ok: saved.ok, message: saved.ok ? "Saved" : "Please fix the highlighted fields", errors: saved.errors };
};

export default function AbandonedCheckoutFlow() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params, setParams] = useSearchParams();
  const errors = result?.errors ?? {};
  const [enabled, setEnabled] = useState(data.enabled);
  const lang = (params.get("lang") ?? "en") as EmailLocale;
  const step = Number(params.get("step") ?? 0);

  return (
    <Page title="Abandoned checkout recovery" backAction={{ content: "Flows", url: "/app/flows" }}>
      <Layout>
        <Layout.Section>
          <FlowFigures figures={data.figures} />
        </Layout.Section>
        <Layout.Section>
          <Form method="post">
            <Card>
              <BlockStack gap="400">
                <Checkbox value="true" label="Send abandoned checkout reminders" name="enabled" checked={enabled} onChange={setEnabled} />
                {data.settings.steps.map((s, index) => (
                  <StepFields key={s.key} index={index} step={s} errors={errors} />
                ))}
                <SaveRow outcome={result?.intent === "save" ? result : null} />
              </BlockStack>
            </Card>
          </Form>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="300" blockAlign="end">
                <Select label="Preview email" options={data.settings.steps.map((s, i) => ({ label: `Email ${i + 1}`, value: String(i) }))} value={String(step)} onChange={(value) => setParams({ step: value, lang })} />
                <Select label="Language" options={EMAIL_LOCALES.map((l) => ({ label: EMAIL_LOCALE_NAMES[l], value: l }))} value={lang} onChange={(value) => setParams({ step: String(step), lang: value })} />
                <Form method="post">
                  <input type="hidden" name="intent" value="test" />
                  <input type="hidden" name="step" value={step} />
                  <input type="hidden" name="lang" value={lang} />
                  <Button submit>Send me a test</Button>
                </Form>
                <div role="status">{result?.intent === "test" ? <Text as="span" tone={result.ok ? "success" : "critical"}>{result.message}</Text> : null}</div>
              </InlineStack>
              <Text as="p">Subject: <strong>{data.preview.subject}</strong></Text>
              <iframe title="Email preview" sandbox="" srcDoc={data.preview.html} style={{ width: "100%", height: 720, border: "1px solid #e1e3e5", borderRadius: 8 }} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <Text as="h2" variant="headingMd">Recent runs</Text>
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "numeric"]}
              headings={["Started", "Shopper", "State", "Steps", "Revenue"]}
              rows={data.runs.map((run) => [
                formatShopTime(run.startedAt, data.timezone),
                run.email ?? "",
                <Wrap key={run.id}><Badge tone={RUN_STATE_TONE[run.state]}>{withReason(runStateLabel(run.state), run.exitReason)}</Badge></Wrap>,
                <Wrap key={`${run.id}-steps`} minWidth={200}>{run.steps.map((s) => <div key={s.key}>{`${stepLabel(s.key)}: ${withReason(emailStatusLabel(s.status), s.reason)}`}</div>)}</Wrap>,
                run.revenueMinor ? formatMoney(run.revenueMinor, run.currency ?? "USD") : "",
              ])}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

type Step = ReturnType<typeof useLoaderData<typeof loader>>["settings"]["steps"][number];

function StepFields({ index, step, errors }: { index: number; step: Step; errors: Record<string, string> }) {
  const n = index + 1;
  const [enabled, setEnabled] = useState(step.enabled);
  const [delay, setDelay] = useState(String(step.delayMinutes / 60));
  const [discountOn, setDiscountOn] = useState(Boolean(step.discount?.enabled));
  const [percent, setPercent] = useState(String(step.discount?.percent ?? 10));
  const [expires, setExpires] = useState(String(step.discount?.expiresHours ?? 48));
  const [copy, setCopy] = useState(() => Object.fromEntries(EMAIL_LOCALES.map((l) => [l, { subject: step.copy[l]?.subject ?? "", preview: step.copy[l]?.previewText ?? "" }])));
  return (
    <Card background="bg-surface-secondary">
      <BlockStack gap="300">
        <InlineStack align="space-between">
          <Text as="h3" variant="headingSm">Email {n}</Text>
          {index > 0 ? <Checkbox value="true" label="On" name={`step_${n}_enabled`} checked={enabled} onChange={setEnabled} /> : <input type="hidden" name={`step_${n}_enabled`} value="true" />}
        </InlineStack>
        <TextField label="Send after (hours since the shopper left)" type="number" name={`step_${n}_delay_hours`} value={delay} onChange={setDelay} autoComplete="off" error={errors[`step_${n}_delay_hours`]} />
        {step.discount ? (
          <InlineStack gap="300">
            <Checkbox value="true" label="Include a unique single-use discount code" name={`step_${n}_discount_enabled`} checked={discountOn} onChange={setDiscountOn} />
            <TextField label="Discount (%)" type="number" name={`step_${n}_discount_percent`} value={percent} onChange={setPercent} autoComplete="off" error={errors[`step_${n}_discount_percent`]} />
            <TextField label="Code expires after (hours)" type="number" name={`step_${n}_discount_expires_hours`} value={expires} onChange={setExpires} autoComplete="off" error={errors[`step_${n}_discount_expires_hours`]} />
          </InlineStack>
        ) : null}
        <Text as="p" variant="bodySm" tone="subdued">{placeholderHelp(Boolean(step.discount))}</Text>
        {EMAIL_LOCALES.map((l) => (
          <InlineGrid key={l} columns={2} gap="300">
            <TextField label={`Subject (${EMAIL_LOCALE_NAMES[l]})`} name={`step_${n}_subject_${l}`} value={copy[l].subject} onChange={(value) => setCopy({ ...copy, [l]: { ...copy[l], subject: value } })} autoComplete="off" error={errors[`step_${n}_subject_${l}`]} />
            <TextField label={`Preview text (${EMAIL_LOCALE_NAMES[l]})`} name={`step_${n}_preview_${l}`} value={copy[l].preview} onChange={(value) => setCopy({ ...copy, [l]: { ...copy[l], preview: value } })} autoComplete="off" error={errors[`step_${n}_preview_${l}`]} />
          </InlineGrid>
        ))}
      </BlockStack>
    </Card>
  );
}
