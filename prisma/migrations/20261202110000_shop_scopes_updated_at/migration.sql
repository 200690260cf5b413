-- app/scopes_update: the updated_at of the scopes we hold, so a late delivery of an
-- older change does not restore old scopes.
ALTER TABLE "shop" ADD COLUMN "scopes_updated_at" TIMESTAMP(3);
