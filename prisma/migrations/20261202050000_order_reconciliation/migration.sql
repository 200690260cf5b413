-- Orders are reconciled against the Admin API (a few webhook deliveries never arrive):
-- how far each shop's reconciliation has looked.
ALTER TABLE "shop" ADD COLUMN "orders_reconciled_at" TIMESTAMP(3);
-- And how far its customers' email marketing consent has been checked.
ALTER TABLE "shop" ADD COLUMN "consent_reconciled_at" TIMESTAMP(3);
-- And its products.
ALTER TABLE "shop" ADD COLUMN "products_reconciled_at" TIMESTAMP(3);
