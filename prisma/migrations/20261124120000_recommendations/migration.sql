-- CreateTable
CREATE TABLE "recommendation_model" (
    "shop" TEXT NOT NULL,
    "state" BYTEA NOT NULL,
    "orders_covered" INTEGER NOT NULL DEFAULT 0,
    "last_order_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "recommendation_model_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "recommendation_status" (
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'idle',
    "phase" TEXT,
    "progress_done" INTEGER NOT NULL DEFAULT 0,
    "progress_total" INTEGER NOT NULL DEFAULT 0,
    "bulk_operation_id" TEXT,
    "orders_covered" INTEGER NOT NULL DEFAULT 0,
    "products_covered" INTEGER NOT NULL DEFAULT 0,
    "catalog_size" INTEGER NOT NULL DEFAULT 0,
    "last_computed_at" TIMESTAMP(3),
    "error" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "recommendation_status_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "product_recommendation" (
    "shop" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "rank" INTEGER NOT NULL,
    "recommended_product_id" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "source" TEXT NOT NULL,
    CONSTRAINT "product_recommendation_pkey" PRIMARY KEY ("shop","product_id","rank")
);
CREATE INDEX "product_recommendation_shop_product_id_idx" ON "product_recommendation"("shop", "product_id");

-- CreateTable
CREATE TABLE "recommendation_sync" (
    "shop" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "list_hash" TEXT NOT NULL,
    "synced_hash" TEXT,
    "synced_at" TIMESTAMP(3),
    "error" TEXT,
    CONSTRAINT "recommendation_sync_pkey" PRIMARY KEY ("shop","product_id")
);
CREATE INDEX "recommendation_sync_shop_synced_hash_idx" ON "recommendation_sync"("shop", "synced_hash");

-- CreateTable
CREATE TABLE "recommendation_override" (
    "shop" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "pinned" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "excluded" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "recommendation_override_pkey" PRIMARY KEY ("shop","product_id")
);

-- AlterTable: what recommendation fallbacks and the cart proxy need about products
ALTER TABLE "product" ADD COLUMN "collections" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN "variant_id" TEXT,
ADD COLUMN "url" TEXT;
