import prisma, { pool } from "../db.server";
import { adminQuery, type AdminGraphql } from "./admin-graphql";

export const SHOP_QUERY = `#graphql
  query PathwiseShop {
    shop {
      name
      email
      currencyCode
      ianaTimezone
      billingAddress { address1 address2 city province zip country }
    }
    shopLocales { locale primary }
  }`;

interface ShopQuery {
  shop: {
    name: string;
    email: string;
    currencyCode: string;
    ianaTimezone: string;
    billingAddress: { address1: string | null; address2: string | null; city: string | null; province: string | null; zip: string | null; country: string | null } | null;
  };
  shopLocales: Array<{ locale: string; primary: boolean }>;
}

type InstalledHook = (shop: string, firstInstall: boolean) => Promise<void>;
const installedHooks: InstalledHook[] = [];

/** Features that start work on install (the recommendation backfill) register here. */
export function onInstalled(hook: InstalledHook): void {
  installedHooks.push(hook);
}

/** After token exchange stored the offline session: remember the shop and what emails need (name, currency, zone, address). */
export async function recordInstallation(shop: string, graphql: AdminGraphql): Promise<void> {
  const data = await adminQuery<ShopQuery>(graphql, SHOP_QUERY);
  const address = data.shop.billingAddress;
  const fields = {
    name: data.shop.name,
    email: data.shop.email,
    currency: data.shop.currencyCode,
    timezone: data.shop.ianaTimezone,
    primaryLocale: data.shopLocales.find((locale) => locale.primary)?.locale ?? "en",
    address: address
      ? [address.address1, address.address2, address.city, address.province, address.zip, address.country].filter(Boolean).join(", ")
      : null,
    uninstalledAt: null,
  };
  const previous = await prisma.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
  await prisma.shop.upsert({ where: { domain: shop }, create: { domain: shop, ...fields }, update: fields });
  const firstInstall = !previous || previous.uninstalledAt !== null;
  for (const hook of installedHooks) await hook(shop, firstInstall);
}

export async function getShop(shop: string) {
  return prisma.shop.findUnique({ where: { domain: shop } });
}

export async function isInstalled(shop: string): Promise<boolean> {
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
  return Boolean(row && !row.uninstalledAt);
}

/** The shop's IANA time zone, in which the admin shows times (UTC until Shopify told us). */
export async function shopTimezone(shop: string): Promise<string> {
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { timezone: true } });
  return row?.timezone ?? "UTC";
}

/**
 * One job of `task` per installed shop, in one statement: recurring work fans out
 * this way. Keyed (`<jobKeyPrefix>:<shop>`), so a shop never has two waiting.
 */
export async function enqueueForInstalledShops(task: string, jobKeyPrefix: string = task): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM graphile_worker.add_jobs(ARRAY(
       SELECT ROW($1::text, json_build_object('shop', domain), NULL, NULL, 5, $2::text || ':' || domain, NULL, NULL)::graphile_worker.job_spec
       FROM shop WHERE uninstalled_at IS NULL ORDER BY domain))`,
    [task, jobKeyPrefix],
  );
  return rows[0].n;
}
