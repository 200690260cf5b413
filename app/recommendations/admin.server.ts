import { z } from "zod";
import prisma from "../db.server";
import { prismaSql } from "../jobs/queue.server";
import { enqueueBackfill, enqueueUpdate } from "./jobs.server";
import { markProductsChanged, rebuildRecommendations, setStatus } from "./service.server";
import { addJob } from "../jobs/queue.server";

/** What the recommendations page shows: status, the catalog, one product's list and its overrides. */
export async function loadRecommendationsPage(shop: string, productId: string | null) {
  const [status, products] = await Promise.all([
    prisma.recommendationStatus.findUnique({ where: { shop } }),
    prisma.product.findMany({ where: { shop, deletedAt: null }, select: { id: true, title: true }, orderBy: { title: "asc" }, take: 2000 }),
  ]);
  const selected = productId ? products.find((product) => product.id === productId) ?? null : null;
  let recommendations: Array<{ id: string; title: string; score: number; source: string }> = [];
  let overrides = { pinned: [] as string[], excluded: [] as string[] };
  if (selected) {
    const rows = await prisma.productRecommendation.findMany({ where: { shop, productId: selected.id }, orderBy: { rank: "asc" } });
    const titles = new Map(products.map((product) => [product.id, product.title]));
    recommendations = rows.map((row) => ({ id: row.recommendedProductId, title: titles.get(row.recommendedProductId) ?? row.recommendedProductId, score: row.score, source: row.source }));
    const override = await prisma.recommendationOverride.findUnique({ where: { shop_productId: { shop, productId: selected.id } } });
    if (override) overrides = { pinned: override.pinned, excluded: override.excluded };
  }
  return { status, products, selected, recommendations, overrides };
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
