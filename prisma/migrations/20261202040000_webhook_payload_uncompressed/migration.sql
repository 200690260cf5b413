-- Webhook bodies are stored without pglz compression. Compressing a 15 KB order was
-- the largest single cost of recording a delivery in PostgreSQL, on the path Shopify
-- waits on: bench:webhooks, back to back, 0.58 -> 0.49 ms of PostgreSQL CPU per
-- delivery. An order takes about 16 KB instead of 4 KB; deliveries are kept
-- WEBHOOK_EVENT_RETENTION_DAYS (7 by default, deleted by a daily job), so a week of
-- them takes about the disk a month of compressed ones did. Applies to new rows.
ALTER TABLE "webhook_event" ALTER COLUMN "payload" SET STORAGE EXTERNAL;
