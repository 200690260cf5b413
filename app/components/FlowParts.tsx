import { Button, Card, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import { formatMoney } from "../money";

export interface FlowFiguresData {
  started: number;
  sent: number;
  opened: number;
  clicked: number;
  converted: number;
  revenue: Array<{ currency: string; amountMinor: number }>;
}

/** The figures both flow pages show, with the same words. */
export function FlowFigures({ figures }: { figures: FlowFiguresData }) {
  const counts: Array<[string, number]> = [["Started", figures.started], ["Sent", figures.sent], ["Opened", figures.opened], ["Clicked", figures.clicked], ["Converted", figures.converted]];
  return (
    <InlineGrid columns={{ xs: 2, md: 6 }} gap="300">
      {counts.map(([label, value]) => (
        <Card key={label}>
          <Text as="p" tone="subdued">{label}</Text>
          <Text as="p" variant="headingLg">{value.toLocaleString()}</Text>
        </Card>
      ))}
      <Card>
        <Text as="p" tone="subdued">Attributed revenue</Text>
        <Text as="p" variant="bodySm" tone="subdued">Orders credited to this flow's emails</Text>
        <Text as="p" variant="headingLg">{figures.revenue.map((r) => formatMoney(r.amountMinor, r.currency)).join(" + ") || formatMoney(0, "USD")}</Text>
      </Card>
    </InlineGrid>
  );
}

/** The Save button with the outcome of the last save beside it, where the merchant is looking. */
export function SaveRow({ outcome, loading }: { outcome?: { ok: boolean; message: string } | null; loading?: boolean }) {
  return (
    <InlineStack gap="300" blockAlign="center">
      <Button submit variant="primary" loading={loading}>Save</Button>
      <div role="status">{outcome ? <Text as="span" tone={outcome.ok ? "success" : "critical"} fontWeight="medium">{outcome.message}</Text> : null}</div>
    </InlineStack>
  );
}
