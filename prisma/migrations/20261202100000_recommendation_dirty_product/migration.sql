-- Products whose catalog state (deletion, status, availability, gift card) or overrides
-- changed since their lists were last ranked, marked in the transaction that changed
-- them. The incremental update re-ranks each and every list that holds it, then
-- removes the marks it read (a mark bumped meanwhile stays for the next update).
-- Replaces comparing Shopify's updated_at with the model's save time, which missed
-- deletions (no updated_at) and webhooks that arrived after a save they predate.
CREATE TABLE "recommendation_dirty_product" (
    "shop" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "mark" BIGINT NOT NULL DEFAULT 1,

    CONSTRAINT "recommendation_dirty_product_pkey" PRIMARY KEY ("shop","product_id")
);
