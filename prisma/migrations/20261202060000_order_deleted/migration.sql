-- orders/delete: the order stays as a tombstone (its tokens, dates and status; no
-- email, customer, name or lines), so a late orders/updated or a bulk export cannot
-- bring it back.
ALTER TABLE "order" ADD COLUMN "deleted_at" TIMESTAMP(3);
