-- Webhook payloads are kept as received (json), not converted to jsonb: ingestion
-- acknowledges thousands of 10-20 KB bodies a second, and building jsonb from each
-- was a share of PostgreSQL's work per delivery; the worker reads each payload once,
-- and the compliance scrubs use json's -> and ->> operators just the same.
ALTER TABLE "webhook_event" ALTER COLUMN "payload" TYPE json USING "payload"::json;
