-- orders/delete: the order stays as a tombstone (its tokens, dates and status; no
-- email, customer, name or lines), so a late orders/updated or a bulk export cannot
-- bring it back.
ALTER TABLE "order" ADD COLUMN "deleted_at" TIMESTAMP(3);

-- A cancelled or deleted order withdraws the conversion credited to it: found by order.
CREATE INDEX "flow_run_shop_converted_order_id_idx" ON "flow_run"("shop", "converted_order_id");
