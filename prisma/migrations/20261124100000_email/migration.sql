-- Email infrastructure: send ledger, provider events, clicks, suppression list,
-- unsubscribes, per-shop sending settings.

-- CreateTable
CREATE TABLE "email_message" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "send_key" TEXT NOT NULL,
    "flow_id" TEXT NOT NULL,
    "flow_run_id" TEXT NOT NULL,
    "step_key" TEXT NOT NULL,
    "customer_id" TEXT,
    "email" TEXT,
    "locale" TEXT,
    "subject" TEXT,
    "status" TEXT NOT NULL DEFAULT 'claimed',
    "skip_reason" TEXT,
    "deferred_until" TIMESTAMP(3),
    "provider_message_id" TEXT,
    "html" TEXT,
    "text" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "claimed_at" TIMESTAMP(3),
    "sending_at" TIMESTAMP(3),
    "sent_at" TIMESTAMP(3),
    "delivered_at" TIMESTAMP(3),
    "opened_at" TIMESTAMP(3),
    "open_unreliable" BOOLEAN NOT NULL DEFAULT false,
    "open_count" INTEGER NOT NULL DEFAULT 0,
    "clicked_at" TIMESTAMP(3),
    "click_count" INTEGER NOT NULL DEFAULT 0,
    "bounced_at" TIMESTAMP(3),
    "unsubscribed_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "email_message_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "email_message_shop_send_key_key" ON "email_message"("shop", "send_key");
CREATE INDEX "email_message_shop_email_sent_at_idx" ON "email_message"("shop", "email", "sent_at");
CREATE INDEX "email_message_shop_created_at_idx" ON "email_message"("shop", "created_at");
CREATE INDEX "email_message_shop_flow_run_id_idx" ON "email_message"("shop", "flow_run_id");
CREATE INDEX "email_message_provider_message_id_idx" ON "email_message"("provider_message_id");

-- CreateTable
CREATE TABLE "email_event" (
    "id" BIGSERIAL NOT NULL,
    "sg_event_id" TEXT NOT NULL,
    "shop" TEXT,
    "message_id" TEXT,
    "type" TEXT NOT NULL,
    "email" TEXT,
    "payload" JSONB NOT NULL,
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "email_event_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "email_event_sg_event_id_key" ON "email_event"("sg_event_id");
CREATE INDEX "email_event_shop_message_id_idx" ON "email_event"("shop", "message_id");

-- CreateTable
CREATE TABLE "email_click" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "link_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "user_agent" TEXT,
    "prefetch" BOOLEAN NOT NULL DEFAULT false,
    "clicked_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "email_click_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "email_click_shop_message_id_idx" ON "email_click"("shop", "message_id");
CREATE INDEX "email_click_shop_clicked_at_idx" ON "email_click"("shop", "clicked_at");

-- CreateTable
CREATE TABLE "email_suppression" (
    "shop" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "message_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "email_suppression_pkey" PRIMARY KEY ("shop","email")
);

-- CreateTable
CREATE TABLE "email_unsubscribe" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "message_id" TEXT,
    "customer_id" TEXT,
    "email" TEXT,
    "method" TEXT NOT NULL,
    "writeback_status" TEXT NOT NULL DEFAULT 'pending',
    "writeback_error" TEXT,
    "written_back_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "email_unsubscribe_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "email_unsubscribe_shop_created_at_idx" ON "email_unsubscribe"("shop", "created_at");

-- CreateTable
CREATE TABLE "shop_email_settings" (
    "shop" TEXT NOT NULL,
    "from_name" TEXT,
    "reply_to" TEXT,
    "accent_color" TEXT NOT NULL DEFAULT '#1a73e8',
    "logo_url" TEXT,
    "require_consent" BOOLEAN NOT NULL DEFAULT true,
    "quiet_hours_start" INTEGER DEFAULT 1260,
    "quiet_hours_end" INTEGER DEFAULT 480,
    "smart_sending_hours" INTEGER NOT NULL DEFAULT 16,
    "click_attribution_days" INTEGER NOT NULL DEFAULT 5,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "shop_email_settings_pkey" PRIMARY KEY ("shop")
);
