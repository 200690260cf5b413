import { countOf } from "../text";

/**
 * One line on a customer data export, for the merchant: how many orders,
 * checkouts and emails it holds. The export is JSON as stored (sections
 * "store" and "email" registered by their capabilities); a missing section counts 0.
 */
function exportCounts(data: unknown): { orders: number; checkouts: number; emails: number } {
  const section = (name: string) => (data && typeof data === "object" ? (data as Record<string, unknown>)[name] : undefined);
  const length = (value: unknown, key: string) => {
    const list = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
    return Array.isArray(list) ? list.length : 0;
  };
  return { orders: length(section("store"), "orders"), checkouts: length(section("store"), "checkouts"), emails: length(section("email"), "messages") };
}

export function exportSummary(data: unknown): string {
  const { orders, checkouts, emails } = exportCounts(data);
  return `${countOf(orders, "order")}, ${countOf(checkouts, "checkout")}, ${countOf(emails, "email")}`;
}
