-- CreateTable
CREATE TABLE "session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),
    CONSTRAINT "session_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "session_shop_idx" ON "session"("shop");

-- CreateTable
CREATE TABLE "shop" (
    "domain" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "primary_locale" TEXT NOT NULL DEFAULT 'en',
    "address" TEXT,
    "scopes" TEXT,
    "installed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalled_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "shop_pkey" PRIMARY KEY ("domain")
);

-- CreateTable
CREATE TABLE "webhook_event" (
    "id" BIGSERIAL NOT NULL,
    "event_id" TEXT NOT NULL,
    "webhook_id" TEXT,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "api_version" TEXT,
    "triggered_at" TIMESTAMP(3),
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "payload" JSONB,
    "raw_body" TEXT,
    "status" TEXT NOT NULL DEFAULT 'received',
    "error" TEXT,
    "processed_at" TIMESTAMP(3),
    CONSTRAINT "webhook_event_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "webhook_event_event_id_key" ON "webhook_event"("event_id");
CREATE INDEX "webhook_event_shop_topic_received_at_idx" ON "webhook_event"("shop", "topic", "received_at");
CREATE INDEX "webhook_event_status_idx" ON "webhook_event"("status");

-- CreateTable
CREATE TABLE "customer" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "email" TEXT,
    "first_name" TEXT,
    "last_name" TEXT,
    "locale" TEXT,
    "email_marketing_state" TEXT,
    "email_marketing_consent_at" TIMESTAMP(3),
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "shopify_updated_at" TIMESTAMP(3),
    "consent_updated_at" TIMESTAMP(3),
    "redacted_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "customer_pkey" PRIMARY KEY ("shop","id")
);
CREATE INDEX "customer_shop_email_idx" ON "customer"("shop", "email");

-- CreateTable
CREATE TABLE "checkout" (
    "shop" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "cart_token" TEXT,
    "email" TEXT,
    "customer_id" TEXT,
    "customer_locale" TEXT,
    "line_items" JSONB NOT NULL DEFAULT '[]',
    "subtotal_minor" INTEGER NOT NULL DEFAULT 0,
    "total_minor" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "recovery_url" TEXT,
    "completed_at" TIMESTAMP(3),
    "order_id" TEXT,
    "shopify_created_at" TIMESTAMP(3),
    "shopify_updated_at" TIMESTAMP(3),
    CONSTRAINT "checkout_pkey" PRIMARY KEY ("shop","token")
);
CREATE INDEX "checkout_shop_cart_token_idx" ON "checkout"("shop", "cart_token");
CREATE INDEX "checkout_shop_customer_id_idx" ON "checkout"("shop", "customer_id");

-- CreateTable
CREATE TABLE "cart" (
    "shop" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "customer_id" TEXT,
    "line_items" JSONB NOT NULL DEFAULT '[]',
    "total_minor" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "order_id" TEXT,
    "shopify_created_at" TIMESTAMP(3),
    "shopify_updated_at" TIMESTAMP(3),
    CONSTRAINT "cart_pkey" PRIMARY KEY ("shop","token")
);

-- CreateTable
CREATE TABLE "order" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "name" TEXT,
    "checkout_token" TEXT,
    "cart_token" TEXT,
    "customer_id" TEXT,
    "email" TEXT,
    "line_items" JSONB NOT NULL DEFAULT '[]',
    "subtotal_minor" INTEGER NOT NULL DEFAULT 0,
    "total_minor" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "discount_codes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "financial_status" TEXT,
    "fulfillment_status" TEXT,
    "cancelled_at" TIMESTAMP(3),
    "shopify_created_at" TIMESTAMP(3) NOT NULL,
    "shopify_updated_at" TIMESTAMP(3),
    CONSTRAINT "order_pkey" PRIMARY KEY ("shop","id")
);
CREATE INDEX "order_shop_checkout_token_idx" ON "order"("shop", "checkout_token");
CREATE INDEX "order_shop_cart_token_idx" ON "order"("shop", "cart_token");
CREATE INDEX "order_shop_customer_id_shopify_created_at_idx" ON "order"("shop", "customer_id", "shopify_created_at");

-- CreateTable
CREATE TABLE "order_line" (
    "shop" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "line_id" TEXT NOT NULL,
    "product_id" TEXT,
    "variant_id" TEXT,
    "title" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "price_minor" INTEGER NOT NULL,
    "is_gift_card" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "order_line_pkey" PRIMARY KEY ("shop","order_id","line_id")
);
CREATE INDEX "order_line_shop_product_id_idx" ON "order_line"("shop", "product_id");
ALTER TABLE "order_line" ADD CONSTRAINT "order_line_shop_order_id_fkey" FOREIGN KEY ("shop", "order_id") REFERENCES "order"("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "fulfillment" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "status" TEXT,
    "shipment_status" TEXT,
    "delivered_at" TIMESTAMP(3),
    "tracking_company" TEXT,
    "shopify_created_at" TIMESTAMP(3),
    "shopify_updated_at" TIMESTAMP(3),
    CONSTRAINT "fulfillment_pkey" PRIMARY KEY ("shop","id")
);
CREATE INDEX "fulfillment_shop_order_id_idx" ON "fulfillment"("shop", "order_id");

-- CreateTable
CREATE TABLE "product" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "handle" TEXT,
    "product_type" TEXT,
    "vendor" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "image_url" TEXT,
    "price_minor" INTEGER,
    "currency" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "available" BOOLEAN NOT NULL DEFAULT true,
    "is_gift_card" BOOLEAN NOT NULL DEFAULT false,
    "deleted_at" TIMESTAMP(3),
    "shopify_updated_at" TIMESTAMP(3),
    CONSTRAINT "product_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "data_request" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customer_id" TEXT,
    "email" TEXT,
    "request_id" TEXT,
    "export" JSONB NOT NULL,
    "requested_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "data_request_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "data_request_shop_requested_at_idx" ON "data_request"("shop", "requested_at");
