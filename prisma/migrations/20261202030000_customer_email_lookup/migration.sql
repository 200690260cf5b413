-- A guest's consent is looked up by email, case-insensitively, before every send to
-- someone without a customer id: without this index that read every customer of the shop.
-- (An expression index: Prisma's schema cannot declare it, so it lives only here.)
CREATE INDEX "customer_shop_lower_email_idx" ON "customer" ("shop", lower("email"));
