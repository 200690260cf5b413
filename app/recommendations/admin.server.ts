import { z } from "zod";
import prisma from "../db.server";
import { prismaSql } from "../jobs/queue.server";
import { enqueueBackfill, enqueueUpdate } from "./jobs.server";
import { markProductsChanged, rebuildRecommendations, setStatus } from "./service.server";
import { addJob } from "../jobs/queue.server";

export interface ProductOption {
  id: string;
  title: string;
}

/** What the recommendations page shows: status, one product's list with titles, and its overrides. */
export async function loadRecommendationsPage(shop: string, productId: string | null) {
  const [status, selected] = await Promise.all([
    prisma.recommendationStatus.findUnique({ where: { shop } }),
    productId && /^\d{1,20}$/.test(productId)
      ? prisma.product.findFirst({ where: { shop, id: productId, deletedAt: null }, select: { id: true, title: true } })
      : null,
  ]);
  let recommendations: Array<{ id: string; title: string; score: number; source: string }> = [];
  let overrides = { pinned: [] as ProductOption[], excluded: [] as ProductOption[] };
  if (selected) {
    const [rows, override] = await Promise.all([
      prisma.productRecommendation.findMany({ where: { shop, productId: selected.id }, orderBy: { rank: "asc" } }),
      prisma.recommendationOverride.findUnique({ where: { shop_productId: { shop, productId: selected.id } } }),
    ]);
    const ids = [...rows.map((row) => row.recommendedProductId), ...(override?.pinned ?? []), ...(override?.excluded ?? [])];
    const products = new Map(
      (await prisma.product.findMany({ where: { shop, id: { in: ids } }, select: { id: true, title: true } })).map((product) => [product.id, product]),
    );
    const option = (id: string): ProductOption => products.get(id) ?? { id, title: `Product ${id} (no longer in the catalog)` };
    recommendations = rows.map((row) => ({ id: row.recommendedProductId, title: option(row.recommendedProductId).title, score: row.score, source: row.source }));
    if (override) overrides = { pinned: override.pinned.map(option), excluded: override.excluded.map(option) };
  }
  return { status, selected, recommendations, overrides };
}

/**
 * The product picker's search: titles containing the text (case-insensitive), those that
 * start with it first. Deleted products are not offered; drafts are, marked by status,
 * since a merchant may prepare pins before a launch.
 */
export async function searchProducts(shop: string, text: string, limit = 20): Promise<Array<ProductOption & { status: string }>> {
  const query = text.trim().slice(0, 100);
  const literal = query.replace(/[\\%_]/g, (char) => `\\${char}`); // LIKE's wildcards, taken literally
  const pattern = `%${literal}%`;
  const prefix = `${literal}%`;
  return prisma.$queryRawUnsafe(
    `SELECT id, title, status FROM product
      WHERE shop = $1 AND deleted_at IS NULL AND title ILIKE $2
      ORDER BY (title ILIKE $3) DESC, lower(title), id
      LIMIT $4`,
    shop,
    pattern,
    prefix,
    Math.min(Math.max(limit, 1), 50),
  );
}

const idList = z
  .string()
  .transform((value) => value.split(",").map((id) => id.trim()).filter(Boolean))
  .refine((ids) => ids.every((id) => /^\d{1,20}$/.test(id)), { message: "Use numeric product ids separated by commas" })
  .refine((ids) => ids.length <= 12, { message: "At most 12 products" });

const overridesSchema = z.object({ productId: z.string().regex(/^\d+$/), pinned: idList, excluded: idList });

export type OverridesResult = { ok: true } | { ok: false; errors: Partial<Record<"pinned" | "excluded" | "productId", string>> };

export async function saveOverrides(shop: string, form: FormData): Promise<OverridesResult> {
  const parsed = overridesSchema.safeParse({ productId: form.get("productId"), pinned: form.get("pinned") ?? "", excluded: form.get("excluded") ?? "" });
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
    return { ok: false, errors };
  }
  const { productId, pinned, excluded } = parsed.data;
  const known = new Set((await prisma.product.findMany({ where: { shop, id: { in: [...pinned, ...excluded] } }, select: { id: true } })).map((p) => p.id));
  const unknownPinned = pinned.filter((id) => !known.has(id));
  const unknownExcluded = excluded.filter((id) => !known.has(id));
  if (unknownPinned.length || unknownExcluded.length || pinned.some((id) => excluded.includes(id))) {
    return {
      ok: false,
      errors: {
        ...(unknownPinned.length ? { pinned: `Unknown products: ${unknownPinned.join(", ")}` } : {}),
        ...(unknownExcluded.length ? { excluded: `Unknown products: ${unknownExcluded.join(", ")}` } : {}),
        ...(pinned.some((id) => excluded.includes(id)) ? { excluded: "A product cannot be both pinned and excluded" } : {}),
      },
    };
  }
  await prisma.$transaction(async (tx) => {
    await tx.recommendationOverride.upsert({
      where: { shop_productId: { shop, productId } },
      create: { shop, productId, pinned, excluded },
      update: { pinned, excluded, updatedAt: new Date() },
    });
    // Re-rank that product on the next update. Our own mark: Shopify's updated_at is
    // Shopify's, and moving it would make later genuine products/update webhooks look stale.
    await markProductsChanged(tx, shop, [productId]);
    await enqueueUpdate(prismaSql(tx), shop, 0);
  });
  return { ok: true };
}

/** "Recompute now" rebuilds from stored orders; "re-import" fetches from Shopify first. */
export async function requestRecompute(shop: string, reimport: boolean) {
  if (reimport) {
    await setStatus(shop, { state: "queued", phase: "waiting for Shopify", error: null });
    await enqueueBackfill(prismaSql(prisma), shop);
  } else {
    await setStatus(shop, { state: "queued", phase: "waiting to recompute", error: null });
    await addJob(prismaSql(prisma), "recs.rebuild", { shop }, { jobKey: `recs-rebuild:${shop}` });
  }
  return { ok: true as const };
}

export const rebuildTask = async (payload: unknown) => {
  await rebuildRecommendations((payload as { shop: string }).shop);
};
