import prisma from "../db.server";
import { unauthenticated } from "../shopify.server";
import { saveConsent } from "../store/store.server";
import { adminQuery, type AdminGraphql } from "./admin-graphql";

/**
 * Since API 2025-01 customer webhooks carry no marketing consent; the Admin API's
 * `defaultEmailAddress.marketingState` is the source. Read it when we need it and
 * do not know it yet (consent webhooks keep it current afterwards).
 */
export const CUSTOMER_CONSENT_QUERY = `#graphql
  query PathwiseCustomerConsent($id: ID!) {
    customer(id: $id) {
      id
      locale
      defaultEmailAddress { emailAddress marketingState marketingUpdatedAt }
    }
  }`;

export async function ensureCustomerConsent(shop: string, customerId: string): Promise<string | null> {
  const customer = await prisma.customer.findUnique({ where: { shop_id: { shop, id: customerId } }, select: { emailMarketingState: true } });
  if (customer?.emailMarketingState) return customer.emailMarketingState;
  const { admin } = await unauthenticated.admin(shop);
  const data = await adminQuery<{ customer: { locale: string | null; defaultEmailAddress: { emailAddress: string; marketingState: string; marketingUpdatedAt: string | null } | null } | null }>(
    admin.graphql as unknown as AdminGraphql,
    CUSTOMER_CONSENT_QUERY,
    { id: `gid://shopify/Customer/${customerId}` },
  );
  const address = data.customer?.defaultEmailAddress;
  if (!address) return null;
  await prisma.$transaction((tx) =>
    saveConsent(tx, shop, customerId, address.marketingState, address.marketingUpdatedAt ? new Date(address.marketingUpdatedAt) : new Date(0), address.emailAddress.toLowerCase()),
  );
  if (data.customer?.locale) await prisma.customer.updateMany({ where: { shop, id: customerId, locale: null }, data: { locale: data.customer.locale } });
  return address.marketingState;
}
