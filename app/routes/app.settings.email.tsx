import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { BlockStack, Card, Checkbox, FormLayout, Layout, Page, Text, TextField } from "@shopify/polaris";
import { SaveRow } from "../components/FlowParts";
import { authenticate } from "../shopify.server";
import { getEmailSettings, saveEmailSettings, settingsToForm, type EmailSettingsFormValues, type FieldErrors } from "../email/settings.server";
import { HEX_COLOR } from "../email/colors";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { values: settingsToForm(await getEmailSettings(session.shop)) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = Object.fromEntries(await request.formData());
  const result = await saveEmailSettings(session.shop, form);
  if (!result.ok) return { ok: false as const, errors: result.errors, values: form as unknown as EmailSettingsFormValues };
  return { ok: true as const, errors: {} as FieldErrors, values: settingsToForm(result.settings) };
};


/** The accent colour as it will look, beside its field; a neutral outline while the value is not a colour yet. */
function Swatch({ color }: { color: string }) {
  const valid = HEX_COLOR.test(color.trim());
  return (
    <span
      role="img"
      aria-label={valid ? `Colour preview: ${color.trim()}` : "Colour preview: not a colour yet"}
      style={{ display: "inline-block", width: 20, height: 20, borderRadius: 4, verticalAlign: "middle", border: "1px solid rgba(0, 0, 0, 0.25)", background: valid ? color.trim() : "transparent" }}
    />
  );
}

export default function EmailSettings() {
  const loaded = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const initial = result?.values ?? loaded.values;
  const errors: FieldErrors = result?.errors ?? {};
  const [values, setValues] = useState<EmailSettingsFormValues>(initial);
  const set = (field: keyof EmailSettingsFormValues) => (value: string | boolean) =>
    setValues((current) => ({ ...current, [field]: typeof value === "boolean" ? String(value) : value }));
  const quiet = values.quietHoursEnabled === "true";

  return (
    <Page title="Email settings" subtitle="How every Pathwise email looks and when it may be sent">
      <Form method="post">
        <Layout>
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Sender and branding</Text>
                <FormLayout>
                  <TextField label="Sender name" name="fromName" value={values.fromName} onChange={set("fromName")} error={errors.fromName} autoComplete="off" helpText="Defaults to your store's name" />
                  <TextField label="Reply-to address" name="replyTo" type="email" value={values.replyTo} onChange={set("replyTo")} error={errors.replyTo} autoComplete="email" />
                  <TextField label="Accent colour" name="accentColor" value={values.accentColor} onChange={set("accentColor")} error={errors.accentColor} autoComplete="off" helpText="Buttons and the discount code's border in every email." suffix={<Swatch color={values.accentColor} />} />
                  <TextField label="Logo URL" name="logoUrl" type="url" value={values.logoUrl} onChange={set("logoUrl")} error={errors.logoUrl} autoComplete="off" />
                </FormLayout>
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Sending rules</Text>
                <FormLayout>
                  <Checkbox label="Only email customers who accepted email marketing" checked={values.requireConsent === "true"} onChange={set("requireConsent")} helpText="Strongly recommended: without consent, marketing email may break the law in many countries." />
                  <input type="hidden" name="requireConsent" value={values.requireConsent} />
                  <Checkbox label="Quiet hours (in your store's time zone)" checked={quiet} onChange={set("quietHoursEnabled")} />
                  <input type="hidden" name="quietHoursEnabled" value={values.quietHoursEnabled} />
                  <FormLayout.Group>
                    <TextField label="Quiet from" name="quietHoursStart" value={values.quietHoursStart} onChange={set("quietHoursStart")} error={errors.quietHoursStart} disabled={!quiet} autoComplete="off" placeholder="21:00" />
                    <TextField label="Until" name="quietHoursEnd" value={values.quietHoursEnd} onChange={set("quietHoursEnd")} error={errors.quietHoursEnd} disabled={!quiet} autoComplete="off" placeholder="08:00" />
                  </FormLayout.Group>
                  <TextField label="Smart sending (hours)" name="smartSendingHours" type="number" value={values.smartSendingHours} onChange={set("smartSendingHours")} error={errors.smartSendingHours} autoComplete="off" helpText="Skip anyone who got a marketing email from Pathwise in this many hours. 0 turns it off." />
                  <TextField label="Click attribution window (days)" name="clickAttributionDays" type="number" value={values.clickAttributionDays} onChange={set("clickAttributionDays")} error={errors.clickAttributionDays} autoComplete="off" helpText="An order counts for a flow (its attributed revenue) when the shopper placed it within this many days of clicking a link in one of the flow's emails. A checkout completed after its reminder counts too." />
                </FormLayout>
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section>
            <SaveRow loading={navigation.state === "submitting"} outcome={result ? { ok: result.ok, message: result.ok ? "Settings saved." : "Some settings need a fix before they can be saved." } : null} />
          </Layout.Section>
        </Layout>
      </Form>
    </Page>
  );
}
