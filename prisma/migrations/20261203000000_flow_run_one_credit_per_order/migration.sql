-- One order is credited to one run of a flow: crediting it to every run of the same
-- shopper counted its revenue once per run. (A partial unique index: Prisma's schema
-- cannot declare it, so it lives only here.)
--
-- Orders credited more than once already keep the run a credit goes to now: the one
-- whose checkout the order completed (checkout token, then cart token), else the one
-- whose email was clicked last; the others lose the order and its revenue, and a
-- converted one becomes exited for that reason.
WITH ranked AS (
  SELECT r.id,
         row_number() OVER (
           PARTITION BY r.shop, r.flow_key, r.converted_order_id
           -- (COALESCE: a run without the token compares NULL, which DESC would put first)
           ORDER BY COALESCE(o.checkout_token = r.checkout_token, false) DESC,
                    COALESCE(o.cart_token = r.cart_token, false) DESC,
                    (SELECT max(m.clicked_at) FROM email_message m WHERE m.shop = r.shop AND m.flow_run_id = r.id) DESC NULLS LAST,
                    r.anchor_at DESC,
                    r.id
         ) AS place
    FROM flow_run r
    LEFT JOIN "order" o ON o.shop = r.shop AND o.id = r.converted_order_id
   WHERE r.converted_order_id IS NOT NULL
)
UPDATE flow_run r
   SET converted_order_id = NULL,
       revenue_minor = NULL,
       currency = NULL,
       state = CASE WHEN r.state = 'converted' THEN 'exited' ELSE r.state END,
       exit_reason = CASE WHEN r.state = 'converted' THEN 'purchased_credited_elsewhere' ELSE r.exit_reason END
  FROM ranked
 WHERE ranked.id = r.id AND ranked.place > 1;

CREATE UNIQUE INDEX "flow_run_shop_flow_key_converted_order_id_key" ON "flow_run" ("shop", "flow_key", "converted_order_id")
  WHERE "converted_order_id" IS NOT NULL;
