-- Products changed after their shop's model was last saved were found, before the
-- dirty-product table, by comparing Shopify's updated_at with that save: mark them so
-- the first update after this migration re-ranks them as the old comparison would have.
INSERT INTO "recommendation_dirty_product" ("shop", "product_id")
SELECT p."shop", p."id"
FROM "product" p
JOIN "recommendation_model" m ON m."shop" = p."shop"
WHERE p."shopify_updated_at" > m."updated_at"
ON CONFLICT DO NOTHING;
