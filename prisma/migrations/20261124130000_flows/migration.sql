-- CreateTable
CREATE TABLE "flow" (
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "settings" JSONB NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "flow_pkey" PRIMARY KEY ("shop","key")
);

-- CreateTable
CREATE TABLE "flow_run" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "flow_key" TEXT NOT NULL,
    "subject_key" TEXT NOT NULL,
    "customer_id" TEXT,
    "email" TEXT,
    "locale" TEXT,
    "checkout_token" TEXT,
    "cart_token" TEXT,
    "state" TEXT NOT NULL DEFAULT 'waiting',
    "current_step" INTEGER NOT NULL DEFAULT 0,
    "anchor_at" TIMESTAMP(3) NOT NULL,
    "next_run_at" TIMESTAMP(3),
    "discount_code" TEXT,
    "exit_reason" TEXT,
    "converted_order_id" TEXT,
    "revenue_minor" INTEGER,
    "currency" TEXT,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMP(3),
    CONSTRAINT "flow_run_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "flow_run_shop_flow_key_subject_key_key" ON "flow_run"("shop", "flow_key", "subject_key");
CREATE INDEX "flow_run_shop_flow_key_state_idx" ON "flow_run"("shop", "flow_key", "state");
CREATE INDEX "flow_run_shop_customer_id_idx" ON "flow_run"("shop", "customer_id");
CREATE INDEX "flow_run_shop_email_idx" ON "flow_run"("shop", "email");

-- CreateTable
CREATE TABLE "flow_step_run" (
    "run_id" TEXT NOT NULL,
    "step_key" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "message_id" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "flow_step_run_pkey" PRIMARY KEY ("run_id","step_key")
);
ALTER TABLE "flow_step_run" ADD CONSTRAINT "flow_step_run_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "flow_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
