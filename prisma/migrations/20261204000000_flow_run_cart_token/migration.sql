-- An order finds the runs it touches through indexed lookups only (RUNS_FOR_ORDER): the
-- checkout token is the abandoned checkout run's subject key (unique index), the customer
-- and the email have their indexes; the cart token had none, so every order scanned the
-- shop's runs.
CREATE INDEX "flow_run_shop_cart_token_idx" ON "flow_run"("shop", "cart_token");
